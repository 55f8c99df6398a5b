"""Every due lease event runs exactly once, with two managers competing."""

import collections
import datetime
import time

from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures

LEASES = 20


class EventsRunOnceTests:

    def test_every_due_event_runs_exactly_once(self):
        notifications = self.useFixture(func_fixtures.NotificationCollector(
            self.deployment.config.notification_topic))
        func_fixtures.wait_for(
            lambda: func_fixtures.consumer_count(
                self.deployment.config.notification_topic + '.info') >= 1,
            30, what='the notification listener')

        # End on a minute boundary one to two minutes from now (the API
        # takes minutes only), so every lease starts now and ends soon.
        now = base.utcnow()
        end = now.replace(second=0, microsecond=0) + datetime.timedelta(
            minutes=2)
        ids = []
        for i in range(LEASES):
            lease = self.create_lease(name='once-%02d' % i, start='now',
                                      end=base.api_date(end))
            ids.append(lease['id'])
        self.assertEqual(LEASES, len(set(ids)))

        # Wait until each lease has terminated on its own.
        deadline = (end - base.utcnow()).total_seconds() + 90
        leases = {}

        def all_terminated():
            for lease_id in ids:
                if leases.get(lease_id, {}).get('status') == 'TERMINATED':
                    continue
                lease = self.get_lease(lease_id)
                # TERMINATED comes a moment before the end event is DONE.
                if lease['status'] != 'TERMINATED' or any(
                        e['status'] != 'DONE' for e in lease['events']):
                    return False
                leases[lease_id] = lease
            return True

        func_fixtures.wait_for(all_terminated, deadline, interval=2,
                               what='%d leases to terminate' % LEASES)
        for service in self.deployment.services:
            service.check_running()

        # Every event of every lease ran, and is DONE.
        expected = collections.Counter()
        for lease_id in ids:
            lease = self.get_lease(lease_id)
            self.assertEqual('TERMINATED', lease['status'])
            types = sorted(e['event_type'] for e in lease['events'])
            self.assertIn('start_lease', types)
            self.assertIn('end_lease', types)
            for event in lease['events']:
                self.assertEqual('DONE', event['status'], event)
                expected[(lease_id, event['event_type'])] += 1
            self.assertLessEqual(base.parse_out_date(lease['end_date']),
                                 base.utcnow())

        # Notifications still in flight arrive within a few seconds; then
        # wait a little more so that a duplicate would show up too.
        def counted():
            got = collections.Counter()
            for n in notifications.events('lease.event.'):
                got[(self._lease_id(n['payload']),
                     n['event_type'][len('lease.event.'):])] += 1
            return got

        func_fixtures.wait_for(
            lambda: all(counted()[key] >= 1 for key in expected), 30,
            what='one notification per event')
        time.sleep(5)
        got = counted()
        problems = {'%s %s' % key: got[key]
                    for key in set(expected) | set(got)
                    if got[key] != expected[key]}
        self.assertEqual({}, problems,
                         'events that did not run exactly once '
                         '(lease event: runs)')
        for lease_id in ids:
            self.assertEqual(1, got[(lease_id, 'start_lease')])
            self.assertEqual(1, got[(lease_id, 'end_lease')])
        # Blazar's publisher and payload keys, for Blazar's consumers.
        publishers = {n['publisher_id'] for n in notifications.events()}
        self.assertEqual({'blazar.lease'}, publishers)
        for n in notifications.events('lease.'):
            self.assertLessEqual(
                {'lease_id', 'user_id', 'project_id', 'start_date',
                 'end_date', 'status', 'reservations', 'events', 'name'},
                set(n['payload']), n)

    @staticmethod
    def _lease_id(payload):
        return payload['lease_id']


class TestEventsRunOnceMySQL(EventsRunOnceTests, base.MySQLMixin,
                             base.FunctionalTestCase):
    pass


class TestEventsRunOncePostgreSQL(EventsRunOnceTests, base.PostgreSQLMixin,
                                  base.FunctionalTestCase):
    pass
