"""The benchmark's database: a fresh ``promise_bench_<random>`` database
per size, and the hosts and leases inserted into it in bulk (multi-row
INSERTs, not API calls) after ``promise-db-manage`` has migrated it."""

import collections
import datetime
import time
import uuid

import sqlalchemy as sa

from promise.tests.functional import fixtures as ff

PROJECTS = 100
LEASES_PER_HOST_SPAN = 3      # days between two leases of one host
LEASE_DAYS = 1                # length of a seeded lease
CHUNK = 5000
INSTANCE_HOST_EVERY = 5       # one host in 5 gives instance slots
# Each seeded instance lease: SEED_SLOTS slots of SEED_SHAPE on one host.
SEED_SHAPE = {'vcpus': 8, 'memory_mb': 16384, 'disk_gb': 80}
SEED_SLOTS = 4
SEEDED_TABLES = ('hosts', 'host_capabilities', 'leases', 'reservations',
                 'host_reservations', 'host_allocations',
                 'instance_reservations', 'instance_allocations', 'events')


class BenchDatabase:
    """A database of its own on the --db server, created and dropped."""

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


def seed(url, hosts, leases, now, granularity=60):
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


def project_lease_ids(url, project):
    """The ids of one seeded project's leases, read from the database."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.text(
            'SELECT id FROM leases WHERE project_id = :project'),
            {'project': project})]
    engine.dispose()
    return ids
