"""The outbox: which events a subscription sees, the rows the notifier
hook writes, claiming and sending them (signature, retries with backoff,
two senders never sending one row), and capacity threshold crossings."""

import datetime
import json
import threading

import fixtures
from oslo_config import cfg
import sqlalchemy as sa

from promise.db import api as db
from promise.db import models
from promise.db.models import subscriptions as sub_models
from promise.notifications import delivery
from promise.notifications import matching
from promise.notifications import notifier
from promise.notifications import outbox
from promise.notifications import subscriptions
from promise.notifications import thresholds
from promise.plugins.floatingips import plugin as fip_plugin
from promise.plugins.hosts import plugin as host_plugin
from promise.tests.unit import base
from promise.tests.unit import test_floatingips
from promise.tests.unit import test_offers
from promise.tests.unit import webhook_receiver

SECOND = datetime.timedelta(seconds=1)


# Kept here for the tests that import them from this module.
RECEIVER_HOST = webhook_receiver.RECEIVER_HOST
ALLOWED = webhook_receiver.ALLOWED
Receiver = webhook_receiver.Receiver
VERIFIER = webhook_receiver.VERIFIER
verify = webhook_receiver.verify


def lease_payload(lease_id='L1', project='p1', types=('physical:host',)):
    return {'lease': {'id': lease_id, 'project_id': project,
                      'reservations': [{'resource_type': t}
                                       for t in types]}}


class FakeSub:
    def __init__(self, patterns, project_id='p1', all_projects=False,
                 lease_id=None, resource_type=None, id='S1'):
        self.patterns = patterns
        self.project_id = project_id
        self.all_projects = all_projects
        self.lease_id = lease_id
        self.resource_type = resource_type
        self.id = id


class TestMatching(base.TestCase):

    def test_patterns(self):
        m = matching.pattern_matches
        self.assertTrue(m('lease.*', 'lease.create'))
        self.assertTrue(m('lease.*', 'lease.event.start_lease'))
        self.assertTrue(m('lease.event.*', 'lease.event.end_lease'))
        self.assertTrue(m('*', 'capacity.change'))
        self.assertTrue(m('lease.create', 'lease.create'))
        self.assertFalse(m('lease.create', 'lease.created'))
        self.assertFalse(m('lease.*', 'leases.create'))
        self.assertFalse(m('reservation.*', 'lease.update'))

    def test_known_patterns(self):
        for good in ('lease.*', 'lease.event.before_end_lease', '*',
                     'capacity.*', 'reservation.expired', 'lea*'):
            self.assertTrue(matching.known_pattern(good), good)
        for bad in ('lease.created', 'host.*', 'capacity', 'lease.'):
            self.assertFalse(matching.known_pattern(bad), bad)

    def test_project_scope(self):
        payload = lease_payload(project='p1')
        self.assertTrue(matching.matches(FakeSub(['lease.*']),
                                         'lease.create', payload))
        self.assertFalse(matching.matches(FakeSub(['lease.*'], 'p2'),
                                          'lease.create', payload))
        self.assertTrue(matching.matches(
            FakeSub(['lease.*'], 'p2', all_projects=True), 'lease.create',
            payload))
        self.assertFalse(matching.matches(FakeSub(['reservation.*']),
                                          'lease.create', payload))

    def test_lease_and_resource_type_filters(self):
        payload = lease_payload('L1', types=('physical:host',))
        self.assertTrue(matching.matches(
            FakeSub(['*'], lease_id='L1'), 'lease.update', payload))
        self.assertFalse(matching.matches(
            FakeSub(['*'], lease_id='L2'), 'lease.update', payload))
        self.assertTrue(matching.matches(
            FakeSub(['*'], resource_type='physical:host'), 'lease.update',
            payload))
        self.assertFalse(matching.matches(
            FakeSub(['*'], resource_type='flavor:instance'),
            'lease.update', payload))

    def test_capacity_change_goes_to_its_subscription_only(self):
        payload = {'subscription_id': 'S1', 'project_id': 'p1'}
        self.assertTrue(matching.matches(FakeSub(['capacity.*']),
                                         'capacity.change', payload))
        self.assertFalse(matching.matches(
            FakeSub(['*'], id='S2', all_projects=True), 'capacity.change',
            payload))
        self.assertFalse(matching.matches(FakeSub(['lease.*']),
                                          'capacity.change', payload))


