"""Webhooks as an attacker would use them, against real promise-api and
promise-managers on MariaDB / PostgreSQL: targets that are not global are
refused at create and at each send and never connected to, redirects are
not followed, a receiver that trickles is cut at the total time, the
documented verifier rejects replays, and one project's slow receivers do
not hold back another project's webhooks.

Every target here is on loopback, and a refusal that would send further
is checked while no event fires: these tests cannot send off the
machine even when a refusal is broken.
"""

import threading
import uuid

import sqlalchemy as sa

from promise.notifications import delivery
from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures
from promise.tests.unit import webhook_receiver

KEY = 'yZaGGwmP7MvYv7sfxkGD3bY5nA7tXDsT3bZEPgqQmUo='
VERIFIER = webhook_receiver.VERIFIER


def project():
    suffix = uuid.uuid4().hex[:8]
    return {'user': 'user-' + suffix, 'project': 'project-' + suffix}


class Helpers:

    def setUp(self):
        super().setUp()
        self.who = project()

    def receiver(self, host=webhook_receiver.RECEIVER_HOST):
        receiver = webhook_receiver.Receiver(host=host).start()
        self.addCleanup(receiver.stop)
        return receiver

    def subscribe(self, url, who=None, **body):
        body.update(event_types=body.get('event_types', ['lease.create']),
                    url=url)
        resp = self.request('POST', '/v1/subscriptions',
                            who=who or self.who, json=body)
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()['subscription']

    def deliveries(self, sub_id, who=None):
        resp = self.request('GET', '/v1/subscriptions/%s/deliveries?limit='
                            '1000' % sub_id, who=who or self.who)
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['deliveries']

    def subscription_count(self):
        with self.deployment.db.engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT COUNT(*) FROM subscriptions')).scalar()


