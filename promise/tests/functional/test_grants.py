"""SOL003 grants against real promise-api and two promise-managers over
RabbitMQ, on real MariaDB and PostgreSQL: Tacker-shaped GrantRequests
(INSTANTIATE with anti-affinity, SCALE out and in, TERMINATE, too much),
and two grants racing for the last capacity. Hosts are written straight
into the database; the decisions are Promise's alone."""

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
            for table in ('grant_holds', 'grants', 'hosts'):
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


class TestGrantsMySQL(base.MySQLMixin, _Grants, base.FunctionalTestCase):
    pass


class TestGrantsPostgreSQL(base.PostgreSQLMixin, _Grants,
                           base.FunctionalTestCase):
    pass
