"""virtual:instance and flavor:instance reservations against a real Nova and
Placement (tools/minicloud with Promise).

Users boot ``--flavor <reservation id> [--hint group=<server group>]``;
Placement counts the slots (the flavor asks for one unit of the
reservation's custom resource class, whose inventory sits on child
providers of the reserved hosts while the lease is active) and
PromiseFilter keeps the flavor on the reservation's hosts.
"""

import concurrent.futures
import datetime
import os
import subprocess
import time
import uuid

from promise.tests.cloud import fixture

COMPUTE_21 = {'service_type': 'compute', 'interface': 'public'}
PLACEMENT = {'service_type': 'placement', 'interface': 'public'}
PLACEMENT_VERSION = {'OpenStack-API-Version': 'placement 1.26'}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def minute(value):
    return value.strftime('%Y-%m-%d %H:%M')


def resource_class(reservation_id):
    return 'CUSTOM_RESERVATION_%s' % reservation_id.upper().replace('-',
                                                                    '_')


class InstanceReservationBase(fixture.CloudTestCase):
    PROMISE = True

    def setUp(self):
        super().setUp()
        self.registered = self.ensure_hosts()

    # -- Promise -------------------------------------------------------------

    def ensure_hosts(self):
        """Every compute registered with Promise (the ones this test adds
        are removed afterwards); {hostname: host id}."""
        resp = self.promise('GET', '/os-hosts')
        self.assertEqual(200, resp.status_code, resp.text)
        hosts = {h['hypervisor_hostname']: h['id']
                 for h in resp.json()['hosts']}
        for i in range(1, self.cloud.computes + 1):
            name = 'compute%d' % i
            if name in hosts:
                continue
            resp = self.promise('POST', '/os-hosts', json={'name': name})
            if resp.status_code == 409:
                continue  # registered meanwhile by another test
            self.assertEqual(201, resp.status_code, resp.text)
            hosts[name] = resp.json()['host']['id']
            self.addCleanup(self.delete_until_gone,
                            '/os-hosts/%s' % hosts[name])
        return hosts

    def create_lease(self, reservation, start='now', minutes=60,
                     who='demo', expect=201):
        if start == 'now':
            end = utcnow() + datetime.timedelta(minutes=minutes)
        else:
            end = start + datetime.timedelta(minutes=minutes)
            start = minute(start)
        resp = self.promise('POST', '/leases', who=who, json={
            'name': 'instances-%s' % uuid.uuid4().hex[:8],
            'start_date': start, 'end_date': minute(end),
            'reservations': [reservation], 'events': []})
        if expect is not None:
            self.assertEqual(expect, resp.status_code, resp.text)
        if resp.status_code == 201:
            lease = resp.json()['lease']
            # Runs after the delete below (cleanups run last in, first out).
            self.addCleanup(self.forget_pending, lease)
            self.addCleanup(self.delete_until_gone,
                            '/leases/%s' % lease['id'], who=who)
            return lease
        return resp

    def forget_pending(self, lease):
        """Remove what a reservation's preparation made in Nova and
        Placement, for a lease deleted before it started: the lease
        manager does not yet call the plugin's discard() then (see the
        issue 5 report), and the shared cloud must not fill up."""
        admin = self.cloud.admin
        for res in lease['reservations']:
            rid = res['id']
            admin.compute.delete_flavor(rid, ignore_missing=True)
            agg = self.aggregate(rid)
            if agg is not None:
                for host in agg.hosts or []:
                    admin.compute.remove_host_from_aggregate(agg, host)
                admin.compute.delete_aggregate(agg, ignore_missing=True)
            for group in admin.compute.server_groups(all_projects=True):
                if group.name == 'reservation:%s' % rid:
                    admin.compute.delete_server_group(group,
                                                      ignore_missing=True)
            self.cloud.admin_session.delete(
                '/resource_classes/%s' % resource_class(rid),
                endpoint_filter=PLACEMENT, headers=PLACEMENT_VERSION,
                raise_exc=False)

    def wait_lease(self, lease_id, status, timeout=120, who='demo'):
        deadline = time.monotonic() + timeout
        while True:
            lease = self.promise('GET', '/leases/%s' % lease_id,
                                 who=who).json()['lease']
            if lease['status'] == status:
                return lease
            if lease['status'] == 'ERROR' or time.monotonic() > deadline:
                self.fail('lease %s is %s (%s), not %s' % (
                    lease_id, lease['status'], lease.get('status_reason'),
                    status))
            time.sleep(fixture.POLL)

    def end_lease(self, lease_id):
        resp = self.promise('PUT', '/leases/%s' % lease_id, who='demo',
                            json={'end_date': 'now'})
        self.assertEqual(200, resp.status_code, resp.text)
        return self.wait_lease(lease_id, 'TERMINATED', timeout=180)

    # -- Nova and Placement --------------------------------------------------

    def boot(self, flavor_id, hints=None, who='demo'):
        return self.boot_server('inst', flavor_id, hints, who)

    def placement(self, path):
        return self.cloud.admin_session.get(
            path, endpoint_filter=PLACEMENT, headers=PLACEMENT_VERSION,
            raise_exc=False)

    def nova(self, path):
        return self.cloud.admin_session.get(
            path, endpoint_filter=COMPUTE_21, raise_exc=False,
            headers={'X-OpenStack-Nova-API-Version': '2.1'})

    def aggregate(self, name):
        for agg in self.cloud.admin.compute.aggregates():
            if agg.name == name:
                return agg
        return None

    def reserved_providers(self, reservation_id):
        """{child provider name: inventory total} of the reservation."""
        rc = resource_class(reservation_id)
        resp = self.placement('/resource_providers?resources=%s:1' % rc)
        if resp.status_code != 200:
            return {}
        result = {}
        for rp in resp.json()['resource_providers']:
            inv = self.placement('/resource_providers/%s/inventories'
                                 % rp['uuid']).json()['inventories']
            result[rp['name']] = inv[rc]['total']
        return result

    def assert_all_gone(self, res):
        rid = res['id']
        self.assertEqual(404, self.nova('/flavors/%s' % rid).status_code)
        if res['server_group_id']:
            self.assertEqual(404, self.nova('/os-server-groups/%s'
                                            % res['server_group_id'])
                             .status_code)
        self.assertIsNone(self.aggregate(rid))
        self.assertEqual(404, self.placement(
            '/resource_classes/%s' % resource_class(rid)).status_code)
        names = [p['name'] for p in self.placement(
            '/resource_providers').json()['resource_providers']]
        self.assertEqual([], [n for n in names if rid in n])

    def assert_no_valid_host(self, server):
        self.assertEqual('ERROR', server.status)
        fault = server.fault or {}
        self.assertIn('No valid host', fault.get('message', ''))


