"""Base classes of the functional tier.

Each test class gets its own deployment (fresh database on the real MariaDB
or PostgreSQL, promise-api and two promise-managers as real processes on
the real RabbitMQ), set up once for the class and torn down after it.  A
failing test carries the part of the service logs written while it ran.
"""

import datetime
import os
import threading
import uuid

import fixtures
import requests
import sqlalchemy as sa
import testtools
from testtools import content

from promise.tests.functional import fixtures as func_fixtures

OWNER = {'user': 'user-a-' + uuid.uuid4().hex[:6],
         'project': 'project-a-' + uuid.uuid4().hex[:6]}
OTHER = {'user': 'user-b-' + uuid.uuid4().hex[:6],
         'project': 'project-b-' + uuid.uuid4().hex[:6]}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def api_date(value):
    return value.strftime('%Y-%m-%d %H:%M')


def parse_out_date(value):
    return datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%S.%f')


def _unwrap(exc):
    """fixtures wraps setup failures; surface the original error."""
    if isinstance(exc, fixtures.MultipleExceptions) and exc.args:
        first = exc.args[0]
        if isinstance(first, tuple) and len(first) == 3 and first[1]:
            return first[1]
    return exc


class FunctionalTestCase(testtools.TestCase):
    """A test class with its own running Promise deployment."""

    BACKEND = None
    # Keyword arguments for fixtures.Deployment (e.g. rpc_timeout=3).
    DEPLOYMENT = {}
    # Classes that only need a database set this to False.
    START_SERVICES = True
    TIMEOUT = 600

    deployment = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.START_SERVICES:
            fixture = func_fixtures.Deployment(cls.BACKEND, **cls.DEPLOYMENT)
        else:
            fixture = func_fixtures.Database(cls.BACKEND)
        try:
            fixture.setUp()
        except Exception as exc:
            # fixtures cleaned up already; keep the message readable.
            raise _unwrap(exc)
        cls.deployment = fixture

    @classmethod
    def tearDownClass(cls):
        if cls.deployment is not None:
            cls.deployment.cleanUp()
            cls.deployment = None
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.Timeout(self.TIMEOUT, gentle=True))
        if self.START_SERVICES:
            self._log_offsets = {}
            for path in self.deployment.log_paths():
                try:
                    self._log_offsets[path] = os.path.getsize(path)
                except OSError:
                    self._log_offsets[path] = 0
            self.addOnException(self._attach_logs)

    def _attach_logs(self, exc_info):
        for path in sorted(set(self.deployment.log_paths())):
            start = self._log_offsets.get(path, 0)
            try:
                with open(path, 'rb') as f:
                    f.seek(start)
                    text = f.read().decode('utf-8', 'replace')
            except OSError as e:
                text = '<%s>' % e
            if len(text) > 200000:
                text = '...\n' + text[-200000:]
            self.addDetail('log:' + os.path.basename(path),
                           content.text_content(text))

    # -- HTTP -------------------------------------------------------------

    @property
    def url(self):
        return self.deployment.url

    def request(self, method, path, who=None, roles='member', json=None,
                data=None, headers=None, timeout=60, base_url=None):
        """A request to promise-api as `who` (OWNER by default); to
        ``base_url`` where a deployment has more than one."""
        who = who or OWNER
        hdrs = {'X-User-Id': who['user'], 'X-Project-Id': who['project'],
                'X-Roles': roles, 'Accept': 'application/json'}
        if data is not None:
            hdrs['Content-Type'] = 'application/json'
        hdrs.update(headers or {})
        return requests.request(method, (base_url or self.url) + path,
                                json=json,
                                data=data, headers=hdrs, timeout=timeout)

    def create_lease(self, name=None, start='now', end=None, who=None,
                     **extra):
        if end is None:
            end = api_date(utcnow() + datetime.timedelta(days=1))
        body = {'name': name or 'lease-' + uuid.uuid4().hex[:8],
                'start_date': start, 'end_date': end,
                'reservations': [], 'events': []}
        body.update(extra)
        resp = self.request('POST', '/v1/leases', who=who, json=body)
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()['lease']

    def get_lease(self, lease_id, who=None, roles='member'):
        resp = self.request('GET', '/v1/leases/%s' % lease_id, who=who,
                            roles=roles)
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['lease']

    def list_leases(self, who=None, roles='member'):
        resp = self.request('GET', '/v1/leases', who=who, roles=roles)
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['leases']

    def insert_hosts(self, ids, prefix='compute'):
        """Reservable hosts ``<prefix><id>`` of 8 vCPU / 8 GB / 100 GB,
        written straight into the database (registering needs Nova)."""
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO hosts (id, hypervisor_hostname, service_name, "
                "vcpus, memory_mb, local_gb, reservable, generation, "
                "created_at) VALUES (:id, :name, :name, 8, 8192, 100, :t, 0, "
                ":now)"),
                [{'id': i, 'name': '%s%d' % (prefix, i), 't': True,
                  'now': utcnow()} for i in ids])

    def insert_host_with_property(self, host_id, name, prop, zone=None):
        """A compute host with capacity and one public capability ``prop``
        (= 'true'), written straight into the database: registering needs
        Nova, which this tier has not."""
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO hosts (id, hypervisor_hostname, hypervisor_type,"
                " hypervisor_version, service_name, vcpus, cpu_info,"
                " memory_mb, local_gb, availability_zone, reservable,"
                " generation, capacity_vcpus, capacity_memory_mb,"
                " capacity_disk_gb, created_at) VALUES (:id, :name, 'QEMU',"
                " 1, :name, 8, NULL, 16384, 100, :zone, :true, 0, 8,"
                " 16384, 100, :now)"),
                {'id': host_id, 'name': name, 'zone': zone, 'true': True,
                 'now': utcnow()})
            conn.execute(sa.text(
                "INSERT INTO host_capabilities (host_id, name, value) "
                "VALUES (:id, :name, 'true')"), {'id': host_id, 'name': prop})
            conn.execute(sa.text(
                "INSERT INTO resource_properties (resource_type, name,"
                " private) VALUES ('physical:host', :name, :false)"),
                {'name': prop, 'false': False})

    def insert_floatingip(self, fip_id, network_id, address,
                          subnet_id='subnet-1'):
        """A reservable floating IP, written straight into the database:
        registering needs Neutron, which this tier has not."""
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO floatingips (id, floating_network_id, "
                "subnet_id, floating_ip_address, reservable, generation, "
                "created_at) VALUES (:id, :net, :subnet, :address, :t, 0, "
                ":now)"),
                {'id': fip_id, 'net': network_id, 'subnet': subnet_id,
                 'address': address, 't': True, 'now': utcnow()})

    def simultaneously(self, *calls):
        """Run the calls in threads released together; their results, in
        order (the way to make two requests race)."""
        results = [None] * len(calls)
        barrier = threading.Barrier(len(calls))

        def run(k):
            barrier.wait()
            results[k] = calls[k]()

        threads = [threading.Thread(target=run, args=(k,))
                   for k in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    def overlapping_host_allocations(self, conn):
        """Pairs of allocation ids that hold one host at the same time: a
        double booking; always [] when the engine is right."""
        return conn.execute(sa.text(
            'SELECT a.id, b.id FROM host_allocations a '
            'JOIN host_allocations b ON a.host_id = b.host_id '
            'AND a.id < b.id AND a.start_date < b.end_date '
            'AND b.start_date < a.end_date')).fetchall()

    def assertEveryManagerLogged(self, text):
        """Each manager of the deployment decided some of the work."""
        for manager in self.deployment.managers:
            with open(manager.log_path) as log:
                self.assertIn(text, log.read(), manager.tag)

    def assertBlazarError(self, resp, status, message=None):
        """A Blazar error body with the given status (and exact message)."""
        self.assertEqual(status, resp.status_code, resp.text)
        try:
            body = resp.json()
        except ValueError:
            self.fail('Not a JSON error body: %r' % resp.text)
        self.assertEqual({'error_code', 'error_message', 'error_name'},
                         set(body), body)
        self.assertEqual(status, body['error_code'], body)
        self.assertEqual(status, body['error_name'], body)
        self.assertIsInstance(body['error_message'], str)
        self.assertTrue(body['error_message'], body)
        if message is not None:
            self.assertEqual(message, body['error_message'])
        return body


class MySQLMixin:
    BACKEND = 'mysql'


class PostgreSQLMixin:
    BACKEND = 'postgresql'
