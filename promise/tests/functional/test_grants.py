"""SOL003 grants against real promise-api and two promise-managers over
RabbitMQ, on real MariaDB and PostgreSQL: Tacker-shaped GrantRequests
(INSTANTIATE with anti-affinity, SCALE out and in, TERMINATE, too much),
two grants racing for the last capacity, and grants and leases sharing
one ledger (neither takes what the other holds, /v1/capacity counts both,
a grant and a lease racing for the last host). Hosts are written straight
into the database; the decisions are Promise's alone."""

import datetime
import functools

import sqlalchemy as sa

from promise.tests.functional import base
from promise.tests.unit import test_grants_api as shapes

ROUNDS = 20
VERSION = {'Version': '1.4.0'}


class _Grants:

    DEPLOYMENT = {
        'net_value.flavor_shapes': 'm1.small:2/2048/10',
        'nfv.vdu_flavors': 'vnfd-1:VDU1=m1.small,VDU2=m1.small',
        'nfv.vim_connection_id': 'vim-1',
    }

    def setUp(self):
        super().setUp()
        with self.deployment.db.engine.begin() as conn:
            for table in ('grant_holds', 'grants', 'host_allocations',
                          'leases', 'hosts'):
                conn.execute(sa.text('DELETE FROM %s' % table))
            # Two hosts of 4 vCPU: room for four m1.small, two on each.
            for host_id, zone in ((1, 'az1'), (2, 'az2')):
                conn.execute(sa.text(
                    "INSERT INTO hosts (id, hypervisor_hostname, "
                    "service_name, vcpus, memory_mb, local_gb, reservable, "
                    "generation, availability_zone, capacity_vcpus, "
                    "capacity_memory_mb, capacity_disk_gb, created_at) "
                    "VALUES (:id, :name, :name, 4, 8192, 100, :t, 0, "
                    ":zone, 4, 8192, 100, :now)"),
                    {'id': host_id, 'name': 'compute%d' % host_id,
                     'zone': zone, 't': True, 'now': base.utcnow()})

    def grant(self, body, status=201):
        resp = self.request('POST', '/grant/v1/grants', json=body,
                            headers=VERSION)
        self.assertEqual(status, resp.status_code, resp.text)
        self.assertEqual('1.4.0', resp.headers['Version'])
        if status != 201:
            self.assertEqual('application/problem+json',
                             resp.headers['Content-Type'])
            self.assertEqual(status, resp.json()['status'])
        return resp.json()

    def holds(self):
        with self.deployment.db.engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT vnf_instance_id, host_id FROM grant_holds '
                'ORDER BY id')).fetchall()

    def test_tacker_lifecycle(self):
        body = shapes.tacker_request('INSTANTIATE', 'vnf-1',
                                     [('VDU1', 1), ('VDU2', 1)],
                                     anti=('VDU1', 'VDU2'))
        grant = self.grant(body)
        zones = {z['id']: z['zoneId'] for z in grant['zones']}
        self.assertEqual({'az1', 'az2'},
                         {zones[r['zoneId']] for r in grant['addResources']})
        self.assertEqual(shapes.compute_ids(body),
                         [r['resourceDefinitionId']
                          for r in grant['addResources']])
        self.assertEqual({'m1.small'},
                         {f['vimFlavourId'] for f in
                          grant['vimAssets']['computeResourceFlavours']})
        shown = self.request('GET', '/grant/v1/grants/%s' % grant['id'],
                             headers=VERSION)
        self.assertEqual(200, shown.status_code, shown.text)
        self.assertEqual(grant, shown.json())
        self.assertEqual({1, 2}, {h[1] for h in self.holds()})

        # Scale out by two fills both hosts; one more is refused.
        self.grant(shapes.tacker_request('SCALE', 'vnf-1', [('VDU1', 2)]))
        refused = self.grant(shapes.tacker_request('SCALE', 'vnf-1',
                                                   [('VDU1', 1)]), 403)
        self.assertEqual('Not enough capacity for 1 compute resource(s): 2 '
                         'vCPU wanted, 0 free.', refused['detail'])
        # Three anti-affine VNFCs can never fit on two hosts.
        refused = self.grant(shapes.tacker_request(
            'INSTANTIATE', 'vnf-2', [('VDU1', 3)], anti=('VDU1',)), 403)
        self.assertIn('largest group: 3 distinct hosts', refused['detail'])
        self.assertEqual(4, len(self.holds()))

        # TERMINATE releases every hold of the VNF instance.
        terminate = self.grant(shapes.tacker_request(
            'TERMINATE', 'vnf-1', remove=[('VDU1', 's1'), ('VDU2', 's2'),
                                          ('VDU1', 's3'), ('VDU1', 's4')]))
        self.assertEqual(4, len(terminate['removeResources']))
        self.assertEqual([], self.holds())
        self.grant(shapes.tacker_request('INSTANTIATE', 'vnf-2',
                                         [('VDU1', 4)]))

    def test_last_capacity_is_granted_once(self):
        # Three of the four places are held for good.
        self.grant(shapes.tacker_request('INSTANTIATE', 'filler',
                                         [('VDU1', 3)]))
        outcomes = []
        for i in range(ROUNDS):
            bodies = [shapes.tacker_request('INSTANTIATE', 'vnf-%d-%d'
                                            % (i, k), [('VDU1', 1)])
                      for k in (0, 1)]
            responses = self.simultaneously(*[
                functools.partial(self.request, 'POST', '/grant/v1/grants',
                                  json=body, headers=VERSION)
                for body in bodies])
            results = [(r.status_code, r.json()) for r in responses]
            outcomes.append(sorted(r[0] for r in results))
            for k, (code, answer) in enumerate(results):
                if code == 403:
                    self.assertIn('2 vCPU wanted, 0 free', answer['detail'])
                else:
                    self.assertEqual(4, len(self.holds()), self.holds())
                    # Free the place for the next round.
                    self.grant(shapes.tacker_request(
                        'TERMINATE', 'vnf-%d-%d' % (i, k),
                        remove=[('VDU1', 'x')]))
        self.assertEqual([[201, 403]] * ROUNDS, outcomes)
        self.assertEqual(3, len(self.holds()))
        # Both managers decided some of the races.
        self.assertEveryManagerLogged('approved with 1 compute resource')

    # -- grants and leases: one ledger ---------------------------------------

    def host_lease(self, count, start='now', hours=1):
        begin = (base.utcnow() if start == 'now' else start)
        return self.request('POST', '/v1/leases', json={
            'name': 'whole-%d' % count, 'start_date':
                start if start == 'now' else base.api_date(start),
            'end_date': base.api_date(begin + datetime.timedelta(hours=hours)),
            'reservations': [{'resource_type': 'physical:host',
                              'min': str(count), 'max': str(count),
                              'hypervisor_properties': '',
                              'resource_properties': ''}],
            'events': []})

    def leased_hosts(self):
        with self.deployment.db.engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(sa.text(
                'SELECT host_id FROM host_allocations')))

    def capacity(self, resource_type, **extra):
        query = '&'.join(['resource_type=%s' % resource_type] +
                         ['%s=%s' % kv for kv in sorted(extra.items())])
        resp = self.request('GET', '/v1/capacity?' + query, roles='admin')
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['capacity']

    def test_a_grant_holds_capacity_leases_cannot_take(self):
        grant = self.grant(shapes.tacker_request('INSTANTIATE', 'vnf-1',
                                                 [('VDU1', 1)]))
        held = self.holds()
        self.assertEqual(1, len(held))
        granted_host = held[0][1]
        other = 3 - granted_host
        # Both hosts for the next hour: one of them has a grant's VNFC.
        refused = self.host_lease(2)
        self.assertEqual(409, refused.status_code, refused.text)
        self.assertEqual([], self.leased_hosts())
        # The offer: one host now, both once the hold expires.
        self.assertEqual([1], refused.json()['max_reservable'])
        with self.deployment.db.engine.connect() as conn:
            expires = conn.scalar(sa.text(
                'SELECT expires_at FROM grant_holds'))
        first = refused.json()['alternatives'][0]['start_date']
        self.assertEqual(expires.replace(second=0, microsecond=0) +
                         datetime.timedelta(minutes=1),
                         base.parse_out_date(first))
        # /v1/capacity counts the held host as reserved, and its 2 vCPU.
        hosts = self.capacity('physical:host')
        self.assertEqual(1, hosts['min_available'], hosts)
        vcpus = self.capacity('virtual:instance')
        self.assertEqual(6, vcpus['min_available']['vcpus'], vcpus)
        # The other host can be had whole.
        self.assertEqual(201, self.host_lease(1).status_code)
        self.assertEqual([other], self.leased_hosts())
        # The held host keeps room for one more m1.small, no more.
        self.grant(shapes.tacker_request('SCALE', 'vnf-1', [('VDU1', 1)]))
        self.assertEqual({granted_host}, {h[1] for h in self.holds()})
        refused = self.grant(shapes.tacker_request('SCALE', 'vnf-1',
                                                   [('VDU1', 1)]), 403)
        self.assertIn('0 free', refused['detail'])
        # After the holds expire (30 minutes by default) the host is free.
        later = base.utcnow() + datetime.timedelta(hours=2)
        self.assertEqual(201, self.host_lease(1, start=later).status_code)
        self.assertEqual(sorted([other, granted_host]), self.leased_hosts())
        self.assertEqual(grant['id'], self.request(
            'GET', '/grant/v1/grants/%s' % grant['id'],
            headers=VERSION).json()['id'])

    def test_a_lease_holds_capacity_grants_cannot_take(self):
        self.assertEqual(201, self.host_lease(1).status_code)
        # Room for two m1.small is left, on the other host.
        self.grant(shapes.tacker_request('INSTANTIATE', 'vnf-1',
                                         [('VDU1', 2)]))
        self.assertEqual({3 - self.leased_hosts()[0]},
                         {h[1] for h in self.holds()})
        self.grant(shapes.tacker_request('SCALE', 'vnf-1', [('VDU1', 1)]),
                   403)
        self.assertEqual(2, len(self.holds()))

    def test_a_grant_and_a_lease_race_for_the_last_host(self):
        # Host 1 or 2 is held whole by a lease; the other is the last one.
        self.assertEqual(201, self.host_lease(1, hours=24).status_code)
        outcomes = []
        for i in range(ROUNDS):
            body = shapes.tacker_request('INSTANTIATE', 'vnf-%d' % i,
                                         [('VDU1', 1)])
            grant, lease = self.simultaneously(
                functools.partial(self.request, 'POST', '/grant/v1/grants',
                                  json=body, headers=VERSION),
                functools.partial(self.host_lease, 1))
            outcomes.append(sorted([grant.status_code, lease.status_code]))
            with self.deployment.db.engine.connect() as conn:
                self.assertEqual([], self.overlapping_host_allocations(conn))
            holds, leased = self.holds(), self.leased_hosts()
            # Never both: a host a grant holds is not leased.
            self.assertEqual(set(), {h[1] for h in holds} & set(leased),
                             (holds, leased))
            if grant.status_code == 201:
                self.assertEqual(409, lease.status_code, lease.text)
                self.assertEqual(1, len(holds))
                self.assertEqual(1, len(leased))
                self.grant(shapes.tacker_request(
                    'TERMINATE', 'vnf-%d' % i, remove=[('VDU1', 'x')]))
            else:
                self.assertEqual(201, lease.status_code, lease.text)
                self.assertEqual(403, grant.status_code, grant.text)
                self.assertEqual([], holds)
                self.assertEqual(2, len(leased))
                resp = self.request('DELETE', '/v1/leases/%s'
                                    % lease.json()['lease']['id'])
                self.assertEqual(204, resp.status_code, resp.text)
        self.assertEqual(ROUNDS, len(outcomes))
        self.assertTrue(all(o in ([201, 403], [201, 409])
                            for o in outcomes), outcomes)


class TestGrantsMySQL(base.MySQLMixin, _Grants, base.FunctionalTestCase):
    pass


class TestGrantsPostgreSQL(base.PostgreSQLMixin, _Grants,
                           base.FunctionalTestCase):
    pass
