"""Losing one Galera node, and separately one RabbitMQ node, in the middle
of lease starts and creates, with Promise deployed through HAProxy and a
transport_url naming all three brokers (base.py's ``haproxy`` layout).

Nova is faked (servers.FakeNova: its aggregates API in memory, a short
delay per call): what is under test is the database and the broker, and
the claim stops at what the fake shows, that every host is back in the
free pool aggregate. The webhook receiver and the notification listener
are real (127.0.0.2, the cluster's RabbitMQ).

The scenario: HOSTS host leases start now and end at the next minute
boundary M (HOSTS starts and HOSTS ends); right after they are accepted the
node is SIGKILLed, and HOSTS more creates (leases for tomorrow) are sent
by four clients while it is down; then it is started again and rejoins.
"""

import collections
import concurrent.futures
import datetime
import time
import uuid

import sqlalchemy as sa
from testtools import content

from promise.tests.cluster import base
from promise.tests.functional import base as func_base
from promise.tests.functional import fixtures as func_fixtures
from promise.tests.functional import servers
from promise.tests.unit import webhook_receiver

HOSTS = 100
CLAIM_TIMEOUT = 30
SECRET = 'cluster-webhook-secret'
KEY = 'yZaGGwmP7MvYv7sfxkGD3bY5nA7tXDsT3bZEPgqQmUo='
WEBHOOK_TYPES = ('lease.create', 'lease.event.start_lease',
                 'lease.event.end_lease')


