"""The lease status machine, driven through LeaseManager on a real SQLite
database: which action is allowed from which status, and what it leads to.
"""

from promise import exceptions
from promise.manager import events
from promise import status
from promise.tests.unit import base
from promise.tests.unit import fakes

ALL_STATUSES = ('PENDING', 'ACTIVE', 'TERMINATED', 'ERROR', 'CREATING',
                'STARTING', 'UPDATING', 'TERMINATING', 'DELETING')

# The contract, written out independently of promise.status: a lease
# starts only once, from PENDING; it ends when ACTIVE (or, to clean up, after
# a failed start left it in ERROR); it can be changed before it ends; it can
# be deleted whenever it rests in a stable status. Nothing is allowed while
# another action holds the lease in a transitional status.
ALLOWED = {
    # An event finding its own transitional status resumes a run whose
    # manager died; finding its result already, it does nothing.
    'start': {'PENDING': 'ACTIVE', 'STARTING': 'ACTIVE', 'ACTIVE': 'ACTIVE'},
    'end': {'ACTIVE': 'TERMINATED', 'ERROR': 'TERMINATED',
            'TERMINATING': 'TERMINATED', 'TERMINATED': 'TERMINATED'},
    'update': {'PENDING': 'PENDING', 'ACTIVE': 'ACTIVE'},
    'delete': {'PENDING': None, 'ACTIVE': None, 'TERMINATED': None,
               'ERROR': None},
}


