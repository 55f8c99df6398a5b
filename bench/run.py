#!/usr/bin/env python3
"""Promise benchmark: real promise-api + promise-manager processes over
RabbitMQ on a real MariaDB / PostgreSQL database, filled in bulk.

    python bench/run.py --db mysql --hosts 1000 --leases 10000
    python bench/run.py --db postgresql --quick
    python bench/run.py --db mysql --sizes 1000:10000,10000:100000

For every size (H hosts, L existing leases) it creates a fresh database
``promise_bench_<random>``, migrates it with ``promise-db-manage``, inserts
the hosts and leases (whole-host and instance-slot leases) directly
(multi-row INSERTs, not API calls), starts one
promise-api and two promise-managers (noauth, own RPC topic) and measures:

* ``create``: POST /v1/leases, one physical:host reservation (min=max=1),
  sequential, p50/p95/max;
* ``create_filtered``: the same with a resource_properties query, which
  makes the engine read every free host;
* ``list_admin`` / ``list_project``: GET /v1/leases?limit=100 as an admin
  (all projects) and as a member (own project);
* ``show``: GET /v1/leases/{id};
* ``create_instance``: POST /v1/leases, one virtual:instance reservation
  (2 slots of 2 vCPU / 4 GB / 20 GB); the decision needs no Nova;
* ``capacity_hosts`` / ``capacity_instance``: GET /v1/capacity over the
  next 30 days, for whole hosts and for the instance shape;
* ``engine`` / ``engine_filtered`` / ``engine_instance``:
  promise.engine.hosts.choose and promise.engine.slots.choose inside one
  transaction in this process (rolled back);
* ``engine_capacity_hosts`` / ``engine_capacity_instance``: the capacity
  timelines (promise.engine.capacity) alone, in this process;
* ``sustained``: creates/s with 2 managers and --clients concurrent
  clients for --seconds.

Ratios are against ``bench/baseline.json`` (same database and size) when it
holds a stored run, and against the smallest size of this run otherwise.
The database, the RabbitMQ queues and the processes are removed afterwards.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
if REPO not in sys.path:
    sys.path.insert(0, REPO)

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from promise.tests.functional import fixtures as ff  # noqa: E402

BASELINE = os.path.join(HERE, 'baseline.json')
PROJECTS = 100
LEASES_PER_HOST_SPAN = 3      # days between two leases of one host
LEASE_DAYS = 1                # length of a seeded lease
BENCH_WINDOW_DAYS = (2, 40)   # where the benchmark's own leases start
CHUNK = 5000
INSTANCE_HOST_EVERY = 5       # one host in 5 gives instance slots
# Each seeded instance lease: SEED_SLOTS slots of SEED_SHAPE on one host.
SEED_SHAPE = {'vcpus': 8, 'memory_mb': 16384, 'disk_gb': 80}
SEED_SLOTS = 4
# The benchmark's own instance leases and the capacity query's shape.
BENCH_SHAPE = {'vcpus': 2, 'memory_mb': 4096, 'disk_gb': 20}
BENCH_AMOUNT = 2
CAPACITY_DAYS = 30
SEEDED_TABLES = ('hosts', 'host_capabilities', 'leases', 'reservations',
                 'host_reservations', 'host_allocations',
                 'instance_reservations', 'instance_allocations', 'events')

# Issue targets (MariaDB, 2 cores), in ms: (metric, hosts, leases, p50 max);
# None matches any size.
TARGETS = [
    ('create', 1000, 10000, 20.0),
    ('create', 10000, 100000, 50.0),
    ('list_admin', None, 100000, 30.0),
    ('list_project', None, 100000, 30.0),
    # #6: "well under a second" at H=1,000 / L=10,000; #9: 100 ms at
    # H=10,000.
    ('capacity_hosts', 1000, 10000, 1000.0),
    ('capacity_hosts', 10000, None, 100.0),
    ('capacity_instance', 1000, 10000, 1000.0),
    ('capacity_instance', 10000, None, 100.0),
]

OWNER = {'X-User-Id': 'bench-user-0', 'X-Project-Id': 'bench-project-0',
         'X-Roles': 'member'}
ADMIN = {'X-User-Id': 'bench-admin', 'X-Project-Id': 'bench-admin-project',
         'X-Roles': 'admin'}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def api_date(value):
    return value.strftime('%Y-%m-%d %H:%M')


def load():
    return os.getloadavg()[0]


def log(msg):
    sys.stderr.write('[%s] %s\n' % (time.strftime('%H:%M:%S'), msg))
    sys.stderr.flush()


# -- database -----------------------------------------------------------------

class BenchDatabase:

    def __init__(self, backend):
        self.backend = backend
        self.name = 'promise_bench_%s' % uuid.uuid4().hex[:10]
        self.url = ff.BACKENDS[backend]['url'] % self.name

    def _server(self):
        return sa.create_engine(ff.BACKENDS[self.backend]['server_url'],
                                isolation_level='AUTOCOMMIT',
                                poolclass=sa.pool.NullPool)

    def create(self):
        server = self._server()
        with server.connect() as conn:
            extra = ' CHARACTER SET utf8mb4' if self.backend == 'mysql' else ''
            conn.execute(sa.text('CREATE DATABASE %s%s' % (self.name, extra)))
        server.dispose()

    def drop(self):
        server = self._server()
        try:
            with server.connect() as conn:
                force = ' WITH (FORCE)' if self.backend == 'postgresql' else ''
                conn.execute(sa.text('DROP DATABASE IF EXISTS %s%s'
                                     % (self.name, force)))
        finally:
            server.dispose()


def is_instance_host(host):
    """One host in INSTANCE_HOST_EVERY gives instance slots; the others
    carry whole-host leases."""
    return host % INSTANCE_HOST_EVERY == 1


def _stagger(host, span, granularity):
    """Minutes by which a host's leases are offset, in whole
    ``granularity`` minutes."""
    return (host * 97) % span // granularity * granularity


def seed(url, hosts, leases, now, rng, granularity=60):
    """Insert ``hosts`` hosts and ``leases`` leases in bulk.

    One host in INSTANCE_HOST_EVERY is an instance host: its leases hold
    SEED_SLOTS slots of SEED_SHAPE (one virtual:instance reservation with
    one slot allocation), LEASE_DAYS * 2 long, so that two overlap at any
    moment. The other hosts carry physical:host leases (one reservation,
    one host allocation) back to back, LEASES_PER_HOST_SPAN days apart.
    Both kinds are staggered per host: about a third are over, one is
    running, the rest are to come. Starts and ends fall on whole
    ``granularity`` minutes (default: hours): the number of moments at
    which capacity changes, and so the size of a capacity timeline,
    depends on it. Every lease has its three events;
    statuses and event statuses agree with the dates, so the managers'
    event loop finds nothing due.
    """
    from promise.db import models
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    t0 = time.monotonic()
    instance_hosts = [h for h in range(1, hosts + 1) if is_instance_host(h)]
    whole_hosts = [h for h in range(1, hosts + 1)
                   if not is_instance_host(h)]
    # Leases split in proportion to the hosts: the same density on both.
    n_instance = leases * len(instance_hosts) // hosts
    per_host = max(1, -(-leases // hosts))
    # Whole minutes, as the API takes them.
    minute = now.replace(second=0, microsecond=0)
    first = minute - datetime.timedelta(days=per_host * LEASES_PER_HOST_SPAN
                                        // 3)
    first_instance = minute - datetime.timedelta(days=per_host // 3)
    created0 = now - datetime.timedelta(seconds=leases + 60)
    with engine.begin() as conn:
        host_rows, caps = [], []
        for h in range(1, hosts + 1):
            host_rows.append({
                'id': h, 'hypervisor_hostname': 'bench-compute-%05d' % h,
                'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000,
                'service_name': 'bench-compute-%05d' % h,
                'provider_uuid': str(uuid.UUID(int=h)),
                'vcpus': 32, 'cpu_info': '{"arch": "x86_64"}',
                'memory_mb': 131072 if h % 4 else 262144, 'local_gb': 900,
                'availability_zone': 'nova', 'reservable': True,
                'generation': 0, 'created_at': created0, 'updated_at': None,
                # As Placement would give it: (total - reserved) * ratio.
                'capacity_vcpus': 128, 'capacity_memory_mb': 258048,
                'capacity_disk_gb': 880, 'used_vcpus': 0,
                'used_memory_mb': 0, 'used_disk_gb': 0,
                'capacity_updated_at': created0})
            caps.append({'host_id': h, 'name': 'gpu',
                         'value': 'true' if h % 10 == 0 else 'false'})
            caps.append({'host_id': h, 'name': 'rack',
                         'value': 'r%02d' % (h % 40)})
        _insert(conn, models.Host.__table__, host_rows)
        _insert(conn, models.HostCapability.__table__, caps)
        _insert(conn, models.ResourceProperty.__table__, [
            {'resource_type': 'physical:host', 'name': n, 'private': False}
            for n in ('gpu', 'rack')])
        buf = collections.defaultdict(list)
        for i in range(leases):
            instance = i < n_instance
            if instance:
                pool, j = instance_hosts, i
            else:
                pool, j = whole_hosts, i - n_instance
            host = pool[j % len(pool)]
            k = j // len(pool)
            start = (first + datetime.timedelta(
                days=k * LEASES_PER_HOST_SPAN,
                minutes=_stagger(host, LEASES_PER_HOST_SPAN * 1440,
                                 granularity)))
            days = LEASE_DAYS * (2 if instance else 1)
            if instance:
                # Two overlapping slot leases at any moment.
                start = (first_instance + datetime.timedelta(
                    days=k, minutes=_stagger(host, 1440, granularity)))
            end = start + datetime.timedelta(days=days)
            if end <= now:
                status, res_status, s_ev, e_ev = ('TERMINATED', 'deleted',
                                                  'DONE', 'DONE')
            elif start <= now:
                status, res_status, s_ev, e_ev = ('ACTIVE', 'active',
                                                  'DONE', 'UNDONE')
            else:
                status, res_status, s_ev, e_ev = ('PENDING', 'pending',
                                                  'UNDONE', 'UNDONE')
            lease_id, res_id = str(uuid.uuid4()), str(uuid.uuid4())
            project = i % PROJECTS
            created = created0 + datetime.timedelta(seconds=i)
            buf['leases'].append({
                'id': lease_id, 'name': 'bench-lease-%06d' % i,
                'user_id': 'bench-user-%d' % project,
                'project_id': 'bench-project-%d' % project,
                'trust_id': None, 'status': status, 'status_reason': None,
                'degraded': False, 'start_date': start, 'end_date': end,
                'created_at': created, 'updated_at': None})
            buf['reservations'].append({
                'id': res_id, 'lease_id': lease_id,
                'resource_id': res_id if instance else str(1000000 + i),
                'resource_type': ('virtual:instance' if instance
                                  else 'physical:host'),
                'status': res_status,
                'missing_resources': False, 'resources_changed': False,
                'created_at': created, 'updated_at': None})
            if instance:
                buf['instance_reservations'].append(dict(
                    SEED_SHAPE, reservation_id=res_id, amount=SEED_SLOTS,
                    affinity=None, resource_properties='',
                    flavor_id=res_id, aggregate_id=1000000 + i))
                buf['instance_allocations'].append(dict(
                    SEED_SHAPE, reservation_id=res_id, host_id=host,
                    slots=SEED_SLOTS, start_date=start, end_date=end))
            else:
                buf['host_reservations'].append({
                    'reservation_id': res_id, 'count_min': 1,
                    'count_max': 1, 'hypervisor_properties': '',
                    'resource_properties': '', 'before_end': '',
                    'aggregate_id': 1000000 + i})
                buf['host_allocations'].append({
                    'reservation_id': res_id, 'host_id': host,
                    'start_date': start, 'end_date': end})
            before = end - datetime.timedelta(minutes=60)
            for ev_type, when, ev_status in (
                    ('start_lease', start, s_ev),
                    ('before_end_lease', before,
                     'DONE' if before <= now and s_ev == 'DONE'
                     else 'UNDONE'),
                    ('end_lease', end, e_ev)):
                buf['events'].append({
                    'id': str(uuid.uuid4()), 'lease_id': lease_id,
                    'event_type': ev_type, 'time': when, 'status': ev_status,
                    'claimed_by': None, 'claimed_until': None,
                    'message': None, 'created_at': created,
                    'updated_at': None})
            if len(buf['leases']) >= CHUNK:
                _flush(conn, models, buf)
        _flush(conn, models, buf)
    if engine.dialect.name == 'postgresql':
        with engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as conn:
            conn.execute(sa.text('ANALYZE'))
    else:
        with engine.connect() as conn:
            for table in SEEDED_TABLES:
                conn.execute(sa.text('ANALYZE TABLE %s' % table)).fetchall()
    engine.dispose()
    return time.monotonic() - t0


def _insert(conn, table, rows):
    for i in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[i:i + CHUNK])


def _flush(conn, models, buf):
    tables = models.Base.metadata.tables
    for name in SEEDED_TABLES[2:]:
        if buf[name]:
            _insert(conn, tables[name], buf[name])
            buf[name] = []


# -- processes ----------------------------------------------------------------

class Deployment:

    def __init__(self, url, directory, managers=2, debug=False):
        self.directory = directory
        self.config = ff.ConfigFile(url, directory, **{
            'DEFAULT.debug': 'true' if debug else 'false',
            'manager.event_interval': '10',
            'api.rpc_timeout': '30',
            'api.max_limit': '1000',
            'manager.plugins': 'physical:host,virtual:instance',
            # No Nova or Placement here: the periodic passes that ask them
            # would only log failures (and the capacity pass would
            # overwrite the seeded capacity of every host).
            'manager.health_interval': '0',
            'manager.usage_interval': '0',
            'manager.capacity_interval': '0'})
        self.config.setUp()
        self.url = 'http://127.0.0.1:%d' % self.config.port
        self.n_managers = managers
        self.services = []

    def db_manage(self):
        rc, out = ff.run_command([ff.bin_path('promise-db-manage'),
                                  '--config-file', self.config.path,
                                  'upgrade', 'head'])
        if rc:
            raise RuntimeError('promise-db-manage failed:\n%s' % out)

    def start(self):
        self.api = self._service('promise-api', 'promise-api')
        self.managers = [self._service('promise-manager',
                                       'promise-manager-%d' % i)
                         for i in range(1, self.n_managers + 1)]

        def healthy():
            self.api.check_running()
            try:
                return requests.get(self.url + '/healthcheck',
                                    timeout=2).status_code == 200
            except requests.RequestException:
                return False
        ff.wait_for(healthy, 90, 0.2, 'promise-api')

        def consumers():
            for m in self.managers:
                m.check_running()
            return ff.consumer_count(self.config.topic) == self.n_managers
        ff.wait_for(consumers, 90, 0.2, 'promise-managers')

    def _service(self, name, tag):
        service = ff.Service(name, self.config.path, self.directory, tag=tag)
        service.start()
        self.services.append(service)
        return service

    def stop(self):
        for service in self.services:
            try:
                service.stop()
            except Exception as exc:  # noqa: BLE001
                log('stopping %s: %s' % (service.tag, exc))
        topic = self.config.topic
        notif = self.config.notification_topic
        ff.delete_queues(topic, notif + '.info', notif + '.error',
                         notif + '.warn')


# -- measurements -------------------------------------------------------------

def summary(samples):
    if not samples:
        return {'n': 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return {'n': len(ordered), 'p50': statistics.median(ordered) * 1000,
            'p95': p95 * 1000, 'max': ordered[-1] * 1000}


def lease_body(rng, name, resource_properties=''):
    start = utcnow() + datetime.timedelta(
        days=rng.uniform(*BENCH_WINDOW_DAYS))
    end = start + datetime.timedelta(hours=rng.choice((4, 12, 24)))
    return {'name': name, 'start_date': api_date(start),
            'end_date': api_date(end),
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1, 'hypervisor_properties': '',
                              'resource_properties': resource_properties}],
            'events': []}


def instance_body(rng, name):
    body = lease_body(rng, name)
    body['reservations'] = [dict(BENCH_SHAPE,
                                 resource_type='virtual:instance',
                                 amount=BENCH_AMOUNT, affinity=None,
                                 resource_properties='')]
    return body


# GET /v1/capacity over the default 30 days from now.
CAPACITY_QUERIES = (
    ('capacity_hosts', 'resource_type=physical:host'),
    ('capacity_instance', 'resource_type=virtual:instance&' + '&'.join(
        '%s=%d' % kv for kv in sorted(BENCH_SHAPE.items()))),
)


def timed(session, method, url, expect, **kwargs):
    t0 = time.perf_counter()
    resp = session.request(method, url, timeout=60, **kwargs)
    elapsed = time.perf_counter() - t0
    if resp.status_code != expect:
        raise RuntimeError('%s %s: %s %s' % (method, url, resp.status_code,
                                             resp.text[:500]))
    return elapsed, resp


def measure_api(dep, rng, n_create, n_read, n_hosts, n_409=3):
    out = {}
    s = requests.Session()
    s.headers.update(OWNER)
    url = dep.url + '/v1/leases'
    # Warm up: first requests pay for imports, connections, plugin loading.
    created = []
    for i in range(5):
        _, resp = timed(s, 'POST', url, 201,
                        json=lease_body(rng, 'bench-warm-%d' % i))
        created.append(resp.json()['lease']['id'])
    samples = []
    for i in range(n_create):
        elapsed, resp = timed(s, 'POST', url, 201,
                              json=lease_body(rng, 'bench-new-%d' % i))
        samples.append(elapsed)
        created.append(resp.json()['lease']['id'])
    out['create'] = summary(samples)
    gpu = json.dumps(['==', '$gpu', 'true'])
    samples = []
    for i in range(max(5, n_create // 3)):
        elapsed, _ = timed(s, 'POST', url, 201,
                           json=lease_body(rng, 'bench-gpu-%d' % i, gpu))
        samples.append(elapsed)
    out['create_filtered'] = summary(samples)
    # Instance slots: the decision needs no Nova (the flavor and the
    # aggregate are made after the answer, in the background, and fail
    # here without Nova, which the answer does not wait for).
    samples = []
    for i in range(max(5, n_create // 2)):
        elapsed, _ = timed(s, 'POST', url, 201,
                           json=instance_body(rng, 'bench-inst-%d' % i))
        samples.append(elapsed)
    out['create_instance'] = summary(samples)
    # A lease that cannot fit: 409 with the offer (max_reservable and
    # alternative windows, searched inside the same RPC call). Timed
    # whatever the answer: at scale the search outlives the RPC timeout
    # and the answer is 503.
    samples, codes = [], collections.Counter()
    for i in range(n_409):
        body = lease_body(rng, 'bench-409-%d' % i)
        body['reservations'][0].update(min=n_hosts + 1, max=n_hosts + 1)
        t0 = time.perf_counter()
        resp = s.post(url, json=body, timeout=120)
        samples.append(time.perf_counter() - t0)
        codes[resp.status_code] += 1
    out['create_409'] = summary(samples)
    out['create_409']['status'] = dict(codes)

    admin = requests.Session()
    admin.headers.update(ADMIN)
    for name, sess in (('list_admin', admin), ('list_project', s)):
        timed(sess, 'GET', url + '?limit=100', 200)
        samples = []
        for _ in range(n_read):
            elapsed, resp = timed(sess, 'GET', url + '?limit=100', 200)
            samples.append(elapsed)
        out[name] = summary(samples)
        out[name]['page'] = len(resp.json()['leases'])
    # The last page of a project: a marker deep in the list.
    engine = sa.create_engine(dep.config.db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.text(
            "SELECT id FROM leases WHERE project_id = 'bench-project-0'"))]
    engine.dispose()
    samples = []
    for _ in range(n_read):
        elapsed, _ = timed(s, 'GET', url + '/' + rng.choice(ids), 200)
        samples.append(elapsed)
    out['show'] = summary(samples)
    for name, query in CAPACITY_QUERIES:
        capacity_url = dep.url + '/v1/capacity?' + query
        timed(s, 'GET', capacity_url, 200)
        samples = []
        for _ in range(max(5, n_read // 5)):
            elapsed, resp = timed(s, 'GET', capacity_url, 200)
            samples.append(elapsed)
        out[name] = summary(samples)
        out[name]['steps'] = len(resp.json()['capacity']['timeline'])
        out[name]['bytes'] = len(resp.content)
    return out


def measure_engine(conf_path, rng, n):
    """The allocation decisions and the capacity timelines alone, in this
    process, each in a transaction that is rolled back."""
    from promise.common import config
    from promise.db import api as db
    from promise.engine import capacity
    from promise.engine import hosts as engine
    from promise.engine import slots
    config.parse_args(['bench', '--config-file', conf_path],
                      configure_logging=False)
    db.reset()
    shape = slots.Shape(**BENCH_SHAPE)

    class Rollback(Exception):
        pass

    def lease_window():
        start = utcnow() + datetime.timedelta(
            days=rng.uniform(*BENCH_WINDOW_DAYS))
        return start, start + datetime.timedelta(hours=12)

    def capacity_window():
        start = utcnow().replace(second=0, microsecond=0)
        return start, start + datetime.timedelta(days=CAPACITY_DAYS)

    gpu = ['==', '$gpu', 'true']
    cases = (
        ('engine', lease_window,
         lambda s, a, b: engine.choose(s, a, b, 1, 1)),
        ('engine_filtered', lease_window,
         lambda s, a, b: engine.choose(s, a, b, 1, 1, resource_query=gpu)),
        ('engine_instance', lease_window,
         lambda s, a, b: slots.choose(s, a, b, BENCH_AMOUNT, shape)),
        ('engine_capacity_hosts', capacity_window,
         lambda s, a, b: capacity.host_timeline(s, a, b)),
        ('engine_capacity_instance', capacity_window,
         lambda s, a, b: capacity.instance_timeline(s, a, b, shape=shape)),
    )
    out = {}
    for name, window, decide in cases:
        samples = []
        # A timeline costs more than a decision; fewer runs do.
        runs = max(5, n // 5) if 'capacity' in name else n
        for i in range(runs + 3):
            start, end = window()
            t0 = time.perf_counter()
            try:
                with db.writer() as session:
                    decide(session, start, end)
                    elapsed = time.perf_counter() - t0
                    raise Rollback()
            except Rollback:
                pass
            if i >= 3:
                samples.append(elapsed)
        out[name] = summary(samples)
    db.reset()
    return out


def measure_sustained(dep, seconds, clients, seed_value):
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    ok, errors, samples = [0], collections.Counter(), []

    def worker(n):
        rng = random.Random(seed_value * 1000 + n)
        s = requests.Session()
        s.headers.update(OWNER)
        i = 0
        while time.monotonic() < stop:
            i += 1
            t0 = time.perf_counter()
            try:
                resp = s.post(dep.url + '/v1/leases', timeout=60,
                              json=lease_body(rng, 'bench-s-%d-%d' % (n, i)))
                code = resp.status_code
            except requests.RequestException as exc:
                code = type(exc).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                if code == 201:
                    ok[0] += 1
                    samples.append(elapsed)
                else:
                    errors[code] += 1
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    result = summary(samples)
    result.update({'per_s': ok[0] / wall, 'ok': ok[0],
                   'errors': dict(errors), 'clients': clients,
                   'managers': dep.n_managers})
    return {'sustained': result}


# -- profiling ----------------------------------------------------------------

def profile_creates(dep, rng, n, directory):
    """py-spy on the api and one manager while ``n`` creates run."""
    pyspy = shutil.which('py-spy') or os.path.join(ff.BIN_DIR, 'py-spy')
    if not os.path.exists(pyspy):
        log('py-spy not found; no profile')
        return {}
    procs, files = [], {}
    # Only one manager, so that it sees every request.
    for m in dep.managers[1:]:
        m.stop()
    ff.wait_for(lambda: ff.consumer_count(dep.config.topic) == 1, 60, 0.2,
                'one manager')
    for svc in (dep.api, dep.managers[0]):
        path = os.path.join(directory, '%s.collapsed' % svc.tag)
        files[svc.tag] = path
        procs.append(subprocess.Popen(
            [pyspy, 'record', '-p', str(svc.process.pid), '-f', 'raw',
             '-o', path, '-r', '200', '--nonblocking'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(2)
    s = requests.Session()
    s.headers.update(OWNER)
    t0 = time.monotonic()
    for i in range(n):
        timed(s, 'POST', dep.url + '/v1/leases', 201,
              json=lease_body(rng, 'bench-prof-%d' % i))
    wall = time.monotonic() - t0
    for p in procs:
        p.send_signal(2)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
    return {tag: top_frames(path, wall) for tag, path in files.items()}


WAIT_LEAVES = ('recv_into', 'recv (', 'read (', 'readinto', 'select (',
               'poll (', 'wait (', 'sleep', 'acquire', '_wait_for_tstate',
               'accept (', 'epoll', 'blocking_read', 'drain_events',
               '_read (amqp', 'read_frame')


def top_frames(path, wall, count=12):
    """From py-spy's collapsed stacks: where the process works, not where
    it waits. ``self``: leaf functions; ``promise``: inclusive share of
    Promise's own functions; both over the busy (non-waiting) samples."""
    leaf, inclusive, total = collections.Counter(), collections.Counter(), 0
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return {}
    for line in lines:
        stack, _, n = line.rpartition(' ')
        if not n.isdigit():
            continue
        frames = stack.split(';')
        if any(k in frames[-1] for k in WAIT_LEAVES):
            continue
        n = int(n)
        total += n
        leaf[frames[-1]] += n
        for f in set(frames):
            if 'promise/' in f and 'tests/' not in f:
                inclusive[f] += n
    if not total:
        return {}
    return {'busy_samples': total,
            'self': [{'frame': f, 'share': n / total}
                     for f, n in leaf.most_common(count)],
            'promise': [{'frame': f, 'share': n / total}
                        for f, n in inclusive.most_common(count)]}