class TestVirtualInstance(InstanceReservationBase):

    def test_lifecycle_with_anti_affinity(self):
        # The CLI sends every value as a string.
        lease = self.create_lease({
            'resource_type': 'virtual:instance', 'amount': '2',
            'vcpus': '1', 'memory_mb': '512', 'disk_gb': '1',
            'affinity': 'False', 'resource_properties': ''})
        lease = self.wait_lease(lease['id'], 'ACTIVE')
        res = lease['reservations'][0]
        rid = res['id']
        self.assertEqual((2, 1, 512, 1, False, rid), (
            res['amount'], res['vcpus'], res['memory_mb'], res['disk_gb'],
            res['affinity'], res['flavor_id']))
        self.assertTrue(res['server_group_id'])
        agg = self.aggregate(rid)
        self.assertEqual(res['aggregate_id'], agg.id)
        reserved_hosts = set(agg.hosts)
        self.assertEqual(2, len(reserved_hosts))
        self.assertEqual([1, 1], sorted(
            self.reserved_providers(rid).values()))

        # The demo project sees its private flavor.
        flavor = self.cloud.demo.compute.get_flavor(rid)
        self.assertEqual((1, 512, 1), (flavor.vcpus, flavor.ram,
                                       flavor.disk))

        # An ordinary flavor never lands on reserved capacity.
        plain = self.settle(self.boot(
            self.cloud.demo.compute.find_flavor('m1.tiny').id))
        if plain.status == 'ACTIVE':
            self.assertNotIn(plain.compute_host, reserved_hosts)

        hints = {'group': res['server_group_id']}
        started = time.monotonic()
        first = self.boot(rid, hints)
        second = self.boot(rid, hints)
        servers = [self.settle(first), self.settle(second)]
        boot_seconds = time.monotonic() - started
        self.assertEqual(['ACTIVE', 'ACTIVE'], [s.status for s in servers],
                         [s.fault for s in servers])
        hosts = {s.compute_host for s in servers}
        self.assertEqual(2, len(hosts), 'anti-affinity: two hosts')
        self.assertEqual(reserved_hosts, hosts)
        # The slots are used up.
        self.assert_no_valid_host(self.settle(self.boot(rid, hints)))
        print('two reservation boots ACTIVE in %.1f s' % boot_seconds)

        lease = self.end_lease(lease['id'])
        for server in servers:
            fixture.wait_for_server_gone(self.cloud.admin, server.id)
        self.assert_all_gone(res)
        if plain.status == 'ACTIVE':
            # Servers of ordinary flavors are not the lease's business.
            self.assertEqual('ACTIVE', self.cloud.admin.compute.get_server(
                plain.id).status)

    def test_other_projects_cannot_use_the_flavor(self):
        lease = self.create_lease({
            'resource_type': 'virtual:instance', 'amount': 1, 'vcpus': 1,
            'memory_mb': 512, 'disk_gb': 1, 'affinity': None})
        lease = self.wait_lease(lease['id'], 'ACTIVE')
        res = lease['reservations'][0]
        self.assertIsNone(res['server_group_id'])
        # Admin's project has no access to the private flavor, and the
        # filter refuses another project's boot even for admin.
        server = self.settle(self.boot(res['id'], who='admin'))
        self.assertEqual('ERROR', server.status)
        ok = self.settle(self.boot(res['id']))
        self.assertEqual('ACTIVE', ok.status, ok.fault)

    def test_infeasible_is_409(self):
        resp = self.create_lease({
            'resource_type': 'virtual:instance', 'amount': 1,
            'vcpus': 10 ** 7, 'memory_mb': 512, 'disk_gb': 1,
            'affinity': None}, expect=409)
        body = resp.json()
        self.assertEqual(409, body['error_code'])
        self.assertIn('Not enough capacity', body['error_message'])


