"""The claim loop that runs rows due for work (lease events, webhook
deliveries) in every manager, any number of managers sharing one database.

A loop reads the rows due now, takes each one with a conditional UPDATE
that also sets ``claimed_until``, runs the ones it won in a pool of
workers and sleeps until the next row is due (at most ``interval``: other
managers may add earlier rows). Invariant: a row is worked on by the one
manager whose UPDATE matched; a claim that outlives its manager expires at
``claimed_until`` and the row is due again, so the handlers must be safe
to run again, and record their outcome only while they still hold the
claim.

A claim of a ``renewable`` loop is renewed while its handler runs (a
heartbeat), so only a manager that died loses its claims; a slow one
keeps them.

A subclass supplies the queries (``due``, ``claim``, ``next_due``,
``renew``) and the work (``handle``); this module owns the threads and
the timing.
"""

import concurrent.futures
import threading

from oslo_log import log as logging

from promise.common import dates
from promise.db import api as db

LOG = logging.getLogger(__name__)

# The shortest sleep, so that a row due now that another worker still
# blocks does not make the loop spin.
MIN_DELAY = 0.05


class ClaimLoop:

    #: What the rows are, in log messages.
    what = 'rows'

    def __init__(self, owner, workers, name, bounded=False):
        """``bounded``: claim only as many rows as there are idle workers,
        so a claimed row never waits in a queue (its claim could expire
        there)."""
        self.owner = owner
        self._slots = (threading.BoundedSemaphore(workers) if bounded
                       else None)
        self._workers = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix='promise-%s' % name)
        self._thread_name = 'promise-%s-loop' % name
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = None

    # -- what a subclass supplies --------------------------------------------

    @property
    def interval(self):
        """The longest sleep between two scans, in seconds."""
        raise NotImplementedError

    @property
    def claim_timeout(self):
        """How long a claim lasts (a timedelta)."""
        raise NotImplementedError

    def due(self, session, now):
        """The rows to run now, as plain values (not ORM objects)."""
        raise NotImplementedError

    def claim(self, session, item, now, until):
        """Take ``item`` until ``until``; True only for the one winner."""
        raise NotImplementedError

    def item_id(self, item):
        return item

    def handle(self, item):
        """Run a claimed item and record its outcome."""
        raise NotImplementedError

    def next_due(self, session, now):
        """When the next row is due (None: nothing scheduled)."""
        raise NotImplementedError

    #: Whether a claim is renewed while its handler runs (renew()).
    renewable = False

    def renew(self, session, item, until):
        """Extend this loop's claim on ``item`` to ``until``; False when
        the claim is no longer this loop's."""
        raise NotImplementedError

    def periodic(self):
        """Called after each scan."""

    # -- the loop ------------------------------------------------------------

    def start(self):
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name=self._thread_name)
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
            delay = self.interval
            try:
                self.run_once()
                self.periodic()
                delay = self._until_next()
            except Exception:
                LOG.exception('Scanning for due %s failed', self.what)
            self._wake.wait(delay)

    def _until_next(self):
        interval = self.interval
        now = dates.utcnow()
        with db.reader() as session:
            upcoming = self.next_due(session, now)
        if upcoming is None:
            return interval
        seconds = (upcoming - now).total_seconds()
        return min(interval, max(MIN_DELAY, seconds))

    def run_once(self):
        """Claim and start every due row (with a free worker, when
        bounded); returns the claimed ids."""
        now = dates.utcnow()
        with db.reader() as session:
            due = self.due(session, now)
        claimed = []
        for item in due:
            if self._slots is not None and not self._slots.acquire(
                    blocking=False):
                # Busy: a finishing worker wakes the loop.
                break
            try:
                with db.writer() as session:
                    won = self.claim(session, item, now,
                                     now + self.claim_timeout)
            except Exception:
                self._release()
                raise
            if not won:
                self._release()
                continue
            claimed.append(self.item_id(item))
            try:
                self._workers.submit(self._run, item)
            except RuntimeError:
                # Shutting down; the claim expires and is taken over.
                self._release()
                break
        return claimed

    def _release(self):
        if self._slots is not None:
            self._slots.release()

    def _run(self, item):
        done = threading.Event()
        if self.renewable:
            threading.Thread(target=self._heartbeat, args=(item, done),
                             daemon=True,
                             name=self._thread_name + '-heartbeat').start()
        try:
            self.handle(item)
        except Exception:
            LOG.exception('Running %s %s failed', self.what,
                          self.item_id(item))
        finally:
            done.set()
            self._release()
            # The next row (of the same lease...) may be due already.
            self._wake.set()

    def _heartbeat(self, item, done):
        """Renew the claim every third of its timeout while the handler
        runs, so that a slow handler (Nova taking longer than the claim)
        is never taken over by another manager: only a dead one is."""
        period = self.claim_timeout.total_seconds() / 3
        while not done.wait(period):
            try:
                with db.writer() as session:
                    kept = self.renew(session, item,
                                      dates.utcnow() + self.claim_timeout)
            except Exception:
                # The next beat tries again; the claim lasts until then.
                LOG.exception('Renewing the claim on %s %s failed',
                              self.what, self.item_id(item))
                continue
            if not kept:
                LOG.warning('The claim on %s %s was lost while it ran',
                            self.what, self.item_id(item))
                return