# -- report -------------------------------------------------------------------

def key(db, hosts, leases):
    return '%s:%d:%d' % (db, hosts, leases)


def fmt(v):
    if v is None:
        return '-'
    if isinstance(v, float):
        return '%.1f' % v if v < 100 else '%.0f' % v
    return str(v)


def target_for(metric, hosts, leases):
    for name, h, l, limit in TARGETS:
        if (name == metric and h in (None, hosts) and
                l in (None, leases)):
            return limit
    return None


def report(db, runs, stored):
    """Markdown table: one column per size, ratios against the baseline."""
    lines = []
    header = ['metric']
    for r in runs:
        header.append('H=%d L=%d' % (r['hosts'], r['leases']))
    if len(runs) > 1:
        header.append('ratio last/first')
    stored_runs = [stored.get(key(db, r['hosts'], r['leases'])) for r in runs]
    if any(stored_runs):
        header.append('ratio vs baseline.json')
    header.append('target (p50)')
    lines.append('| ' + ' | '.join(header) + ' |')
    lines.append('|' + '---|' * len(header))
    metrics = ['create', 'create_filtered', 'create_409',
               'create_instance', 'list_admin', 'list_project', 'show',
               'capacity_hosts', 'capacity_instance', 'engine',
               'engine_filtered', 'engine_instance',
               'engine_capacity_hosts', 'engine_capacity_instance',
               'sustained']
    for metric in metrics:
        for stat in ('p50', 'p95', 'max'):
            if metric == 'sustained' and stat == 'max':
                stat = 'per_s'
            row = ['%s %s%s' % (metric, stat, '' if stat == 'per_s'
                                else ' ms')]
            values = [r['metrics'].get(metric, {}).get(stat) for r in runs]
            if not any(v is not None for v in values):
                continue  # a phase that did not run
            row.extend(fmt(v) for v in values)
            if len(runs) > 1:
                a, b = values[0], values[-1]
                row.append('%.2fx' % (b / a) if a and b else '-')
            if any(stored_runs):
                last, ref = values[-1], stored_runs[-1]
                refv = (ref['metrics'].get(metric, {}).get(stat)
                        if ref else None)
                row.append('%.2fx' % (last / refv) if last and refv else '-')
            tgt = []
            if stat == 'p50':
                for r, v in zip(runs, values):
                    limit = target_for(metric, r['hosts'], r['leases'])
                    if limit is not None and v is not None:
                        tgt.append('%s at H=%d L=%d: ≤%g' % (
                            'OK' if v <= limit else 'MISS', r['hosts'],
                            r['leases'], limit))
            row.append(', '.join(tgt) or '')
            lines.append('| ' + ' | '.join(row) + ' |')
    lines.append('')
    for r in runs:
        c409 = r['metrics'].get('create_409', {}).get('status')
        if c409 and {int(k) for k in c409} != {409}:
            lines.append('- H=%d L=%d: create_409 answers %s (503 = the '
                         'offer search outlived [api] rpc_timeout)'
                         % (r['hosts'], r['leases'], c409))
        for name, _ in CAPACITY_QUERIES:
            cap = r['metrics'].get(name)
            if cap:
                lines.append('- H=%d L=%d: %s answers %d steps, %d bytes'
                             % (r['hosts'], r['leases'], name,
                                cap['steps'], cap['bytes']))
        sus = r['metrics'].get('sustained')
        lines.append(
            '- H=%d L=%d: seed %.1fs (leases on whole %d minutes)%s; load '
            'before/after %.2f/%.2f' % (
                r['hosts'], r['leases'], r['seed_s'],
                r.get('granularity', 1),
                ', %d creates in sustained phase (%d clients, %d managers), '
                'errors %s' % (sus['ok'], sus['clients'], sus['managers'],
                               sus['errors'] or '{}') if sus else '',
                r['load_before'], r['load_after']))
    return '\n'.join(lines)


