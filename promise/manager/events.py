"""The loop that runs due lease events.

Each manager scans for due events and claims each one with a conditional
UPDATE before running it; only the manager whose UPDATE matched runs the
event, so any number of managers can share one database. A claim expires
after [manager] event_claim_timeout, so an event whose manager died is
picked up again by another one (handlers are idempotent).
"""

import concurrent.futures
import datetime
import os
import threading

from oslo_log import log as logging

from promise.common import dates
from promise.db import api as db
from promise.db import leases as lease_db
from promise import status

LOG = logging.getLogger(__name__)

BATCH = 50


class EventLoop:

    def __init__(self, run_event, host, interval, claim_timeout, workers=4):
        self._run_event = run_event
        # Two managers on one host must not share a claim name.
        self.owner = '%s:%d' % (host, os.getpid())
        self._interval = interval
        self._claim_timeout = datetime.timedelta(seconds=claim_timeout)
        self._workers = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix='promise-event')
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name='promise-event-loop')
        self._thread.start()

    def wake(self):
        self._wake.set()

    def stop(self):
        self._stopping.set()
        self._wake.set()

    def wait(self):
        if self._thread is not None:
            self._thread.join()
        self._workers.shutdown(wait=True)

    def _loop(self):
        while not self._stopping.is_set():
            self._wake.clear()
            delay = self._interval
            try:
                self.run_once()
                delay = self._until_next_event()
            except Exception:
                LOG.exception('Scanning for due events failed')
            self._wake.wait(delay)

    def _until_next_event(self):
        # Sleep until the next event is due rather than a whole interval, so
        # leases start on time; the interval still bounds the sleep because
        # another manager's API calls may add earlier events.
        now = dates.utcnow()
        with db.reader() as session:
            # Events already due but blocked behind a running one are
            # picked up when that one finishes and wakes the loop.
            upcoming = lease_db.next_event_time(session, now)
        if upcoming is None:
            return self._interval
        seconds = (upcoming - now).total_seconds()
        return min(self._interval, max(0.05, seconds))

    def run_once(self):
        """Claim and start every event due now; returns the claimed ids."""
        now = dates.utcnow()
        with db.reader() as session:
            due = [(e.id, e.lease_id, e.event_type)
                   for e in lease_db.due_events(session, now, BATCH)]
        claimed = []
        for event_id, lease_id, event_type in due:
            with db.writer() as session:
                won = lease_db.claim_event(session, event_id, self.owner,
                                           now, now + self._claim_timeout)
            if won:
                claimed.append(event_id)
                self._workers.submit(self._run, event_id, lease_id,
                                     event_type)
        return claimed

    def _run(self, event_id, lease_id, event_type):
        LOG.info('Running %s of lease %s', event_type, lease_id)
        result, message = status.Event.DONE, None
        try:
            self._run_event(_DueEvent(event_id, lease_id, event_type))
        except Exception as exc:
            LOG.exception('%s of lease %s failed', event_type, lease_id)
            result, message = status.Event.ERROR, str(exc)
        try:
            with db.writer() as session:
                if not lease_db.finish_event(session, event_id, self.owner,
                                             result, message):
                    LOG.warning('Event %s was taken over by another '
                                'manager before it finished here', event_id)
        except Exception:
            LOG.exception('Could not record the outcome of event %s',
                          event_id)
        # The lease's next event may already be due.
        self._wake.set()


class _DueEvent:
    __slots__ = ('id', 'lease_id', 'event_type')

    def __init__(self, event_id, lease_id, event_type):
        self.id = event_id
        self.lease_id = lease_id
        self.event_type = event_type
