"""Work that follows a decision but must not delay its answer: the Nova
objects of a new reservation made, those of a lease deleted before it
started removed.

Jobs run on a small thread pool, and the jobs of one reservation run one
after the other in the order given: a lease deleted right after it was
created has its objects removed after its preparation made them, never
while it does. A job logs its own failures (both kinds are idempotent
and retried or tolerated elsewhere)."""

import concurrent.futures
import threading

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class Background:

    def __init__(self, workers=2):
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix='promise-background')
        self._lock = threading.Lock()
        # Reservation id -> the Future of its last job.
        self._last = {}

    def submit(self, key, fn, *args):
        """Run ``fn(*args)`` after the jobs already given for ``key``."""
        done = concurrent.futures.Future()
        with self._lock:
            prior = self._last.get(key)
            self._last[key] = done

        def run():
            try:
                fn(*args)
            except Exception:
                LOG.exception('Background job for %s failed', key)
            finally:
                with self._lock:
                    if self._last.get(key) is done:
                        del self._last[key]
                done.set_result(None)

        def start(_=None):
            try:
                self._pool.submit(run)
            except RuntimeError:
                # Shutting down: the job's work is retried or tolerated
                # elsewhere (preparation at the start, removal by name).
                LOG.warning('Background job for %s dropped at shutdown',
                            key)
                done.set_result(None)

        if prior is None:
            start()
        else:
            prior.add_done_callback(start)
        return done

    def drain(self):
        """Wait until every job given so far, and what they chain, ran."""
        while True:
            with self._lock:
                pending = list(self._last.values())
            if not pending:
                return
            concurrent.futures.wait(pending)

    def shutdown(self):
        self.drain()
        self._pool.shutdown(wait=True)