def wait_quiet(limit, max_wait):
    deadline = time.monotonic() + max_wait
    while load() >= limit and time.monotonic() < deadline:
        log('load %.2f >= %.2f; waiting' % (load(), limit))
        time.sleep(15)


def run_size(args, hosts, leases, n_create, n_read, n_engine, seconds):
    rng = random.Random(args.seed + hosts * 7 + leases)
    if args.wait_quiet:
        wait_quiet(args.wait_quiet, args.wait_max)
    database = BenchDatabase(args.db)
    directory = tempfile.mkdtemp(prefix='promise-bench-')
    result = {'db': args.db, 'hosts': hosts, 'leases': leases,
              'load_before': load(), 'metrics': {}}
    log('H=%d L=%d: database %s (load %.2f)'
        % (hosts, leases, database.name, load()))
    database.create()
    dep = None
    try:
        dep = Deployment(database.url, directory, debug=args.debug)
        dep.db_manage()
        result['seed_s'] = seed(database.url, hosts, leases, utcnow(), rng,
                                granularity=args.granularity)
        result['granularity'] = args.granularity
        log('seeded in %.1fs; starting processes' % result['seed_s'])
        dep.start()
        if 'api' in args.phases:
            log('measuring API')
            result['metrics'].update(
                measure_api(dep, rng, n_create, n_read, hosts,
                            n_409=1 if args.quick else 3))
        if 'engine' in args.phases:
            log('measuring engine')
            result['metrics'].update(measure_engine(dep.config.path, rng,
                                                    n_engine))
        if 'sustained' in args.phases:
            log('measuring sustained creates for %ss' % seconds)
            result['metrics'].update(measure_sustained(
                dep, seconds, args.clients, args.seed))
        if args.profile and not getattr(args, 'profiled', False):
            # The smallest size only: the profile's shares barely move
            # with size and it costs minutes at large ones.
            args.profiled = True
            log('profiling %d creates' % args.profile)
            result['profile'] = profile_creates(dep, rng, args.profile,
                                                directory)
    except Exception:
        if dep is not None:
            for svc in dep.services:
                log('---- %s ----\n%s'
                    % (svc.tag, ff.tail(svc.log_path, 4000)))
        raise
    finally:
        if dep is not None:
            dep.stop()
        database.drop()
        if not args.keep_logs:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            log('logs kept in %s' % directory)
    result['load_after'] = load()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--db', choices=('mysql', 'postgresql'),
                        default='mysql')
    parser.add_argument('--hosts', type=int, default=1000)
    parser.add_argument('--leases', type=int, default=10000)
    parser.add_argument('--sizes', help='H:L[,H:L...]; overrides --hosts '
                                        'and --leases')
    parser.add_argument('--quick', action='store_true',
                        help='small sizes and few requests (< 2 minutes)')
    parser.add_argument('--creates', type=int, default=100)
    parser.add_argument('--reads', type=int, default=100)
    parser.add_argument('--engine-runs', type=int, default=100)
    parser.add_argument('--seconds', type=int, default=30,
                        help='length of the sustained-creates phase')
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--profile', type=int, default=0, metavar='N',
                        help='py-spy the api and a manager over N creates')
    parser.add_argument('--save-baseline', action='store_true',
                        help='store this run in bench/baseline.json')
    parser.add_argument('--json', help='write the raw results here')
    parser.add_argument('--debug', action='store_true',
                        help='debug logging in the services')
    parser.add_argument('--keep-logs', action='store_true')
    parser.add_argument('--wait-quiet', type=float, default=0, metavar='LOAD',
                        help='before each size, wait (at most --wait-max '
                             'seconds) for the 1-minute load to drop below '
                             'LOAD')
    parser.add_argument('--wait-max', type=int, default=600)
    parser.add_argument('--granularity', type=int, default=60,
                        metavar='MINUTES',
                        help='seeded leases start and end on whole '
                             'MINUTES (default 60; 1 gives the most '
                             'capacity steps)')
    parser.add_argument('--phases', default='api,engine,sustained',
                        help='comma-separated subset of api, engine, '
                             'sustained (default: all)')
    args = parser.parse_args(argv)
    args.phases = set(args.phases.split(','))
    unknown = args.phases - {'api', 'engine', 'sustained'}
    if unknown:
        parser.error('unknown phase(s): %s' % ', '.join(sorted(unknown)))
    # SIGTERM (timeout, kill) unwinds like Ctrl-C: the processes, the
    # database and the queues are still removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))

    if args.sizes:
        sizes = [tuple(int(x) for x in s.split(':'))
                 for s in args.sizes.split(',')]
    elif args.quick:
        sizes = [(100, 1000), (300, 3000)]
    else:
        sizes = [(args.hosts, args.leases)]
    sizes.sort()
    if args.quick:
        n_create, n_read, n_engine, seconds = 20, 20, 30, 6
    else:
        n_create, n_read, n_engine, seconds = (args.creates, args.reads,
                                               args.engine_runs, args.seconds)
    stored = {}
    if os.path.exists(BASELINE):
        with open(BASELINE) as f:
            stored = json.load(f)
    t0 = time.monotonic()
    runs = []
    for h, l in sizes:
        runs.append(run_size(args, h, l, n_create, n_read, n_engine,
                             seconds))
        # Each size's numbers as soon as they exist.
        sys.stderr.write('\n%s\n\n' % report(args.db, runs[-1:], stored))
        if args.json:
            with open(args.json, 'w') as f:
                json.dump(runs, f, indent=1)
    print()
    print('Promise bench: %s, %s, %d cores, Python %s, %s%s' % (
        args.db, time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
        os.cpu_count(), platform.python_version(),
        'quick' if args.quick else 'full', ', %.0fs' % (
            time.monotonic() - t0)))
    print()
    print(report(args.db, runs, stored))
    for r in runs:
        for tag, prof in (r.get('profile') or {}).items():
            if not prof:
                continue
            for kind in ('promise', 'self'):
                print('\nprofile %s (H=%d L=%d), %s, share of %d busy '
                      'samples:' % (tag, r['hosts'], r['leases'], kind,
                                    prof['busy_samples']))
                for f in prof[kind]:
                    print('  %5.1f%%  %s' % (f['share'] * 100, f['frame']))
    if args.save_baseline:
        for r in runs:
            stored[key(args.db, r['hosts'], r['leases'])] = {
                k: v for k, v in r.items() if k != 'profile'}
        with open(BASELINE, 'w') as f:
            json.dump(stored, f, indent=1, sort_keys=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(runs, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