class TestFlavorInstance(InstanceReservationBase):

    def test_lifecycle_from_an_existing_flavor(self):
        tiny = self.cloud.demo.compute.find_flavor('m1.tiny',
                                                   ignore_missing=False)
        lease = self.create_lease({
            'resource_type': 'flavor:instance', 'flavor_id': tiny.id,
            'amount': '2', 'affinity': None})
        lease = self.wait_lease(lease['id'], 'ACTIVE')
        res = lease['reservations'][0]
        rid = res['id']
        self.assertEqual((2, tiny.vcpus, tiny.ram, rid), (
            res['amount'], res['vcpus'], res['memory_mb'], res['flavor_id']))
        flavor = self.cloud.demo.compute.get_flavor(rid)
        self.assertEqual((tiny.vcpus, tiny.ram), (flavor.vcpus, flavor.ram))
        servers = [self.boot(rid), self.boot(rid)]
        servers = [self.settle(s) for s in servers]
        self.assertEqual(['ACTIVE', 'ACTIVE'], [s.status for s in servers],
                         [s.fault for s in servers])
        agg = self.aggregate(rid)
        self.assertEqual(set(), {s.compute_host for s in servers} -
                         set(agg.hosts))
        self.assert_no_valid_host(self.settle(self.boot(rid)))

        self.end_lease(lease['id'])
        for server in servers:
            fixture.wait_for_server_gone(self.cloud.admin, server.id)
        self.assert_all_gone(res)

    def test_unknown_flavor_is_400(self):
        resp = self.create_lease({
            'resource_type': 'flavor:instance', 'flavor_id': 'no-such',
            'amount': 1}, expect=400)
        self.assertIn('no-such', resp.json()['error_message'])