class TestBackoff(base.TestCase):

    def test_backoff_doubles_up_to_the_maximum(self):
        self.assertEqual([10, 20, 40, 80, 160, 300, 300],
                         [delivery.backoff(n, 10, 300)
                          for n in range(1, 8)])
        # No overflow for absurd attempt counts.
        self.assertEqual(300, delivery.backoff(10 ** 6, 10, 300))

    def test_retry_schedule_ends_at_max_attempts_or_max_age(self):
        self.flags(group='notifications', retry_initial_delay=5,
                   retry_max_delay=60, max_attempts=4, max_age=3600)
        t0 = base.utcnow()
        self.assertEqual(t0 + 5 * SECOND, delivery.retry_at(1, t0, t0))
        self.assertEqual(t0 + 10 * SECOND, delivery.retry_at(2, t0, t0))
        self.assertEqual(t0 + 20 * SECOND, delivery.retry_at(3, t0, t0))
        self.assertIsNone(delivery.retry_at(4, t0, t0))
        late = t0 + datetime.timedelta(seconds=3596)
        self.assertIsNone(delivery.retry_at(1, t0, late))


class OutboxTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.subs = subscriptions.SubscriptionManager()

    def subscribe(self, event_types=('lease.*',), project='p1', **values):
        values.setdefault('url', 'http://127.0.0.1:9/hook')
        values['event_types'] = list(event_types)
        return self.subs.create(base.ctx(project_id=project), values)

    def deliveries(self, **where):
        d = sub_models.Delivery
        with db.reader() as session:
            stmt = sa.select(d).order_by(d.created_at, d.id)
            for key, value in where.items():
                stmt = stmt.where(getattr(d, key) == value)
            return list(session.scalars(stmt))

    def loop(self, owner='manager-a'):
        loop = delivery.DeliveryLoop(owner)
        self.addCleanup(loop.wait)
        return loop


class TestRecording(OutboxTestCase):

    def test_matching_subscriptions_get_one_row_each(self):
        mine = self.subscribe(['lease.*'])
        self.subscribe(['reservation.*'])
        self.subscribe(['lease.*'], project='p2')
        admin = self.subscribe(['*'], project='p2', all_projects=True)
        other_lease = self.subscribe(['lease.*'], lease_id='L2')
        ids = outbox.record('lease.create', lease_payload('L1', 'p1'))
        self.assertEqual(2, len(ids))
        rows = self.deliveries()
        self.assertEqual({mine, admin}, {r.subscription_id for r in rows})
        self.assertNotIn(other_lease, {r.subscription_id for r in rows})
        for row in rows:
            self.assertEqual(sub_models.PENDING, row.status)
            self.assertEqual(0, row.attempts)
            body = json.loads(row.body)
            self.assertEqual(row.id, body['id'])
            self.assertEqual('lease.create', body['event_type'])
            self.assertEqual(lease_payload('L1', 'p1'), body['payload'])
            self.assertIn('timestamp', body)

    def test_notify_records_deliveries(self):
        self.subscribe(['lease.event.*'])
        notifier.notify(base.ctx(), 'lease.event.start_lease',
                        lease_payload())
        notifier.notify(base.ctx(), 'lease.update', lease_payload())
        self.assertEqual(['lease.event.start_lease'],
                         [r.event_type for r in self.deliveries()])

    def test_a_broken_outbox_does_not_fail_the_event(self):
        self.subscribe(['lease.*'])
        self.useFixture(fixtures.MockPatchObject(
            outbox, 'record_in', side_effect=RuntimeError('outbox down')))
        notifier.notify(base.ctx(), 'lease.create', lease_payload())
        self.assertEqual([], self.deliveries())

    def test_deleting_a_subscription_deletes_its_deliveries(self):
        sub = self.subscribe()
        outbox.record('lease.create', lease_payload())
        self.assertEqual(1, len(self.deliveries()))
        self.subs.delete(base.ctx(), sub)
        self.assertEqual([], self.deliveries())


