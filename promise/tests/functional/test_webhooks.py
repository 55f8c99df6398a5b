"""Webhook subscriptions against real promise-api and promise-managers on
RabbitMQ and MariaDB / PostgreSQL: signed deliveries to a 127.0.0.2
receiver, the outbox surviving SIGKILLed managers, retries until a
receiver comes back, and capacity threshold crossings
(test_webhook_edges: refused targets, cut attempts, replays)."""

import collections
import datetime
import os
import signal
import time
import uuid

import sqlalchemy as sa

from promise.notifications import delivery
from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures
from promise.tests.unit import test_subscriptions_outbox as outbox_tests

SECRET = 'webhook-secret'
KEY = 'yZaGGwmP7MvYv7sfxkGD3bY5nA7tXDsT3bZEPgqQmUo='


def project():
    suffix = uuid.uuid4().hex[:8]
    return {'user': 'user-' + suffix, 'project': 'project-' + suffix}


class WebhookTests:

    DEPLOYMENT = {
        'manager.plugins': 'physical:host',
        'notifications.delivery_interval': 1,
        'notifications.retry_initial_delay': 1,
        'notifications.retry_max_delay': 2,
        'notifications.max_attempts': 100,
        'notifications.webhook_timeout': 1,
        'notifications.delivery_claim_timeout': 5,
        'notifications.threshold_interval': 1,
        # The test receivers listen on 127.0.0.2, the only address
        # opened (never all of loopback).
        'notifications.webhook_allowed_networks': '127.0.0.2/32',
        'notifications.secret_encryption_keys': KEY,
    }

    def setUp(self):
        super().setUp()
        self.receiver = outbox_tests.Receiver().start()
        self.addCleanup(self.receiver.stop)
        self.who = project()

    def subscribe(self, event_types, **body):
        body.update(event_types=event_types, url=self.receiver.url,
                    secret=SECRET)
        resp = self.request('POST', '/v1/subscriptions', who=self.who,
                            json=body)
        self.assertEqual(201, resp.status_code, resp.text)
        sub = resp.json()['subscription']
        self.assertNotIn('secret', sub)
        return sub

    def accepted(self, event_type=None):
        """Signed bodies the receiver answered 2xx, checking each
        signature."""
        bodies = []
        for body, headers, raw in self.receiver.accepted():
            self.assertTrue(outbox_tests.verify(SECRET, headers, raw),
                            'bad signature on %r' % raw)
            if event_type in (None, body['event_type']):
                bodies.append(body)
        return bodies

    def wait_accepted(self, count, event_type=None, timeout=60):
        func_fixtures.wait_for(
            lambda: len(self.accepted(event_type)) >= count, timeout,
            interval=0.2,
            what='%d %s webhook(s)' % (count, event_type or 'any'))
        return self.accepted(event_type)

    def deliveries(self, sub_id):
        resp = self.request('GET', '/v1/subscriptions/%s/deliveries?limit='
                            '1000' % sub_id, who=self.who)
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['deliveries']

    def kill(self, manager):
        os.killpg(manager.process.pid, signal.SIGKILL)
        manager.process.wait(10)

    # -- tests ----------------------------------------------------------------

    def test_lease_create_start_end_arrive_signed(self):
        sub = self.subscribe(['lease.create', 'lease.event.start_lease',
                              'lease.event.end_lease'])
        lease = self.create_lease(who=self.who)
        self.wait_accepted(1, 'lease.event.start_lease')
        resp = self.request('PUT', '/v1/leases/%s' % lease['id'],
                            who=self.who, json={'end_date': 'now'})
        self.assertEqual(200, resp.status_code, resp.text)
        self.wait_accepted(1, 'lease.event.end_lease')
        # Anything sent twice would show up within a few seconds.
        time.sleep(3)
        got = self.accepted()
        self.assertEqual(
            ['lease.create', 'lease.event.end_lease',
             'lease.event.start_lease'],
            sorted(b['event_type'] for b in got))
        for body in got:
            self.assertEqual({'id', 'event_type', 'timestamp', 'payload'},
                             set(body))
            self.assertEqual(lease['id'], body['payload']['lease']['id'])
            self.assertEqual(self.who['project'],
                             body['payload']['lease']['project_id'])
        by_type = {b['event_type']: b for b in got}
        self.assertEqual(
            'ACTIVE',
            by_type['lease.event.start_lease']['payload']['lease']['status'])
        self.assertEqual(
            'TERMINATED',
            by_type['lease.event.end_lease']['payload']['lease']['status'])
        rows = self.deliveries(sub['id'])
        self.assertEqual({b['id'] for b in got}, {r['id'] for r in rows})
        self.assertEqual({'delivered'}, {r['status'] for r in rows})
        # At rest the secret is a Fernet token only.
        with self.deployment.db.engine.connect() as conn:
            plain, sealed = conn.execute(sa.text(
                'SELECT secret, secret_encrypted FROM subscriptions WHERE '
                'id = :s'), {'s': sub['id']}).one()
        self.assertIsNone(plain)
        self.assertNotIn(SECRET, sealed)

    def test_sigkilled_managers_deliver_each_exactly_once(self):
        count = 8
        self.receiver.status = 503
        sub = self.subscribe(['lease.create'])
        ids = [self.create_lease(who=self.who)['id'] for _ in range(count)]

        # Every delivery failed at least once and waits for a retry.
        func_fixtures.wait_for(
            lambda: len([r for r in self.deliveries(sub['id'])
                         if r['attempts'] >= 1]) == count,
            60, what='a failed attempt of each delivery')
        managers = self.deployment.managers
        for manager in managers:
            self.kill(manager)
        self.deployment.wait_managers(0)
        self.receiver.status = 200
        time.sleep(2)
        self.assertEqual([], self.accepted())
        self.assertEqual(count, len([r for r in self.deliveries(sub['id'])
                                     if r['status'] != 'delivered']))

        for manager in managers:
            manager.start()
        self.deployment.wait_managers(len(managers))
        self.wait_accepted(count, timeout=90)
        time.sleep(5)
        got = self.accepted()
        per_id = collections.Counter(b['id'] for b in got)
        self.assertEqual({1}, set(per_id.values()), per_id)
        self.assertEqual(sorted(ids),
                         sorted(b['payload']['lease']['id'] for b in got))
        rows = self.deliveries(sub['id'])
        self.assertEqual(set(per_id), {r['id'] for r in rows})
        self.assertEqual({'delivered'}, {r['status'] for r in rows})
        with self.deployment.db.engine.connect() as conn:
            self.assertEqual(count, conn.execute(sa.text(
                'SELECT COUNT(*) FROM deliveries WHERE subscription_id = '
                ':s'), {'s': sub['id']}).scalar())

    def test_receiver_that_was_down_gets_the_event_later(self):
        self.receiver.stop()
        sub = self.subscribe(['lease.*'])
        lease = self.create_lease(
            who=self.who,
            start=base.api_date(base.utcnow() + datetime.timedelta(days=1)),
            end=base.api_date(base.utcnow() + datetime.timedelta(days=2)))

        def failing():
            rows = self.deliveries(sub['id'])
            # Between attempts: while one is in flight the row is
            # 'sending' with the attempts made so far.
            return (rows and rows[0]['attempts'] >= 2 and
                    rows[0]['status'] == 'pending' and rows[0])
        row = func_fixtures.wait_for(failing, 30, interval=0.3,
                                     what='two failed attempts')
        # A stable message, no network detail (no port scanner).
        self.assertIsNone(row['response_code'])
        self.assertEqual(delivery.NOT_ACCEPTED, row['error'])
        self.assertIsNotNone(row['next_attempt_at'])

        self.receiver.start()
        # Within the retry policy: the next attempt is at most
        # retry_max_delay (2 s) away.
        [body] = self.wait_accepted(1, timeout=15)
        self.assertEqual('lease.create', body['event_type'])
        self.assertEqual(lease['id'], body['payload']['lease']['id'])
        [row] = func_fixtures.wait_for(
            lambda: [r for r in self.deliveries(sub['id'])
                     if r['status'] == 'delivered'], 10, what='delivered')
        self.assertEqual(body['id'], row['id'])
        self.assertGreaterEqual(row['attempts'], 3)
        self.assertEqual(200, row['response_code'])

    def test_capacity_threshold_fires_once_per_crossing(self):
        self.add_hosts(3)
        sub = self.subscribe(['capacity.*'], threshold={
            'metric': 'available', 'op': 'lt', 'value': 2})
        self.assertFalse(sub['threshold']['crossed'])

        self.host_lease(2)  # available 3 -> 1: enters
        [first] = self.wait_accepted(1, 'capacity.change')
        self.assertEqual(
            {'subscription_id': sub['id'], 'metric': 'available',
             'op': 'lt', 'threshold': 2, 'value': 1,
             'resource_type': 'physical:host',
             'project_id': self.who['project']},
            {k: v for k, v in first['payload'].items() if k != 'time'})
        self.host_lease(1)  # 1 -> 0: still inside
        time.sleep(4)  # a few periodic evaluations in both managers
        self.assertEqual(1, len(self.accepted('capacity.change')))

        self.add_hosts(3)  # 0 -> 3: leaves (seen by periodic evaluation)
        func_fixtures.wait_for(
            lambda: not self.show(sub['id'])['threshold']['crossed'], 30,
            what='the threshold to be left')
        self.assertEqual(1, len(self.accepted('capacity.change')))

        self.host_lease(2)  # 3 -> 1: enters again
        self.wait_accepted(2, 'capacity.change')
        time.sleep(4)
        got = self.accepted('capacity.change')
        self.assertEqual([1, 1], [b['payload']['value'] for b in got])
        self.assertEqual(2, len({b['id'] for b in got}))

    # -- helpers --------------------------------------------------------------

    def show(self, sub_id):
        resp = self.request('GET', '/v1/subscriptions/%s' % sub_id,
                            who=self.who)
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['subscription']

    def add_hosts(self, count):
        """Reservable hosts, inserted directly (registering needs Nova)."""
        with self.deployment.db.engine.connect() as conn:
            top = conn.execute(sa.text(
                'SELECT COALESCE(MAX(id), 0) FROM hosts')).scalar()
        self.insert_hosts(range(top + 1, top + 1 + count),
                          prefix='webhook-compute')

    def host_lease(self, count):
        """Hosts held from now on (Nova is absent: starting the lease
        fails and is logged, the hosts stay held)."""
        return self.create_lease(
            who=self.who, reservations=[{
                'resource_type': 'physical:host', 'min': str(count),
                'max': str(count), 'hypervisor_properties': '',
                'resource_properties': ''}])


class TestWebhooksMySQL(WebhookTests, base.MySQLMixin,
                        base.FunctionalTestCase):
    pass


class TestWebhooksPostgreSQL(WebhookTests, base.PostgreSQLMixin,
                             base.FunctionalTestCase):
    pass
