"""Test doubles shared by the unit tests."""

from promise.plugins import base as plugin_base
from promise import status

RESOURCE_TYPE = 'fake:thing'


class RecordingPlugin(plugin_base.ResourcePlugin):
    """Records every call; ``fail`` maps a method name to an error text
    that method raises (as RuntimeError), or to an exception it raises
    once."""

    resource_type = RESOURCE_TYPE

    def __init__(self, fail=None, reserve_hook=None):
        self.calls = []
        self.fail = dict(fail or {})
        self.reserve_hook = reserve_hook

    def _record(self, method, lease, reservation, *extra):
        self.calls.append((method, lease.id, reservation.id) + extra)
        if method in self.fail:
            error = self.fail[method]
            if isinstance(error, BaseException):
                del self.fail[method]
                raise error
            raise RuntimeError(error)

    def reserve(self, session, lease, reservation, values):
        if self.reserve_hook is not None:
            self.reserve_hook()
        reservation.resource_id = 'thing-for-%s' % lease.name
        self._record('reserve', lease, reservation, dict(values))

    def release(self, session, lease, reservation):
        self._record('release', lease, reservation)

    def prepare(self, ctx, lease, reservation):
        self._record('prepare', lease, reservation)

    def on_start(self, ctx, lease, reservation):
        self._record('on_start', lease, reservation)

    def before_end(self, ctx, lease, reservation):
        self._record('before_end', lease, reservation)

    def on_end(self, ctx, lease, reservation):
        self._record('on_end', lease, reservation)

    def methods(self):
        return [c[0] for c in self.calls]


class DueEvent:
    """What the event loop hands LeaseManager.run_event."""

    def __init__(self, lease_id, event_type, event_id=None):
        self.id = event_id
        self.lease_id = lease_id
        self.event_type = event_type


START = status.Event.START
BEFORE_END = status.Event.BEFORE_END
END = status.Event.END
