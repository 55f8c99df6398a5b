"""One keystoneauth session per process for Promise's service credentials.

Sessions are thread-safe and cache their token; building one per call
(as Blazar does) costs a token request each time.
"""

import threading

from keystoneauth1 import loading as ks_loading
from keystoneauth1.loading import session as ks_session_loading
from keystoneauth1 import session as ks_session
from oslo_context import context as o_context

from promise import conf
from promise import exceptions

CONF = conf.CONF

_LOCK = threading.Lock()
_SESSIONS = {}


class ForwardingSession(ks_session.Session):
    """A keystoneauth session that sends the id of the request being
    served (its caller's global request id when it came with one) as
    ``X-OpenStack-Request-ID`` on every call, so that Nova's and
    Placement's logs name the request that made it."""

    def request(self, url, method, **kwargs):
        if kwargs.get('global_request_id') is None:
            rid = global_request_id()
            if rid:
                kwargs['global_request_id'] = rid
        return super().request(url, method, **kwargs)


def global_request_id():
    """The id to forward: the current context's global request id, or
    its own request id; None outside a request."""
    ctx = o_context.get_current()
    return getattr(ctx, 'global_id', None) if ctx is not None else None


class _SessionLoader(ks_session_loading.Session):

    @property
    def plugin_class(self):
        return ForwardingSession


NOT_CONFIGURED = ('[%(group)s] has no credentials (auth_type, auth_url, '
                  'username, password, ...): Promise cannot call Nova or '
                  'Placement, and promise-manager skips that work.')


def configured(group='nova'):
    """Whether promise.conf gives credentials for ``group``."""
    return bool(CONF[group].auth_type)


def session(group='nova'):
    if not configured(group):
        raise exceptions.ServiceNotConfigured(
            reason=NOT_CONFIGURED % {'group': group})
    if group not in _SESSIONS:
        with _LOCK:
            if group not in _SESSIONS:
                auth = ks_loading.load_auth_from_conf_options(CONF, group)
                _SESSIONS[group] = _SessionLoader().load_from_conf_options(
                    CONF, group, auth=auth)
    return _SESSIONS[group]


def reset():
    _SESSIONS.clear()