class EdgeTests(Helpers):

    DEPLOYMENT = {
        'manager.plugins': 'physical:host',
        'notifications.delivery_interval': 1,
        'notifications.retry_initial_delay': 1,
        'notifications.retry_max_delay': 2,
        'notifications.max_attempts': 100,
        'notifications.webhook_timeout': 2,
        'notifications.threshold_interval': 0,
        'notifications.webhook_allowed_networks': '127.0.0.2/32',
        'notifications.secret_encryption_keys': KEY,
    }

    def test_non_global_targets_are_refused_at_create(self):
        # A listener on 127.0.0.1: what the loopback forms lead to.
        listener = self.receiver('127.0.0.1')
        port = listener.port
        loopback = ['http://127.0.0.1:%d/' % port,
                    'http://localhost:%d/' % port,
                    'http://[::1]:%d/' % port,
                    'http://[::]:%d/' % port,
                    'http://0.0.0.0:%d/' % port,
                    'http://[::ffff:127.0.0.1]:%d/' % port,
                    'http://[::ffff:7f00:1]:%d/' % port,
                    'http://2130706433:%d/' % port,
                    'http://0x7f.1:%d/' % port,
                    'http://0x7f000001:%d/' % port,
                    'http://0177.0.0.1:%d/' % port,
                    'http://127.1:%d/' % port,
                    'http://127.0.0.3:%d/' % port,
                    'https://127.0.0.1:%d/' % port]
        beyond = ['http://10.0.0.1/', 'http://172.16.0.1/',
                  'http://192.168.1.1/', 'http://100.64.0.1/',
                  'http://169.254.169.254/latest/meta-data/',
                  'http://192.0.2.1/', 'http://198.18.0.1/',
                  'http://224.0.0.1/', 'http://240.0.0.1/',
                  'http://255.255.255.255/', 'http://[fc00::1]/',
                  'http://[fd00:ec2::254]/', 'http://[fe80::1]/',
                  'http://[ff02::1]/', 'http://[2001:db8::1]/',
                  'http://[::ffff:10.0.0.1]/', 'http://[::ffff:a9fe:a9fe]/',
                  'http://[2002:a9fe:a9fe::1]/', 'http://[64:ff9b::a00:1]/',
                  'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
                  'http://0xa9.0xfe.0xa9.0xfe/', 'http://167772161/']
        before = self.subscription_count()
        for url in loopback + beyond:
            resp = self.request('POST', '/v1/subscriptions', who=self.who,
                                json={'event_types': ['lease.create'],
                                      'url': url})
            if resp.status_code == 201:
                # Gone before anything can fire, then fail.
                self.request('DELETE', '/v1/subscriptions/%s'
                             % resp.json()['subscription']['id'],
                             who=self.who)
            self.assertEqual(400, resp.status_code, (url, resp.text))
            body = resp.json()
            self.assertEqual({'error_code', 'error_message', 'error_name'},
                             set(body))
            self.assertIn('may not lead to', body['error_message'])
        self.assertEqual(before, self.subscription_count())
        # An event now: nothing goes to the loopback listener.
        self.subscribe(self.receiver().url)
        self.create_lease(who=self.who)
        func_fixtures.wait_for(lambda: self.deliveries_delivered(), 30,
                               what='the allowed delivery')
        self.assertEqual([], listener.received)

    def deliveries_delivered(self):
        with self.deployment.db.engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT COUNT(*) FROM deliveries d JOIN subscriptions s ON "
                "s.id = d.subscription_id WHERE s.project_id = :p AND "
                "d.status = 'delivered'"), {'p': self.who['project']}
            ).scalar()

    def test_refused_again_at_send_time(self):
        # Rows the API would refuse, written directly (as a name that
        # resolved elsewhere at create would be): all on loopback.
        listener = self.receiver('127.0.0.1')
        urls = ['http://127.0.0.1:%d/' % listener.port,
                'http://localhost:%d/' % listener.port,
                'http://2130706433:%d/' % listener.port,
                'http://[::]:%d/' % listener.port]
        ids = []
        with self.deployment.db.engine.begin() as conn:
            for url in urls:
                ids.append(str(uuid.uuid4()))
                conn.execute(sa.text(
                    "INSERT INTO subscriptions (id, project_id, "
                    "all_projects, event_types, url, created_at) VALUES "
                    "(:id, :p, :f, '[\"lease.create\"]', :url, :now)"),
                    {'id': ids[-1], 'p': self.who['project'], 'f': False,
                     'url': url, 'now': base.utcnow()})
        self.create_lease(who=self.who)

        def failed():
            rows = [r for sub_id in ids for r in self.deliveries(sub_id)]
            return (len(rows) == len(ids) and
                    all(r['status'] == 'failed' for r in rows) and rows)
        rows = func_fixtures.wait_for(failed, 30, what='refused sends')
        for row in rows:
            self.assertEqual((1, None, delivery.REFUSED),
                             (row['attempts'], row['response_code'],
                              row['error']))
        self.assertEqual([], listener.received)

    def test_redirect_to_loopback_is_not_followed(self):
        listener = self.receiver('127.0.0.1')
        receiver = self.receiver()
        receiver.status = 302
        receiver.headers = {'Location': 'http://127.0.0.1:%d/'
                            % listener.port}
        sub = self.subscribe(receiver.url)
        self.create_lease(who=self.who)

        def failed_twice():
            rows = self.deliveries(sub['id'])
            return rows and rows[0]['attempts'] >= 2 and rows[0]
        row = func_fixtures.wait_for(failed_twice, 30, what='two attempts')
        self.assertEqual((None, delivery.NOT_ACCEPTED),
                         (row['response_code'], row['error']))
        self.assertGreaterEqual(len(receiver.received), 2)
        self.assertEqual([], listener.received)

    def test_a_trickling_receiver_is_cut_at_the_total_time(self):
        # One byte a second for two minutes, unless the sender hangs up.
        receiver = self.receiver()
        receiver.trickle = 1
        sub = self.subscribe(receiver.url)
        self.create_lease(who=self.who)

        def failed_once():
            rows = self.deliveries(sub['id'])
            return (rows and rows[0]['attempts'] >= 1 and
                    rows[0]['status'] == 'pending' and rows[0])
        # Recorded as a failed attempt long before the answer would end:
        # the attempt was cut (webhook_timeout is 2 s in total).
        row = func_fixtures.wait_for(failed_once, 60, interval=0.2,
                                     what='a cut attempt')
        self.assertEqual((None, delivery.NOT_ACCEPTED),
                         (row['response_code'], row['error']))
        self.assertIsNotNone(row['next_attempt_at'])
        # Retried with backoff, not re-claimed and sent again at once:
        # one request per recorded attempt (plus one in flight).
        self.assertLessEqual(len(receiver.received), row['attempts'] + 1)

    def test_signatures_carry_time_and_replays_are_rejected(self):
        receiver = self.receiver()
        receiver.status = lambda n: 503 if n == 0 else 200
        sub = self.subscribe(receiver.url)
        secret = sub['secret']
        self.assertTrue(secret.startswith('whsec_'))
        resp = self.request('GET', '/v1/subscriptions/%s' % sub['id'],
                            who=self.who)
        self.assertNotIn(secret, resp.text)
        self.create_lease(who=self.who)
        receiver.wait_for(lambda r: len(r) >= 2, timeout=30,
                          what='a failed attempt and its retry')
        first, second = receiver.received[:2]
        # The same message, signed anew at each attempt.
        self.assertEqual(first['headers']['webhook-id'],
                         second['headers']['webhook-id'])
        self.assertEqual(first['body'], second['body'])
        self.assertLess(int(first['headers']['webhook-timestamp']),
                        int(second['headers']['webhook-timestamp']))
        self.assertNotIn('X-Promise-Signature', second['headers'])
        seen = set()
        headers, raw = second['headers'], second['body']
        self.assertTrue(VERIFIER.verify(secret, headers, raw, seen))
        self.assertFalse(VERIFIER.verify(secret, headers, raw, seen))
        later = int(headers['webhook-timestamp']) + VERIFIER.TOLERANCE + 1
        self.assertFalse(VERIFIER.verify(secret, headers, raw, set(),
                                         now=later))
        self.assertFalse(VERIFIER.verify(secret, headers,
                                         raw.replace(b'lease', b'LEASE'),
                                         set()))
        self.assertFalse(VERIFIER.verify('whsec_' + secret[6:][::-1],
                                         headers, raw, set()))
        # A fresh timestamp on an old message does not pass either.
        forged = dict(headers, **{'webhook-timestamp': str(
            int(headers['webhook-timestamp']) + 1)})
        self.assertFalse(VERIFIER.verify(secret, forged, raw, set()))