class NodeLossTests:
    """The scenario; each subclass kills another part."""

    LAYOUT = 'haproxy'
    TIMEOUT = 900
    PART = None
    NODE = 1
    DEPLOYMENT = {
        'manager.plugins': 'physical:host',
        'manager.event_claim_timeout': CLAIM_TIMEOUT,
        'manager.health_interval': 0,
        'manager.usage_interval': 0,
        'manager.capacity_interval': 0,
        'api.rpc_timeout': 10,
        'notifications.delivery_interval': 1,
        'notifications.retry_initial_delay': 1,
        'notifications.retry_max_delay': 2,
        'notifications.max_attempts': 100,
        'notifications.webhook_timeout': 2,
        'notifications.delivery_claim_timeout': 10,
        'notifications.webhook_allowed_networks': '127.0.0.2/32',
        'notifications.secret_encryption_keys': KEY,
    }

    @classmethod
    def setUpClass(cls):
        cls.nova = servers.FakeNova(delay=0.02)
        cls.nova.setUp()
        cls.DEPLOYMENT = dict(cls.DEPLOYMENT, **cls.nova.config())
        try:
            super().setUpClass()
        except Exception:
            cls.nova.cleanUp()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.nova.cleanUp()

    def setUp(self):
        super().setUp()
        # Whatever happens, the node is back for the next test class.
        self.addCleanup(self._whole_again)
        self.receiver = webhook_receiver.Receiver().start()
        self.addCleanup(self.receiver.stop)
        self.who = {'user': 'user-' + uuid.uuid4().hex[:8],
                    'project': 'project-' + uuid.uuid4().hex[:8]}
        self.notifications = self.useFixture(
            func_fixtures.NotificationCollector(
                self.deployment.config.notification_topic,
                url=self.deployment.env['PROMISE_CLUSTER_TRANSPORT_URL'],
                rabbit={'rabbit_quorum_queue': True}))
        self.insert_hosts(range(1, HOSTS + 1))

    def _whole_again(self):
        for part in ('galera', 'rabbit'):
            for node in (1, 2, 3):
                # A running node is left alone; only a dead one starts.
                base.subprocess.run(
                    [base.CLUSTER, 'start', part, str(node)],
                    stdout=base.subprocess.DEVNULL,
                    stderr=base.subprocess.DEVNULL, timeout=300)

    def post(self, name, start, end):
        body = {'name': name, 'start_date': start, 'end_date': end,
                'events': [],
                'reservations': [{'resource_type': 'physical:host',
                                  'min': '1', 'max': '1',
                                  'hypervisor_properties': '',
                                  'resource_properties': ''}]}
        try:
            resp = self.request('POST', '/v1/leases', who=self.who,
                                json=body, timeout=90)
        except Exception as exc:  # the answer never came: a failure
            return name, None, repr(exc)
        lease_id = (resp.json()['lease']['id']
                    if resp.status_code == 201 else None)
        return name, resp.status_code, lease_id or resp.text

    def post_all(self, names, start, end):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda n: self.post(n, start, end), names))

    def test_node_loss(self):
        resp = self.request('POST', '/v1/subscriptions', who=self.who, json={
            'event_types': list(WEBHOOK_TYPES), 'url': self.receiver.url,
            'secret': SECRET})
        self.assertEqual(201, resp.status_code, resp.text)

        now = func_base.utcnow()
        m = now.replace(second=0, microsecond=0) + datetime.timedelta(
            minutes=2)
        starting = self.post_all(['start-%d' % i for i in range(HOSTS)],
                                 'now', func_base.api_date(m))
        self.assertEqual([201] * HOSTS, [s for _, s, _ in starting],
                         [r for r in starting if r[1] != 201][:3])

        # The node goes while the starts run.
        base.cluster('kill', self.PART, str(self.NODE))
        killed_at = time.monotonic()
        tomorrow = now + datetime.timedelta(days=1)
        during = self.post_all(
            ['during-%d' % i for i in range(HOSTS)],
            func_base.api_date(tomorrow),
            func_base.api_date(tomorrow + datetime.timedelta(hours=1)))
        outage = time.monotonic() - killed_at
        for service in self.deployment.services:
            service.check_running()
        base.cluster('start', self.PART, str(self.NODE))
        # On a day of its own: the hosts are all taken tomorrow.
        later = tomorrow + datetime.timedelta(days=1)
        after = [self.post('after', func_base.api_date(later),
                           func_base.api_date(later +
                                              datetime.timedelta(hours=1)))]

        statuses = collections.Counter(s for _, s, _ in during + after)
        self.addDetail('outcomes', content.text_content(
            'while %s %d was down (%.1f s): %s; refused: %s' % (
                self.PART, self.NODE, outage, dict(statuses),
                [r for r in during if r[1] != 201][:5])))
        # Service went on without the node: most creates were accepted,
        # and those that were not were told 503, never 500.
        self.assertEqual(set(), set(statuses) - {201, 503}, statuses)
        self.assertGreater(statuses[201], HOSTS // 2, statuses)
        self.assertEqual(201, after[0][1], after)

        accepted = [r[2] for r in starting + during + after if r[1] == 201]
        started_ids = [r[2] for r in starting]
        self.wait_terminated(started_ids, m)
        with self.deployment.db.engine.connect() as conn:
            ids = {row[0] for row in conn.execute(sa.text(
                'SELECT id FROM leases'))}
            events = conn.execute(sa.text(
                'SELECT lease_id, event_type, status FROM events')
            ).fetchall()
            self.assertEqual([], self.overlapping_host_allocations(conn))
        # Every accepted create is there.
        self.assertEqual(set(), set(accepted) - ids)
        self.assertEqual(
            {(i, t, 'DONE') for i in started_ids
             for t in ('start_lease', 'before_end_lease', 'end_lease')},
            {tuple(e) for e in events if e.lease_id in set(started_ids)})

        # Each start and end ran once: one notification of each.
        expected = {(i, t): 1 for i in started_ids
                    for t in ('start_lease', 'end_lease')}

        def counted():
            got = collections.Counter()
            for n in self.notifications.events('lease.event.'):
                kind = n['event_type'][len('lease.event.'):]
                if kind != 'before_end_lease':
                    got[(n['payload']['lease_id'], kind)] += 1
            return got
        func_fixtures.wait_for(lambda: set(counted()) >= set(expected), 90,
                               what='a start and an end notification of '
                                    'every lease')
        time.sleep(3)
        self.assertEqual(expected, dict(counted()))

        # Every webhook was delivered (signed).
        def delivered():
            got = set()
            for body, headers, raw in self.receiver.accepted():
                self.assertTrue(webhook_receiver.verify(SECRET, headers, raw))
                got.add((body['payload']['lease']['id'], body['event_type']))
            return got
        wanted = {(i, 'lease.create') for i in accepted}
        wanted |= {(i, t) for i in started_ids
                   for t in ('lease.event.start_lease',
                             'lease.event.end_lease')}
        func_fixtures.wait_for(lambda: wanted <= delivered(), 120,
                               interval=1, what='every webhook delivered')

        # No host stranded: each is back in the free pool; the only other
        # aggregates are the empty ones prepared for tomorrow's leases.
        aggregates = self.nova.hosts_by_aggregate()
        self.assertEqual(sorted('compute%d' % i for i in range(1, HOSTS + 1)),
                         aggregates.pop('freepool'))
        with self.deployment.db.engine.connect() as conn:
            pending = {row[0] for row in conn.execute(sa.text(
                "SELECT r.id FROM reservations r JOIN leases l "
                "ON l.id = r.lease_id WHERE l.status = 'PENDING'"))}
        self.assertEqual({}, {name: hosts for name, hosts in
                              aggregates.items() if hosts})
        self.assertEqual(set(), set(aggregates) - pending)
        for service in self.deployment.services:
            service.check_running()
        # The node rejoined: the clusters are whole again.
        func_fixtures.wait_for(
            lambda: base.subprocess.run(
                [base.CLUSTER, 'status'], stdout=base.subprocess.DEVNULL
            ).returncode == 0, 120, what='the cluster to be whole')

    def wait_terminated(self, ids, m):
        def done():
            with self.deployment.db.engine.connect() as conn:
                left = conn.execute(sa.text(
                    "SELECT COUNT(*) FROM events WHERE status != 'DONE' "
                    "AND lease_id IN :ids").bindparams(
                        sa.bindparam('ids', expanding=True)),
                    {'ids': list(ids)}).scalar()
                statuses = {row[0] for row in conn.execute(sa.text(
                    'SELECT status FROM leases WHERE id IN :ids').bindparams(
                        sa.bindparam('ids', expanding=True)),
                    {'ids': list(ids)})}
            return left == 0 and statuses == {'TERMINATED'}
        try:
            func_fixtures.wait_for(
                done, (m - func_base.utcnow()).total_seconds()
                + 2 * CLAIM_TIMEOUT + 120, interval=2,
                what='every started lease to end')
        except AssertionError:
            with self.deployment.db.engine.connect() as conn:
                self.addDetail('events', content.text_content(str(
                    conn.execute(sa.text(
                        'SELECT event_type, status, COUNT(*) FROM events '
                        'GROUP BY event_type, status')).fetchall())))
                self.addDetail('leases', content.text_content(str(
                    conn.execute(sa.text(
                        'SELECT status, COUNT(*) FROM leases '
                        'GROUP BY status')).fetchall())))
            raise


class TestGaleraNodeLoss(NodeLossTests, base.ClusterTestCase):
    """The Galera node HAProxy writes to (node 1) is SIGKILLed."""

    PART = 'galera'


class TestRabbitNodeLoss(NodeLossTests, base.ClusterTestCase):
    """The RabbitMQ node every process connected to first is SIGKILLed."""

    PART = 'rabbit'