class TestStatusTable(base.LeaseTestCase):

    def _act(self, action, lease_id):
        if action == 'start':
            self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        elif action == 'end':
            self.manager.run_event(fakes.DueEvent(lease_id, fakes.END))
        elif action == 'update':
            self.manager.update_view(self.context, lease_id,
                                     {'name': 'changed'})
        else:
            self.manager.delete(self.context, lease_id)

    def test_status_names_match_the_wire_contract(self):
        self.assertEqual(set(ALL_STATUSES),
                         set(status.STABLE) | set(status.TRANSITIONAL))
        self.assertEqual(('PENDING', 'ACTIVE', 'TERMINATED', 'ERROR'),
                         status.STABLE)

    def test_every_action_from_every_status(self):
        for action, allowed in sorted(ALLOWED.items()):
            for source in ALL_STATUSES:
                lease_id = self.create_lease(name='%s-%s' % (action, source))
                self.set_status(lease_id, source)
                if source in allowed:
                    self._act(action, lease_id)
                    expected = allowed[source]
                    if expected is None:
                        self.assertFalse(self.lease_exists(lease_id),
                                         '%s from %s' % (action, source))
                    else:
                        self.assertEqual(
                            expected, self.get_lease(lease_id).status,
                            '%s from %s' % (action, source))
                else:
                    exc = self.assertRaises(exceptions.InvalidStatus,
                                            self._act, action, lease_id)
                    self.assertEqual(409, exc.code)
                    self.assertIn(source, exc.message)
                    lease = self.get_lease(lease_id)
                    self.assertEqual(source, lease.status,
                                     '%s from %s' % (action, source))
                    if action == 'update':
                        self.assertNotEqual('changed', lease.name)

    def test_delete_while_starting_is_a_conflict(self):
        lease_id = self.create_lease()
        self.set_status(lease_id, status.STARTING)
        exc = self.assertRaises(exceptions.InvalidStatus,
                                self.manager.delete, self.context, lease_id)
        self.assertEqual(409, exc.code)
        self.assertEqual(
            'Lease %s is STARTING; delete is only allowed when it is '
            'PENDING or ACTIVE or TERMINATED or ERROR.' % lease_id,
            exc.message)
        self.assertEqual(status.STARTING, self.get_lease(lease_id).status)

    def test_start_and_end_drive_the_plugin_and_reservations(self):
        lease_id = self.create_lease(reservations=2)
        self.assertEqual(['reserve', 'reserve', 'prepare', 'prepare'],
                         self.plugin.methods())
        self.clear_calls()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        lease = self.get_lease(lease_id)
        self.assertEqual('ACTIVE', lease.status)
        self.assertEqual(['active', 'active'],
                         [r.status for r in lease.reservations])
        self.assertEqual(['prepare', 'prepare', 'on_start', 'on_start'],
                         self.plugin.methods())
        self.clear_calls()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.BEFORE_END))
        self.assertEqual(['before_end', 'before_end'], self.plugin.methods())
        self.clear_calls()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.END))
        lease = self.get_lease(lease_id)
        self.assertEqual('TERMINATED', lease.status)
        self.assertEqual(['deleted', 'deleted'],
                         [r.status for r in lease.reservations])
        self.assertEqual(['on_end', 'on_end'], self.plugin.methods())

    def test_before_end_skips_a_lease_that_is_not_active(self):
        lease_id = self.create_lease()
        self.clear_calls()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.BEFORE_END))
        self.assertEqual([], self.plugin.calls)
        self.assertEqual('PENDING', self.get_lease(lease_id).status)

    def test_failing_plugin_on_start_puts_the_lease_in_error(self):
        lease_id = self.create_lease()
        self.plugin.fail['on_start'] = 'no hosts left'
        exc = self.assertRaises(RuntimeError, self.manager.run_event,
                                fakes.DueEvent(lease_id, fakes.START))
        self.assertEqual('no hosts left', str(exc))
        lease = self.get_lease(lease_id)
        self.assertEqual('ERROR', lease.status)
        self.assertIn('start failed', lease.status_reason)
        # The cause's own text (Nova's, in real life) stays in the log.
        self.assertNotIn('no hosts left', lease.status_reason)
        self.assertIn('Promise log under request', lease.status_reason)
        self.assertEqual(['pending'], [r.status for r in lease.reservations])

    def test_failing_start_through_the_event_loop_marks_the_event(self):
        lease_id = self.create_lease(start=base.utcnow() - base.hours(1))
        self.plugin.fail['on_start'] = 'nova said no'
        loop = events.EventLoop(self.manager.run_event, 'host-a',
                                interval=1, claim_timeout=600, workers=1)
        self.addCleanup(loop.wait)
        start = self.events(lease_id)[fakes.START]
        self.assertEqual([start.id], loop.run_once())
        base.wait_for(
            lambda: self.events(lease_id)[fakes.START].status != 'IN_PROGRESS',
            what='the start event to finish')
        start = self.events(lease_id)[fakes.START]
        self.assertEqual('ERROR', start.status)
        self.assertEqual('nova said no', start.message)
        self.assertIsNone(start.claimed_until)
        lease = self.get_lease(lease_id)
        self.assertEqual('ERROR', lease.status)
        self.assertNotIn('nova said no', lease.status_reason)

    def test_failing_end_puts_the_lease_in_error(self):
        lease_id = self.create_lease()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        self.plugin.fail['on_end'] = 'aggregate busy'
        self.assertRaises(RuntimeError, self.manager.run_event,
                          fakes.DueEvent(lease_id, fakes.END))
        lease = self.get_lease(lease_id)
        self.assertEqual('ERROR', lease.status)
        self.assertIn('end failed', lease.status_reason)
        self.assertNotIn('aggregate busy', lease.status_reason)
        # ... and the end can be run again once the cause is gone.
        del self.plugin.fail['on_end']
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.END))
        self.assertEqual('TERMINATED', self.get_lease(lease_id).status)

    def test_failing_prepare_at_create_does_not_fail_the_create(self):
        self.plugin.fail['prepare'] = 'nova is down'
        lease_id = self.create_lease()
        self.assertEqual('PENDING', self.get_lease(lease_id).status)

    def test_delete_of_an_active_lease_gives_resources_back(self):
        lease_id = self.create_lease()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        self.clear_calls()
        self.manager.delete(self.context, lease_id)
        self.assertEqual(['on_end', 'release'], self.plugin.methods())
        self.assertFalse(self.lease_exists(lease_id))

    def test_delete_of_a_pending_lease_only_releases(self):
        lease_id = self.create_lease()
        self.clear_calls()
        self.manager.delete(self.context, lease_id)
        self.assertEqual(['release'], self.plugin.methods())
        self.assertFalse(self.lease_exists(lease_id))

    def test_failing_delete_puts_the_lease_in_error(self):
        lease_id = self.create_lease()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        self.plugin.fail['on_end'] = 'cannot evacuate'
        self.assertRaises(RuntimeError, self.manager.delete, self.context,
                          lease_id)
        lease = self.get_lease(lease_id)
        self.assertEqual('ERROR', lease.status)
        self.assertIn('delete failed', lease.status_reason)
        self.assertNotIn('cannot evacuate', lease.status_reason)

    def test_start_date_of_an_active_lease_cannot_change(self):
        lease_id = self.create_lease()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        before = self.get_lease(lease_id).start_date
        exc = self.assertRaises(
            exceptions.InvalidInput, self.manager.update_view, self.context,
            lease_id, {'start_date': before + base.hours(1)})
        self.assertEqual(400, exc.code)
        self.assertEqual(before, self.get_lease(lease_id).start_date)

    def test_update_of_an_unknown_reservation_names_it(self):
        lease_id = self.create_lease()
        exc = self.assertRaises(
            exceptions.InvalidInput, self.manager.update_view, self.context,
            lease_id, {'reservations': [{'id': 'no-such-reservation'}]})
        self.assertIn('no-such-reservation', exc.message)

    def test_prolonging_rearms_a_done_before_end(self):
        now = base.utcnow()
        lease_id = self.create_lease(start=now - base.hours(2),
                                     end=now + base.hours(1))
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        before_end = self.events(lease_id)[fakes.BEFORE_END]
        self.set_event(before_end.id, status='DONE')
        new_end = base.minute(now) + base.hours(5)
        self.manager.update_view(self.context, lease_id,
                                 {'end_date': new_end})
        before_end = self.events(lease_id)[fakes.BEFORE_END]
        self.assertEqual('UNDONE', before_end.status)
        self.assertEqual(
            new_end - base.datetime.timedelta(
                minutes=self.conf.manager.minutes_before_end_lease),
            before_end.time)

    def test_update_waking_the_loop_when_an_event_becomes_due(self):
        now = base.utcnow()
        lease_id = self.create_lease(start=now - base.hours(1),
                                     end=now + base.hours(3))
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        del self.woken[:]
        self.manager.update_view(self.context, lease_id,
                                 {'end_date': base.utcnow()})
        self.assertEqual([True], self.woken)
        self.assertLess(self.events(lease_id)[fakes.END].time,
                        base.utcnow())

    def test_update_far_from_any_event_does_not_wake_the_loop(self):
        lease_id = self.create_lease()
        del self.woken[:]
        self.manager.update_view(self.context, lease_id, {'name': 'quiet'})
        self.assertEqual([], self.woken)
