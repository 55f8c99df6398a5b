"""The event loop: which events are due, claiming them, and leases driven
from PENDING to TERMINATED by ``run_once`` (event times are moved in the
database instead of sleeping)."""

import datetime
import sqlite3
import threading
import time

from oslo_db import exception as db_exc
import sqlalchemy as sa

from promise.db import api as db
from promise.db import leases as lease_db
from promise.db.models import subscriptions as sub_models
from promise.manager import events
from promise.notifications import subscriptions
from promise.tests.unit import base
from promise.tests.unit import fakes

SECOND = datetime.timedelta(seconds=1)


class EventsTestCase(base.LeaseTestCase):

    def due(self, now=None, limit=50):
        with db.reader() as session:
            return [(e.lease_id, e.event_type) for e in lease_db.due_events(
                session, now or base.utcnow(), limit)]

    def claim(self, event_id, owner, now=None, until=None):
        now = now or base.utcnow()
        until = until or now + datetime.timedelta(minutes=10)
        with db.writer() as session:
            return lease_db.claim_event(session, event_id, owner, now, until)

    def finish(self, event_id, owner, result='DONE', message=None):
        with db.writer() as session:
            return lease_db.finish_event(session, event_id, owner, result,
                                         message)

    def past_lease(self, name='past'):
        """A lease whose three events are all due."""
        now = base.utcnow()
        return self.create_lease(name=name, start=now - base.hours(3),
                                 end=now - base.hours(1))


class TestDueEvents(EventsTestCase):

    def test_future_events_are_not_due(self):
        self.create_lease()
        self.assertEqual([], self.due())

    def test_an_event_is_due_at_its_time(self):
        lease_id = self.create_lease()
        start = self.events(lease_id)[fakes.START]
        self.assertEqual([], self.due(now=start.time - SECOND))
        self.assertEqual([(lease_id, fakes.START)],
                         self.due(now=start.time))

    def test_end_is_not_due_while_start_is_unfinished(self):
        lease_id = self.past_lease()
        evs = self.events(lease_id)
        self.assertEqual([(lease_id, fakes.START)], self.due())
        self.assertTrue(self.claim(evs[fakes.START].id, 'a'))
        # Claimed and running: nothing else of this lease may run.
        self.assertEqual([], self.due())
        self.assertTrue(self.finish(evs[fakes.START].id, 'a'))
        self.assertEqual([(lease_id, fakes.BEFORE_END)], self.due())
        self.assertTrue(self.claim(evs[fakes.BEFORE_END].id, 'a'))
        self.assertEqual([], self.due())
        self.assertTrue(self.finish(evs[fakes.BEFORE_END].id, 'a'))
        self.assertEqual([(lease_id, fakes.END)], self.due())

    def test_a_failed_start_does_not_block_the_end(self):
        lease_id = self.past_lease()
        evs = self.events(lease_id)
        self.assertTrue(self.claim(evs[fakes.START].id, 'a'))
        self.assertTrue(self.finish(evs[fakes.START].id, 'a', 'ERROR',
                                    'boom'))
        self.assertEqual([(lease_id, fakes.BEFORE_END)], self.due())

    def test_events_at_the_same_time_run_start_before_end(self):
        lease_id = self.create_lease()
        evs = self.events(lease_id)
        when = base.minute(base.utcnow()) - base.hours(1)
        for ev in evs.values():
            self.set_event(ev.id, time=when)
        self.assertEqual([(lease_id, fakes.START)], self.due())
        self.claim(evs[fakes.START].id, 'a')
        self.finish(evs[fakes.START].id, 'a')
        self.assertEqual([(lease_id, fakes.BEFORE_END)], self.due())
        self.claim(evs[fakes.BEFORE_END].id, 'a')
        self.finish(evs[fakes.BEFORE_END].id, 'a')
        self.assertEqual([(lease_id, fakes.END)], self.due())

    def test_order_across_leases_is_time_then_start_before_end(self):
        when = base.minute(base.utcnow()) - base.hours(1)
        ending = self.create_lease(name='ending')
        starting = self.create_lease(name='starting')
        warning = self.create_lease(name='warning')
        early = self.create_lease(name='early')
        # ending: only its end is left, at `when`.
        evs = self.events(ending)
        for kind in (fakes.START, fakes.BEFORE_END):
            self.set_event(evs[kind].id, status='DONE',
                           time=when - base.hours(1))
        self.set_event(evs[fakes.END].id, time=when)
        # warning: started; its before_end is due at `when`.
        evs = self.events(warning)
        self.set_event(evs[fakes.START].id, status='DONE',
                       time=when - base.hours(1))
        self.set_event(evs[fakes.BEFORE_END].id, time=when)
        # starting: starts at `when`.
        self.set_event(self.events(starting)[fakes.START].id, time=when)
        # early: starts a minute before everything else.
        self.set_event(self.events(early)[fakes.START].id,
                       time=when - datetime.timedelta(minutes=1))
        self.assertEqual([(early, fakes.START), (starting, fakes.START),
                          (warning, fakes.BEFORE_END), (ending, fakes.END)],
                         self.due())
        self.assertEqual([(early, fakes.START), (starting, fakes.START)],
                         self.due(limit=2))