class TestConcurrentCreates(InstanceReservationBase):

    def second_manager(self):
        """A second promise-manager on the cloud's configuration (same
        database, same RPC topic), started and stopped by this test.  The
        test is about two managers: without one it fails, it does not
        quietly race one manager against itself."""
        conf = os.path.join(fixture.STATE_DIR, 'etc', 'promise',
                            'promise.conf')
        binary = os.path.join(self.cloud.venv, 'bin', 'promise-manager')
        for path in (conf, binary):
            self.assertTrue(os.path.exists(path),
                            '%s is missing: no second manager' % path)
        # The checkout's code (what a new manager runs) must match the
        # cloud's schema, which is migrated when the cloud is set up.
        from alembic import script as alembic_script

        from promise.db import migration
        head = alembic_script.ScriptDirectory.from_config(
            migration.get_config()).get_current_head()
        current = subprocess.run(
            [os.path.join(self.cloud.venv, 'bin', 'promise-db-manage'),
             '--config-file', conf, 'current'], text=True,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        self.assertEqual(head, current.strip(),
                         'second promise-manager not started: the cloud '
                         'database is not at the checkout\'s revision '
                         '(tools/minicloud up migrates it)')
        # Its log is kept after the test, for a look at what it did.
        return self.start_manager([conf], 'promise-manager-2-')

    def test_concurrent_creates_never_overcommit_a_host(self):
        """Leases that each need more than half of a host's vCPUs, sent at
        once to two managers: at most one per host is accepted."""
        first_log = os.path.join(fixture.STATE_DIR, 'log',
                                 'promise-manager.log')
        self.assertTrue(os.path.exists(first_log), first_log)
        first_from = os.path.getsize(first_log)
        second, second_log = self.second_manager()
        hosts = sorted(self.registered)
        provider = self.placement('/resource_providers?name=%s'
                                  % hosts[0]).json()['resource_providers'][0]
        inv = self.placement('/resource_providers/%s/inventories'
                             % provider['uuid']).json()['inventories']['VCPU']
        capacity = int((inv['total'] - inv['reserved']) *
                       inv['allocation_ratio'])
        vcpus = capacity // 2 + 1
        # Windows nobody else uses, raced one after the other (a race as
        # wide as the API serves at once): each accepts at most one lease
        # per host, and with that many acceptances both managers (RabbitMQ
        # hands the RPC queue's messages to its consumers in turn) accept
        # some.
        base_day = 300 + uuid.uuid4().int % 300
        starts = [(utcnow() + datetime.timedelta(days=base_day + 2 * i))
                  .replace(second=0, microsecond=0) for i in range(3)]
        per_window = len(hosts) * 2 + 2

        def create(start):
            return self.create_lease({
                'resource_type': 'virtual:instance', 'amount': 1,
                'vcpus': vcpus, 'memory_mb': 512, 'disk_gb': 1,
                'affinity': None}, start=start, minutes=60, expect=None)

        attempts = [s for s in starts for _ in range(per_window)]
        results = []
        with concurrent.futures.ThreadPoolExecutor(per_window) as pool:
            for start in starts:
                results.extend(pool.map(create, [start] * per_window))
        # Both managers were up for the whole race.
        self.assertIsNone(second.poll(), open(second_log).read()[-3000:])
        created = [r for r in results if isinstance(r, dict)]
        refused = [r for r in results if not isinstance(r, dict)]
        self.assertEqual([409] * len(refused),
                         [r.status_code for r in refused],
                         [r.text for r in refused])
        for start in starts:
            mine = [c for c, s in zip(results, attempts)
                    if isinstance(c, dict) and s == start]
            self.assertLessEqual(len(mine), len(hosts))
            self.assertGreaterEqual(len(mine), 1)
        # Each accepted reservation's aggregate (made in the background
        # right after the create) holds one host, and no host twice in a
        # window.
        deadline = time.monotonic() + 60
        while True:
            used = [self.aggregate(c['reservations'][0]['id'])
                    for c in created]
            if all(a is not None and a.hosts for a in used):
                break
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.5)
        windows = {}
        for c, a in zip(created, used):
            windows.setdefault(c['start_date'], []).extend(a.hosts)
        self.assertEqual(len(starts), len(windows), sorted(windows))
        for taken in windows.values():
            self.assertEqual(len(taken), len(set(taken)), taken)
        # Who decided each accepted lease: exactly one of the two
        # managers, and each of them decided some.
        with open(first_log) as f:
            f.seek(first_from)
            first_text = f.read()
        second_text = open(second_log).read()
        by_first = {c['id'] for c in created
                    if 'Lease %s created' % c['id'] in first_text}
        by_second = {c['id'] for c in created
                     if 'Lease %s created' % c['id'] in second_text}
        self.assertEqual({c['id'] for c in created}, by_first | by_second)
        self.assertEqual(set(), by_first & by_second)
        self.assertTrue(by_first, 'the first manager accepted none of %d'
                        % len(created))
        self.assertTrue(by_second, 'the second manager accepted none of %d'
                        % len(created))
