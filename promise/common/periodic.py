"""A function run every N seconds on its own thread (no eventlet)."""

import threading

from oslo_log import log as logging

from promise import context
from promise import exceptions

LOG = logging.getLogger(__name__)


class Periodic:

    def __init__(self, name, interval, func):
        self.name = name
        self._interval = interval
        self._func = func
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        if self._interval <= 0:
            return
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name='promise-%s' % self.name)
        self._thread.start()

    def _loop(self):
        while not self._stopping.wait(self._interval):
            # A fresh request id for each pass: its log lines, and the
            # calls it makes to Nova and Placement, share it and no other.
            context.admin_context().update_store()
            try:
                self._func()
            except exceptions.ServiceNotConfigured as exc:
                # Said once at start (promise-manager); not every pass.
                LOG.debug('Periodic task %s skipped: %s', self.name, exc)
            except Exception:
                # The next pass tries again; one failure must not stop it.
                LOG.exception('Periodic task %s failed', self.name)

    def stop(self):
        self._stopping.set()

    def wait(self):
        if self._thread is not None:
            self._thread.join()
