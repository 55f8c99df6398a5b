"""Pecan hooks: request context and RPC client on every request, and
PromiseException to the Blazar error body."""

from oslo_log import log as logging
import pecan

from promise.api import errors
from promise.api.middleware import context as context_mw
from promise.db import api as db
from promise import exceptions
from promise.rpc import client

LOG = logging.getLogger(__name__)


class ContextHook(pecan.hooks.PecanHook):

    def __init__(self, rpcapi=None):
        self._rpcapi = rpcapi

    @property
    def rpcapi(self):
        # Built on first use: version discovery must work without RPC.
        if self._rpcapi is None:
            self._rpcapi = client.ManagerAPI()
        return self._rpcapi

    def before(self, state):
        state.request.context = state.request.environ.get(context_mw.ENV_KEY)
        state.request.rpcapi = self.rpcapi if state.request.context else None

    def on_error(self, state, exc):
        if isinstance(exc, exceptions.PromiseException):
            if exc.code >= 500:
                LOG.warning('%s %s: %s', state.request.method,
                            state.request.path, exc.message)
            return errors.from_exception(exc)
        if db.unreachable(exc):
            # An outage, not a bug: tell the client to come back (503)
            # rather than report a crash (500).
            LOG.warning('%s %s: the database cannot be reached: %s',
                        state.request.method, state.request.path, exc)
            return errors.response(
                503, 'The database cannot be reached; try again later.')
        return None
