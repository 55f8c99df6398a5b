"""Lease notifications on the oslo.messaging notifier, received by a real
notification listener on the fake transport."""

import threading

import oslo_messaging as messaging

from promise.common import transport
from promise import exceptions
from promise.tests.unit import base
from promise.tests.unit import fakes


class Collector:

    def __init__(self):
        self.received = []
        self.changed = threading.Condition()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        with self.changed:
            self.received.append((publisher_id, event_type, payload))
            self.changed.notify_all()

    def wait_for(self, count, timeout=10):
        with self.changed:
            self.changed.wait_for(lambda: len(self.received) >= count,
                                  timeout)
        return [r[1] for r in self.received]


class TestNotifications(base.LeaseTestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='oslo_messaging_notifications',
                   driver=['messagingv2'], topics=['promise_test'])
        self.collector = Collector()
        listener = messaging.get_notification_listener(
            transport.notification_transport(),
            [messaging.Target(topic='promise_test')], [self.collector],
            executor='threading')
        # One dispatch thread: the tests compare the order of arrival.
        listener.start(override_pool_size=1)
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)

    def test_lifecycle_notifications(self):
        now = base.utcnow()
        lease_id = self.create_lease(name='noisy',
                                     start=now - base.hours(1),
                                     end=now + base.hours(3))
        self.manager.update_view(self.context, lease_id, {'name': 'louder'})
        for kind in (fakes.START, fakes.BEFORE_END, fakes.END):
            self.manager.run_event(fakes.DueEvent(lease_id, kind))
        self.manager.delete(self.context, lease_id)
        self.assertEqual(
            ['lease.create', 'lease.update', 'lease.event.start_lease',
             'lease.event.before_end_lease', 'lease.event.end_lease',
             'lease.delete'],
            self.collector.wait_for(6))
        publisher, _, lease = self.collector.received[0]
        # Blazar's publisher and flat payload, for Blazar's consumers.
        self.assertEqual('blazar.lease', publisher)
        self.assertLessEqual(
            {'lease_id', 'user_id', 'project_id', 'trust_id', 'start_date',
             'end_date', 'status', 'reservations', 'events', 'name',
             'created_at', 'updated_at', 'degraded'}, set(lease))
        self.assertNotIn('lease', lease)
        self.assertEqual(lease_id, lease['lease_id'])
        self.assertEqual('noisy', lease['name'])
        self.assertEqual('project-a', lease['project_id'])
        self.assertRegex(lease['start_date'],
                         r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')
        self.assertEqual(3, len(lease['events']))
        self.assertEqual(1, len(lease['reservations']))
        self.assertEqual('louder', self.collector.received[1][2]['name'])
        self.assertEqual('ACTIVE', self.collector.received[2][2]['status'])
        self.assertEqual('TERMINATED',
                         self.collector.received[4][2]['status'])

    def test_publisher_is_configurable(self):
        self.flags(group='notifications', publisher_id='promise.lease')
        lease_id = self.create_lease()
        self.collector.wait_for(1)
        publisher, _, payload = self.collector.received[0]
        self.assertEqual(('promise.lease', lease_id),
                         (publisher, payload['lease_id']))

    def test_refused_changes_are_not_announced(self):
        lease_id = self.create_lease()
        self.set_status(lease_id, 'STARTING')
        self.assertRaises(exceptions.InvalidStatus, self.manager.delete,
                          self.context, lease_id)
        # A later notification proves nothing was sent in between.
        self.create_lease(name='second')
        self.assertEqual(['lease.create', 'lease.create'],
                         self.collector.wait_for(2))
