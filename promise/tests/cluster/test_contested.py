"""Contested decisions on a Galera cluster: two simultaneous requests for
the last host, sent to two promise-api processes on different Galera nodes
and decided by two promise-managers on two other nodes (base.py's
``spread`` layout). A row lock taken on one node does not stop a writer on
another; only Galera's certification (a deadlock at commit, retried from
scratch) and the host generation check keep both from winning.

Rounds: PROMISE_CLUSTER_ROUNDS (default 150 here; bench/cluster.py runs
1,000)."""

import datetime
import functools
import os

import sqlalchemy as sa
import testtools
from testtools import content

from promise import conf
from promise.db import api as db_api
from promise.tests.cluster import base
from promise.tests.functional import base as func_base
from promise.tests.functional import test_grants
from promise.tests.unit import base as unit_base
from promise.tests.unit import test_grants_api as shapes

ROUNDS = int(os.environ.get('PROMISE_CLUSTER_ROUNDS', '150'))
T0 = datetime.datetime(2031, 6, 1, 8, 0)


def _lease(name, start, end):
    return {'name': name, 'start_date': func_base.api_date(start),
            'end_date': func_base.api_date(end), 'events': [],
            'reservations': [{'resource_type': 'physical:host',
                              'min': '1', 'max': '1',
                              'hypervisor_properties': '',
                              'resource_properties': ''}]}


class TestLeaseRace(base.ClusterTestCase):

    TIMEOUT = 1200

    def setUp(self):
        super().setUp()
        self.insert_host_with_property(1, 'compute1', 'rack')

    def test_last_host_is_never_double_booked(self):
        before = self.galera_counters()
        outcomes = []
        for i in range(ROUNDS):
            day = T0 + datetime.timedelta(days=i)
            hour = datetime.timedelta(hours=1)
            a = _lease('a%d' % i, day, day + 2 * hour)
            b = _lease('b%d' % i, day + hour, day + 3 * hour)
            responses = self.simultaneously(
                functools.partial(self.request_via, 1, 'POST', '/v1/leases',
                                  json=a),
                functools.partial(self.request_via, 2, 'POST', '/v1/leases',
                                  json=b))
            outcomes.append(sorted(r.status_code for r in responses))
            for r in responses:
                if r.status_code == 409:
                    self.assertIn('Not enough hosts available', r.text)
                elif r.status_code != 201:
                    self.fail('round %d: %s %s' % (i, r.status_code, r.text))
        self.assertEqual([[201, 409]] * ROUNDS, outcomes)

        # Every node holds the same, and no two allocations overlap.
        for node in (1, 2, 3):
            engine = sa.create_engine(self.deployment.node_urls[node],
                                      poolclass=sa.pool.NullPool)
            self.addCleanup(engine.dispose)
            with engine.connect() as conn:
                self.assertEqual([], self.overlapping_host_allocations(conn))
                self.assertEqual(ROUNDS, conn.execute(sa.text(
                    'SELECT COUNT(*) FROM host_allocations')).scalar(),
                    'galera%d' % node)
        self.assertEveryManagerLogged('created for project')
        self.assertCrossNodeConflicts(before)


class TestGrantRace(test_grants._Grants, base.ClusterTestCase):
    """The grants tests of the functional tier on the cluster, and a grant
    and a lease racing for the last host through different API nodes."""

    TIMEOUT = 1200

    def test_grant_and_lease_on_different_nodes(self):
        # Host 1 or 2 is held whole by a lease; the other is the last one.
        self.assertEqual(201, self.host_lease(1, hours=24).status_code)
        outcomes = []
        rounds = max(1, ROUNDS * 2 // 3)
        for i in range(rounds):
            body = shapes.tacker_request('INSTANTIATE', 'vnf-c%d' % i,
                                         [('VDU1', 1)])
            lease_body = {
                'name': 'race-%d' % i, 'start_date': 'now',
                'end_date': func_base.api_date(
                    func_base.utcnow() + datetime.timedelta(hours=1)),
                'reservations': [{'resource_type': 'physical:host',
                                  'min': '1', 'max': '1',
                                  'hypervisor_properties': '',
                                  'resource_properties': ''}],
                'events': []}
            grant, lease = self.simultaneously(
                functools.partial(self.request_via, 1, 'POST',
                                  '/grant/v1/grants', json=body,
                                  headers=test_grants.VERSION),
                functools.partial(self.request_via, 2, 'POST', '/v1/leases',
                                  json=lease_body))
            outcomes.append(sorted([grant.status_code, lease.status_code]))
            holds, leased = self.holds(), self.leased_hosts()
            self.assertEqual(set(), {h[1] for h in holds} & set(leased),
                             (i, holds, leased))
            if grant.status_code == 201:
                self.assertEqual(409, lease.status_code, lease.text)
                self.grant(shapes.tacker_request(
                    'TERMINATE', 'vnf-c%d' % i, remove=[('VDU1', 'x')]))
            else:
                self.assertEqual(201, lease.status_code, lease.text)
                self.assertEqual(403, grant.status_code, grant.text)
                resp = self.request_via(
                    2, 'DELETE', '/v1/leases/%s' % lease.json()['lease']['id'])
                self.assertEqual(204, resp.status_code, resp.text)
        with self.deployment.db.engine.connect() as conn:
            self.assertEqual([], self.overlapping_host_allocations(conn))
        self.assertTrue(all(o in ([201, 403], [201, 409])
                            for o in outcomes), outcomes)
        self.addDetail('outcomes', content.text_content(str(
            {str(o): outcomes.count(o) for o in ([201, 403], [201, 409])})))


class TestGaleraReads(testtools.TestCase):

    def test_connections_wait_for_the_cluster(self):
        """[galera] sync_wait reaches the sessions of a Galera node, not
        the server's global setting."""
        # Options registered and parsed as in the unit tier (its SQLite
        # database is migrated and then left aside).
        self.useFixture(unit_base.ConfFixture())
        node2 = base.cluster_env()['PROMISE_CLUSTER_DB_NODES'].split()[1]
        conf.CONF.set_override('connection', node2, group='database')
        db_api.reset()
        self.addCleanup(db_api.reset)
        with db_api.get_engine().connect() as conn:
            self.assertEqual(1, conn.execute(sa.text(
                'SELECT @@session.wsrep_sync_wait')).scalar())
            self.assertEqual(0, conn.execute(sa.text(
                'SELECT @@global.wsrep_sync_wait')).scalar())
        conf.CONF.set_override('sync_wait', 0, group='galera')
        db_api.reset()
        with db_api.get_engine().connect() as conn:
            self.assertEqual(0, conn.execute(sa.text(
                'SELECT @@session.wsrep_sync_wait')).scalar())