class TestClaims(OutboxTestCase):

    def setUp(self):
        super().setUp()
        self.subscribe()
        [self.delivery_id] = outbox.record('lease.create', lease_payload())

    def claim(self, owner, now=None, seconds=60):
        now = now or base.utcnow()
        with db.writer() as session:
            return outbox.claim(session, self.delivery_id, owner, now,
                                now + seconds * SECOND)

    def test_two_claimers_one_wins(self):
        barrier = threading.Barrier(8)
        results = []

        def claimer(n):
            barrier.wait()
            results.append(self.claim('manager-%d' % n))

        threads = [threading.Thread(target=claimer, args=(n,))
                   for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(1, results.count(True))
        [row] = self.deliveries()
        self.assertEqual(sub_models.SENDING, row.status)

    def test_a_claim_is_taken_over_only_after_it_expires(self):
        now = base.utcnow()
        self.assertTrue(self.claim('a', now, seconds=10))
        self.assertFalse(self.claim('b', now + 5 * SECOND))
        with db.reader() as session:
            self.assertEqual([], outbox.due(session, now + 5 * SECOND, 10))
            self.assertEqual([(self.delivery_id, 'p1')],
                             outbox.due(session, now + 11 * SECOND, 10))
        self.assertTrue(self.claim('b', now + 11 * SECOND))
        # The first claimer's late answer is not recorded over b's claim.
        with db.writer() as session:
            self.assertFalse(outbox.finish(
                session, self.delivery_id, 'a', now, sub_models.DELIVERED))
            self.assertTrue(outbox.finish(
                session, self.delivery_id, 'b', now, sub_models.DELIVERED))

    def test_a_pending_delivery_is_not_due_before_its_time(self):
        now = base.utcnow()
        with db.writer() as session:
            session.execute(sa.update(sub_models.Delivery).values(
                next_attempt_at=now + 30 * SECOND))
        self.assertFalse(self.claim('a', now))
        self.assertTrue(self.claim('a', now + 31 * SECOND))


class TestSending(OutboxTestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='notifications', retry_initial_delay=1,
                   retry_max_delay=4, max_attempts=3, webhook_timeout=5,
                   delivery_workers=4, threshold_interval=0,
                   webhook_allowed_networks=ALLOWED)
        self.receiver = Receiver().start()
        self.addCleanup(self.receiver.stop)

    def drain(self, *loops, until=None, timeout=20):
        """Run the loops' scans (not their threads) until ``until``."""
        def done():
            for loop in loops:
                loop.run_once()
            return until()
        base.wait_for(done, timeout=timeout, interval=0.05,
                      what='deliveries')

    def test_signed_webhook_is_delivered(self):
        sub = self.subscribe(url=self.receiver.url, secret='s3cret')
        [delivery_id] = outbox.record('lease.create', lease_payload())
        loop = self.loop()
        self.drain(loop, until=lambda: self.deliveries(
            status=sub_models.DELIVERED))
        [(body, headers, raw)] = self.receiver.accepted()
        self.assertEqual(delivery_id, body['id'])
        self.assertEqual('lease.create', body['event_type'])
        self.assertEqual(lease_payload(), body['payload'])
        self.assertEqual({'id', 'event_type', 'timestamp', 'payload'},
                         set(body))
        self.assertTrue(verify('s3cret', headers, raw))
        self.assertFalse(verify('other', headers, raw))
        self.assertEqual(delivery_id, headers['webhook-id'])
        self.assertEqual('application/json', headers['Content-Type'])
        self.assertEqual(delivery_id, headers['X-Promise-Delivery'])
        [row] = self.deliveries()
        self.assertEqual((1, 200, sub, None), (
            row.attempts, row.last_response_code, row.subscription_id,
            row.next_attempt_at))
        self.assertIsNotNone(row.delivered_at)

    def test_no_secret_no_signature(self):
        self.subscribe(url=self.receiver.url)
        outbox.record('lease.create', lease_payload())
        self.drain(self.loop(), until=self.receiver.accepted)
        [(_, headers, _)] = self.receiver.accepted()
        self.assertNotIn('webhook-signature', headers)
        self.assertNotIn('X-Promise-Signature', headers)

    def test_failures_are_retried_with_backoff_then_delivered(self):
        self.receiver.status = lambda n: 503 if n < 2 else 204
        self.subscribe(url=self.receiver.url, secret='k')
        outbox.record('lease.delete', lease_payload())
        loop = self.loop()
        loop.run_once()
        self.receiver.wait_for(lambda r: len(r) >= 1)
        row = base.wait_for(lambda: [
            r for r in self.deliveries() if r.attempts == 1], what='retry')
        [row] = row
        self.assertEqual((sub_models.PENDING, None, delivery.NOT_ACCEPTED),
                         (row.status, row.last_response_code,
                          row.last_error))
        delay = (row.next_attempt_at - row.updated_at).total_seconds()
        self.assertAlmostEqual(1, delay, delta=0.01)
        self.drain(loop, until=lambda: self.deliveries(
            status=sub_models.DELIVERED))
        [row] = self.deliveries()
        self.assertEqual((3, 204), (row.attempts, row.last_response_code))
        bodies = [r['body'] for r in self.receiver.received]
        # Every attempt sends the very same bytes, signed anew.
        self.assertEqual(1, len(set(bodies)))
        self.assertEqual(1, len({r['headers']['webhook-id']
                                 for r in self.receiver.received}))
        for r in self.receiver.received:
            self.assertTrue(verify('k', r['headers'], r['body']))

    def test_gives_up_after_max_attempts(self):
        self.receiver.stop()
        self.subscribe(url=self.receiver.url)
        outbox.record('lease.create', lease_payload())
        loop = self.loop()
        self.drain(loop, until=lambda: self.deliveries(
            status=sub_models.FAILED), timeout=30)
        [row] = self.deliveries()
        self.assertEqual(3, row.attempts)
        self.assertIsNone(row.last_response_code)
        self.assertEqual(delivery.NOT_ACCEPTED, row.last_error)
        self.assertIsNone(row.next_attempt_at)

    def test_denied_destination_fails_at_once(self):
        # The receiver's own address, no longer allowed: refused at the
        # send, nothing reaches it.
        self.conf.clear_override('webhook_allowed_networks',
                                 group='notifications')
        self.subscribe(url=self.receiver.url)
        outbox.record('lease.create', lease_payload())
        self.drain(self.loop(), until=lambda: self.deliveries(
            status=sub_models.FAILED))
        [row] = self.deliveries()
        self.assertEqual(1, row.attempts)
        self.assertEqual(delivery.REFUSED, row.last_error)
        self.assertEqual([], self.receiver.received)

    def test_two_loops_never_send_a_row_twice(self):
        self.subscribe(url=self.receiver.url)
        self.subscribe(url=self.receiver.url, project='p9',
                       all_projects=True)
        for i in range(15):
            outbox.record('lease.create', lease_payload('L%d' % i))
        loops = [self.loop('manager-a'), self.loop('manager-b')]
        barrier = threading.Barrier(2)

        def run(loop):
            barrier.wait()
            self.drain(loop, until=lambda: len(self.deliveries(
                status=sub_models.DELIVERED)) == 30)

        threads = [threading.Thread(target=run, args=(lp,))
                   for lp in loops]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = [body['id'] for body, _, _ in self.receiver.accepted()]
        self.assertEqual(30, len(ids))
        self.assertEqual(30, len(set(ids)))
        owners = {r.claimed_by for r in self.deliveries()}
        self.assertLessEqual(owners, {'manager-a', 'manager-b'})

    def test_a_dead_managers_claim_is_taken_over(self):
        self.subscribe(url=self.receiver.url)
        [delivery_id] = outbox.record('lease.create', lease_payload())
        now = base.utcnow()
        with db.writer() as session:
            # Claimed by a manager that died before sending.
            # Long enough that a slow commit cannot outlast it before the
            # first scan below, short enough for drain() to see it lapse.
            self.assertTrue(outbox.claim(session, delivery_id, 'dead', now,
                                         now + 3 * SECOND))
        loop = self.loop('alive')
        self.assertEqual([], loop.run_once())
        self.drain(loop, until=lambda: self.deliveries(
            status=sub_models.DELIVERED))
        [row] = self.deliveries()
        self.assertEqual('alive', row.claimed_by)
        self.assertEqual(1, len(self.receiver.accepted()))

    def test_the_running_loop_sends_new_deliveries_at_once(self):
        self.flags(group='notifications', delivery_interval=60)
        self.subscribe(url=self.receiver.url)
        loop = self.loop()
        loop.start()
        self.addCleanup(loop.stop)
        notifier.notify(base.ctx(), 'lease.create', lease_payload())
        self.receiver.wait_for(lambda r: len(r) == 1, timeout=10)


class TestThresholds(OutboxTestCase):

    def setUp(self):
        super().setUp()
        self.set_plugins({'physical:host': host_plugin.HostPlugin(
            test_offers.NoNova())})
        with db.writer() as session:
            for i in (1, 2, 3):
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=4, memory_mb=4096,
                    local_gb=10, reservable=True, generation=0))
        from promise.manager import leases as lease_manager
        self.leases = lease_manager.LeaseManager()
        self.addCleanup(self.leases.shutdown)

    def lease(self, count, project='p1'):
        now = base.utcnow()
        return self.leases.create_view(base.ctx(project_id=project), {
            'name': 'hosts-%d' % count, 'start_date': now,
            'end_date': now + base.hours(2),
            'reservations': [{'resource_type': 'physical:host', 'min': count,
                              'max': count, 'hypervisor_properties': '',
                              'resource_properties': ''}]})['id']

    def changes(self):
        return [json.loads(r.body)['payload']
                for r in self.deliveries(event_type='capacity.change')]

    def test_available_now(self):
        with db.reader() as session:
            self.assertEqual(3, thresholds.current(session))
        self.lease(2)
        with db.reader() as session:
            self.assertEqual(1, thresholds.current(session))

    def test_fires_once_per_crossing(self):
        sub = self.subscribe(['capacity.*'], threshold={
            'metric': 'available', 'op': 'lt', 'value': 2})
        self.subscribe(['lease.*'])
        self.assertEqual([], self.changes())
        first = self.lease(2)  # 3 -> 1: crosses into the condition
        [change] = self.changes()
        self.assertEqual({'subscription_id': sub, 'value': 1, 'op': 'lt',
                          'threshold': 2, 'metric': 'available',
                          'resource_type': 'physical:host'},
                         {k: change[k] for k in (
                             'subscription_id', 'value', 'op', 'threshold',
                             'metric', 'resource_type')})
        second = self.lease(1)  # 1 -> 0: still inside
        self.assertEqual(1, len(self.changes()))
        self.assertEqual([], notifier.check_thresholds())
        self.leases.delete(base.ctx(), second)  # 0 -> 1: still inside
        self.leases.delete(base.ctx(), first)  # 1 -> 3: leaves
        self.assertEqual(1, len(self.changes()))
        self.lease(3)  # 3 -> 0: enters again
        self.assertEqual(2, len(self.changes()))

    def test_already_inside_when_created_does_not_fire(self):
        self.lease(3)
        self.subscribe(['capacity.change'], threshold={
            'metric': 'available', 'op': 'le', 'value': 0})
        self.assertEqual([], notifier.check_thresholds())
        self.assertEqual([], self.changes())

    def test_concurrent_evaluations_fire_once(self):
        self.subscribe(['capacity.*'], threshold={
            'metric': 'available', 'op': 'lt', 'value': 2})
        with db.writer() as session:
            session.execute(sa.update(models.Host).where(
                models.Host.id.in_([1, 2])).values(reservable=False))
        barrier = threading.Barrier(6)
        fired = []

        def evaluate():
            barrier.wait()
            fired.extend(thresholds.evaluate())

        threads = [threading.Thread(target=evaluate) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(1, len(fired))
        self.assertEqual(1, len(self.changes()))


class TestFloatingIPThresholds(OutboxTestCase):

    def setUp(self):
        super().setUp()
        self.set_plugins({'physical:host': host_plugin.HostPlugin(
            test_offers.NoNova()), 'virtual:floatingip':
            fip_plugin.FloatingIPPlugin(test_floatingips.FakeNeutron())})
        with db.writer() as session:
            for last in (100, 101):
                session.add(models.FloatingIP(
                    id='fip-%d' % last,
                    floating_network_id=test_floatingips.NET,
                    subnet_id='s', floating_ip_address='172.24.4.%d' % last,
                    reservable=True, generation=0))
        from promise.manager import leases as lease_manager
        self.leases = lease_manager.LeaseManager()
        self.addCleanup(self.leases.shutdown)

    def test_available_addresses_cross_a_threshold(self):
        sub = self.subscribe(['capacity.change'], threshold={
            'metric': 'available', 'op': 'lt', 'value': 1,
            'resource_type': 'virtual:floatingip'})
        now = base.utcnow()
        for amount in (1, 1):
            self.leases.create_view(base.ctx(project_id='p1'), {
                'name': 'fip', 'start_date': now,
                'end_date': now + base.hours(2),
                'reservations': [{'resource_type': 'virtual:floatingip',
                                  'network_id': test_floatingips.NET,
                                  'amount': amount}]})
        # 2 -> 1 stays outside; 1 -> 0 crosses in, once.
        [change] = [json.loads(r.body)['payload'] for r in
                    self.deliveries(event_type='capacity.change')]
        self.assertEqual((sub, 'virtual:floatingip', 0),
                         (change['subscription_id'], change['resource_type'],
                          change['value']))
        with db.reader() as session:
            self.assertEqual(0, thresholds.current(
                session, resource_type='virtual:floatingip'))


class TestConfig(base.TestCase):

    def test_claim_outlives_a_send(self):
        self.flags(group='notifications', delivery_claim_timeout=5,
                   webhook_timeout=10)
        loop = delivery.DeliveryLoop('x')
        self.addCleanup(loop.wait)
        self.assertGreaterEqual(loop.claim_timeout.total_seconds(), 35)

    def test_options_registered(self):
        self.assertIsInstance(cfg.CONF.notifications.max_attempts, int)
