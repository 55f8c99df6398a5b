"""The loop that runs due lease events (a claim loop, see db/claims).

Only the manager whose claim matched runs an event, so any number of
managers can share one database. The running manager renews its claim;
a claim expires [manager] event_claim_timeout after its last renewal, so
an event whose manager died is picked up again by another one (handlers
are idempotent), and one whose manager is slow is not. An event waits
for the unfinished earlier events of its lease; finishing one wakes the
loop for the next.
"""

import datetime
import os

from oslo_log import log as logging

from promise.db import api as db
from promise.db import claims
from promise.db import leases as lease_db
from promise import status

LOG = logging.getLogger(__name__)

BATCH = 50


class EventLoop(claims.ClaimLoop):

    what = 'events'

    def __init__(self, run_event, host, interval, claim_timeout, workers=4):
        # Two managers on one host must not share a claim name.
        super().__init__('%s:%d' % (host, os.getpid()), workers, 'event')
        self._run_event = run_event
        self._interval = interval
        self._claim_timeout = datetime.timedelta(seconds=claim_timeout)

    @property
    def interval(self):
        return self._interval

    @property
    def claim_timeout(self):
        return self._claim_timeout

    def next_due(self, session, now):
        # Events already due but blocked behind a running one are picked
        # up when that one finishes and wakes the loop.
        return lease_db.next_event_time(session, now)

    def due(self, session, now):
        return [_DueEvent(e.id, e.lease_id, e.event_type)
                for e in lease_db.due_events(session, now, BATCH)]

    def claim(self, session, event, now, until):
        return lease_db.claim_event(session, event.id, self.owner, now,
                                    until)

    def item_id(self, event):
        return event.id

    # Nova may take longer than a claim lasts: a running event's claim is
    # renewed, so no other manager starts it a second time.
    renewable = True

    def renew(self, session, event, until):
        return lease_db.renew_claim(session, event.id, self.owner, until)

    def handle(self, event):
        LOG.info('Running %s of lease %s', event.event_type, event.lease_id)
        result, message = status.Event.DONE, None
        finish = _Finish(event.id, self.owner)
        try:
            self._run_event(event, finish)
        except Exception as exc:
            if db.transient(exc):
                self._release(event, exc)
                return
            LOG.exception('%s of lease %s failed', event.event_type,
                          event.lease_id)
            result, message = status.Event.ERROR, str(exc)
        if finish.ran and result == status.Event.DONE:
            # The handler recorded the outcome with its own work.
            if not finish.held:
                LOG.warning('Event %s was taken over by another manager '
                            'before it finished here', event.id)
            return
        try:
            with db.writer() as session:
                if not lease_db.finish_event(session, event.id, self.owner,
                                             result, message):
                    LOG.warning('Event %s was taken over by another '
                                'manager before it finished here', event.id)
        except Exception:
            LOG.exception('Could not record the outcome of event %s',
                          event.id)

    def _release(self, event, exc):
        """The database went away (or a cluster node with it) in the
        middle: the event runs again from the start (handlers are
        idempotent), now if the database answers, else once the claim
        expires."""
        LOG.warning('%s of lease %s was interrupted by the database (%s); '
                    'it will run again', event.event_type, event.lease_id,
                    exc)
        try:
            with db.writer() as session:
                lease_db.release_event(session, event.id, self.owner)
        except Exception as again:
            LOG.warning('Event %s stays claimed until its claim expires: '
                        '%s', event.id, again)


class _Finish:
    """Records an event as done inside a handler's own transaction (see
    LeaseManager.run_event); ``held``: whether the claim was still ours."""

    def __init__(self, event_id, owner):
        self.event_id, self.owner = event_id, owner
        self.ran = self.held = False

    def __call__(self, session):
        self.ran = True
        self.held = lease_db.finish_event(session, self.event_id, self.owner,
                                          status.Event.DONE)
        return self.held


class _DueEvent:
    __slots__ = ('id', 'lease_id', 'event_type')

    def __init__(self, event_id, lease_id, event_type):
        self.id = event_id
        self.lease_id = lease_id
        self.event_type = event_type