class TestClaims(EventsTestCase):

    def test_two_claimers_one_winner(self):
        lease_id = self.past_lease()
        start = self.events(lease_id)[fakes.START]
        self.assertTrue(self.claim(start.id, 'manager-a'))
        self.assertFalse(self.claim(start.id, 'manager-b'))
        start = self.events(lease_id)[fakes.START]
        self.assertEqual('IN_PROGRESS', start.status)
        self.assertEqual('manager-a', start.claimed_by)

    def test_concurrent_claimers_one_winner(self):
        lease_ids = [self.past_lease('lease-%d' % i) for i in range(5)]
        event_ids = [self.events(i)[fakes.START].id for i in lease_ids]
        results = {}
        barrier = threading.Barrier(4)

        def claimer(owner):
            barrier.wait()
            results[owner] = [self.claim(ev, owner) for ev in event_ids]

        threads = [threading.Thread(target=claimer, args=('m%d' % n,))
                   for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(4, len(results))
        for index, event_id in enumerate(event_ids):
            winners = [o for o, won in results.items() if won[index]]
            self.assertEqual(1, len(winners), event_id)
            ev = self.events(lease_ids[index])[fakes.START]
            self.assertEqual(winners[0], ev.claimed_by)

    def test_a_live_claim_is_not_due_and_not_taken(self):
        lease_id = self.past_lease()
        start = self.events(lease_id)[fakes.START]
        self.assertTrue(self.claim(start.id, 'a'))
        self.assertEqual([], self.due())
        self.assertFalse(self.claim(start.id, 'b'))

    def test_an_expired_claim_is_taken_over(self):
        lease_id = self.past_lease()
        start = self.events(lease_id)[fakes.START]
        now = base.utcnow()
        self.assertTrue(self.claim(start.id, 'dead-manager',
                                   now=now - base.hours(1),
                                   until=now - SECOND))
        self.assertEqual([(lease_id, fakes.START)], self.due(now=now))
        self.assertTrue(self.claim(start.id, 'live-manager', now=now))
        self.assertEqual('live-manager',
                         self.events(lease_id)[fakes.START].claimed_by)
        # The dead manager comes back: its outcome is refused ...
        self.assertFalse(self.finish(start.id, 'dead-manager', 'ERROR',
                                     'late'))
        start = self.events(lease_id)[fakes.START]
        self.assertEqual('IN_PROGRESS', start.status)
        self.assertIsNone(start.message)
        # ... the owner's is recorded.
        self.assertTrue(self.finish(start.id, 'live-manager'))
        start = self.events(lease_id)[fakes.START]
        self.assertEqual('DONE', start.status)
        self.assertIsNone(start.claimed_until)

    def test_finish_by_a_non_owner_is_refused(self):
        lease_id = self.past_lease()
        start = self.events(lease_id)[fakes.START]
        self.assertTrue(self.claim(start.id, 'owner'))
        self.assertFalse(self.finish(start.id, 'intruder'))
        self.assertEqual('IN_PROGRESS',
                         self.events(lease_id)[fakes.START].status)

    def test_a_finished_event_cannot_be_claimed_or_finished_again(self):
        lease_id = self.past_lease()
        start = self.events(lease_id)[fakes.START]
        self.assertTrue(self.claim(start.id, 'a'))
        self.assertTrue(self.finish(start.id, 'a'))
        self.assertFalse(self.claim(start.id, 'b'))
        self.assertFalse(self.finish(start.id, 'a', 'ERROR'))
        self.assertEqual('DONE', self.events(lease_id)[fakes.START].status)


class TestRunOnce(EventsTestCase):

    def make_loop(self, host='host-a'):
        loop = events.EventLoop(self.manager.run_event, host, interval=1,
                                claim_timeout=600, workers=2)
        self.addCleanup(loop.wait)
        return loop

    def wait_finished(self, lease_id, event_type):
        return base.wait_for(
            lambda: self.events(lease_id)[event_type].status
            not in ('UNDONE', 'IN_PROGRESS'),
            what='%s of %s to finish' % (event_type, lease_id))

    def test_a_lease_starting_now_runs_to_termination(self):
        now = base.utcnow()
        lease_id = self.create_lease(start=now, end=now + base.hours(3))
        self.assertEqual([True], self.woken)
        loop = self.make_loop()
        evs = self.events(lease_id)
        self.assertEqual([evs[fakes.START].id], loop.run_once())
        self.wait_finished(lease_id, fakes.START)
        self.assertEqual('DONE', self.events(lease_id)[fakes.START].status)
        self.assertEqual('ACTIVE', self.get_lease(lease_id).status)
        # Nothing else is due yet.
        self.assertEqual([], loop.run_once())
        # Time passes: move the remaining events into the past.
        for kind in (fakes.BEFORE_END, fakes.END):
            self.set_event(evs[kind].id, time=now - SECOND)
        self.assertEqual([evs[fakes.BEFORE_END].id], loop.run_once())
        self.wait_finished(lease_id, fakes.BEFORE_END)
        self.assertEqual('ACTIVE', self.get_lease(lease_id).status)
        self.assertEqual([evs[fakes.END].id], loop.run_once())
        self.wait_finished(lease_id, fakes.END)
        lease = self.get_lease(lease_id)
        self.assertEqual('TERMINATED', lease.status)
        self.assertEqual(['DONE', 'DONE', 'DONE'],
                         [e.status for e in lease.events])
        self.assertEqual(['reserve', 'prepare', 'prepare', 'on_start',
                          'before_end', 'on_end'], self.plugin.methods())
        self.assertEqual([], loop.run_once())

    def test_a_start_cut_by_the_database_runs_again(self):
        """A connection lost mid-start (a Galera node killed behind
        HAProxy) is not a failed start: the lease stays STARTING, the
        event is given back, and the next pass finishes it."""
        now = base.utcnow()
        lease_id = self.create_lease(start=now, end=now + base.hours(3))
        self.plugin.fail['on_start'] = db_exc.DBConnectionError(
            'Lost connection to MySQL server during query')
        loop = self.make_loop()
        loop.run_once()
        base.wait_for(lambda: self.events(lease_id)[fakes.START].status
                      == 'UNDONE', what='the start to be given back')
        self.assertEqual('STARTING', self.get_lease(lease_id).status)
        loop.run_once()
        self.wait_finished(lease_id, fakes.START)
        self.assertEqual('DONE', self.events(lease_id)[fakes.START].status)
        self.assertEqual('ACTIVE', self.get_lease(lease_id).status)
        self.assertEqual(2, self.plugin.methods().count('on_start'))

    def test_a_start_that_fails_otherwise_is_an_error(self):
        now = base.utcnow()
        lease_id = self.create_lease(start=now, end=now + base.hours(3))
        self.plugin.fail['on_start'] = 'Nova refused'
        self.make_loop().run_once()
        self.wait_finished(lease_id, fakes.START)
        self.assertEqual('ERROR', self.events(lease_id)[fakes.START].status)
        self.assertEqual('ERROR', self.get_lease(lease_id).status)

    def test_transient_failures(self):
        self.assertTrue(db.transient(db_exc.DBDeadlock()))
        self.assertTrue(db.transient(db_exc.DBConnectionError('gone')))
        wrapped = RuntimeError('start failed')
        wrapped.__cause__ = db_exc.DBError(
            sa.exc.OperationalError('SELECT 1', {}, Exception(
                1047, 'WSREP has not yet prepared node for application '
                      'use')))
        self.assertTrue(db.transient(wrapped))
        self.assertFalse(db.transient(RuntimeError('Nova refused')))
        self.assertFalse(db.transient(db_exc.DBDuplicateEntry()))

    def test_two_loops_never_run_one_event_twice(self):
        now = base.utcnow()
        lease_id = self.create_lease(start=now, end=now + base.hours(3))
        first, second = self.make_loop('host-a'), self.make_loop('host-b')
        self.assertNotEqual(first.owner, second.owner)
        claimed = first.run_once()
        self.assertEqual([], second.run_once())
        self.assertEqual(1, len(claimed))
        self.wait_finished(lease_id, fakes.START)
        self.assertEqual(1, self.plugin.methods().count('on_start'))
        self.assertEqual(first.owner,
                         self.events(lease_id)[fakes.START].claimed_by)

    def test_a_slow_start_keeps_its_claim(self):
        """A handler that runs past the claim's timeout (Nova being slow)
        renews its claim: another loop never takes the event over."""
        now = base.utcnow()
        lease_id = self.create_lease(start=now, end=now + base.hours(3))
        on_start = self.plugin.on_start
        release = threading.Event()

        def slow_start(*args):
            release.wait(10)
            on_start(*args)
        self.plugin.on_start = slow_start
        first = events.EventLoop(self.manager.run_event, 'host-a',
                                 interval=1, claim_timeout=0.6, workers=2)
        second = events.EventLoop(self.manager.run_event, 'host-b',
                                  interval=1, claim_timeout=0.6, workers=2)
        for loop in (first, second):
            self.addCleanup(loop.wait)
        self.addCleanup(release.set)
        self.assertEqual(1, len(first.run_once()))
        # Well past the first claim's timeout, several times over.
        for _ in range(6):
            time.sleep(0.4)
            self.assertEqual([], second.run_once())
        release.set()
        self.wait_finished(lease_id, fakes.START)
        self.assertEqual(1, self.plugin.methods().count('on_start'))
        self.assertEqual('DONE', self.events(lease_id)[fakes.START].status)

    def test_before_end_webhook_is_recorded_with_its_completion(self):
        """The before-end webhook is written in the transaction that marks
        the event done, and only by the manager that still holds it."""
        subscriptions.SubscriptionManager().create(self.context, {
            'event_types': ['lease.event.before_end_lease'],
            'url': 'http://127.0.0.1:9/hook'})
        now = base.utcnow()
        lease_id = self.create_lease(start=now - base.hours(1),
                                     end=now + base.hours(1))
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        before_end = self.events(lease_id)[fakes.BEFORE_END]

        def recorded():
            d = sub_models.Delivery
            with db.reader() as session:
                return session.scalar(sa.select(sa.func.count()).where(
                    d.event_type == 'lease.event.before_end_lease'))

        # Another manager took it over: this one announces nothing.
        self.assertTrue(self.claim(before_end.id, 'manager-a'))
        self.set_event(before_end.id, claimed_by='manager-b')
        finish = events._Finish(before_end.id, 'manager-a')
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.BEFORE_END),
                               finish)
        self.assertEqual((True, False, 0), (finish.ran, finish.held,
                                            recorded()))
        self.assertEqual('IN_PROGRESS',
                         self.events(lease_id)[fakes.BEFORE_END].status)
        # The holder records both at once.
        finish = events._Finish(before_end.id, 'manager-b')
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.BEFORE_END),
                               finish)
        self.assertEqual((True, 1), (finish.held, recorded()))
        self.assertEqual('DONE',
                         self.events(lease_id)[fakes.BEFORE_END].status)

    def test_the_running_service_loop_starts_a_lease(self):
        from promise.manager import service
        svc = service.ManagerService()
        svc.start()
        self.addCleanup(svc.wait)
        self.addCleanup(svc.stop)
        now = base.utcnow()
        lease_id = svc.lease_manager.create_view(
            self.context, {'name': 'svc', 'start_date': now,
                           'end_date': now + base.hours(3),
                           'reservations': []})['id']
        base.wait_for(lambda: self.get_lease(lease_id).status == 'ACTIVE',
                      what='the service to start the lease')


class TestSQLiteWriters(EventsTestCase):
    """promise-all keeps its database in SQLite, where the event loop and
    API requests write concurrently."""

    def test_a_start_waits_for_a_concurrent_writer(self):
        lease_id = self.past_lease()
        path = self.conf.database.connection[len('sqlite:///'):]
        other = sqlite3.connect(path, isolation_level=None, timeout=10)
        self.addCleanup(other.close)
        # Another transaction is writing (e.g. an API request creating a
        # lease) when the start event runs ...
        other.execute('BEGIN IMMEDIATE')
        other.execute("UPDATE leases SET name = 'renamed' WHERE id = ?",
                      (lease_id,))
        errors = []

        def start():
            try:
                self.manager.run_event(fakes.DueEvent(lease_id,
                                                      fakes.START))
            except Exception as exc:
                errors.append(exc)

        thread = threading.Thread(target=start)
        thread.start()
        thread.join(0.5)
        other.execute('COMMIT')
        thread.join(30)
        # ... it must wait for it (SQLite's busy timeout), not fail the
        # lease's start for good.
        self.assertEqual([], errors)
        self.assertEqual('ACTIVE', self.get_lease(lease_id).status)