class IsolationTests(Helpers):

    # Three senders per manager, two per project: project A's stuck
    # receivers may hold two of each manager's, never the third.
    DEPLOYMENT = {
        'manager.plugins': 'physical:host',
        'notifications.delivery_interval': 1,
        'notifications.delivery_workers': 3,
        'notifications.delivery_workers_per_project': 2,
        'notifications.webhook_timeout': 60,
        'notifications.threshold_interval': 0,
        'notifications.webhook_allowed_networks': '127.0.0.2/32',
    }

    def test_slow_receivers_of_one_project_do_not_stall_another(self):
        slow = self.receiver()
        gate = threading.Event()
        self.addCleanup(gate.set)
        slow.gate = gate
        fast = self.receiver()
        other = project()
        a_sub = self.subscribe(slow.url)
        b_sub = self.subscribe(fast.url, who=other)
        for _ in range(6):
            self.create_lease(who=self.who)
        slow.wait_for(lambda r: len(r) >= 2, timeout=30,
                      what="A's first sends")
        self.create_lease(who=other)
        fast.wait_for(lambda r: len(r) == 1, timeout=30,
                      what="B's webhook while A's hang")
        managers = len(self.deployment.managers)
        # While every A send still hangs at the gate: at most two per
        # manager were taken, none finished, B was delivered.
        rows = self.deliveries(a_sub['id'])
        self.assertEqual(6, len(rows))
        sending = len([r for r in rows if r['status'] == 'sending'])
        self.assertLessEqual(len(slow.received), sending)
        self.assertLessEqual(sending, 2 * managers)
        self.assertEqual(0, sum(r['attempts'] for r in rows))
        [b_row] = func_fixtures.wait_for(
            lambda: [r for r in self.deliveries(b_sub['id'], who=other)
                     if r['status'] == 'delivered'], 30, what="B recorded")
        self.assertEqual(1, b_row['attempts'])
        gate.set()
        func_fixtures.wait_for(
            lambda: all(r['status'] == 'delivered'
                        for r in self.deliveries(a_sub['id'])), 60,
            what="A's webhooks once the receiver answers")


class TestWebhookEdgesMySQL(EdgeTests, base.MySQLMixin,
                            base.FunctionalTestCase):
    pass


class TestWebhookEdgesPostgreSQL(EdgeTests, base.PostgreSQLMixin,
                                 base.FunctionalTestCase):
    pass


class TestWebhookIsolationMySQL(IsolationTests, base.MySQLMixin,
                                base.FunctionalTestCase):
    pass


class TestWebhookIsolationPostgreSQL(IsolationTests, base.PostgreSQLMixin,
                                     base.FunctionalTestCase):
    pass
