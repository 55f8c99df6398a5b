"""Failures of the services Promise calls (Nova, Placement, and Keystone
behind them), as users see them.

Their error text can name internal endpoints, hosts and accounts. Users
get a stable sentence naming the request id; the text goes to the log
under that id, where the operator finds it.
"""

import functools

from oslo_context import context as o_context
from oslo_log import log as logging
from oslo_utils import uuidutils

from promise import exceptions

LOG = logging.getLogger(__name__)

SEE_LOG = 'The cause is in the Promise log under request %s.'


def request_id():
    """The id of the request being served (the API's, carried to the
    manager over RPC); outside one (a periodic pass, a worker thread) a
    new id, which the log line carries just the same."""
    ctx = o_context.get_current()
    return (getattr(ctx, 'request_id', None) or
            'req-' + uuidutils.generate_uuid())


def reason(action, exc, request_id):
    """A lease's status_reason after ``action`` failed. Promise's own
    refusals (4xx) are told as they are; anything else, such as Nova's,
    Placement's or Keystone's error text, can name internal endpoints and
    hosts, so users read a stable sentence and the operator the log."""
    if isinstance(exc, exceptions.PromiseException) and exc.code < 500:
        return '%s failed: %s' % (action, exc.message)
    return ('%s failed: a service Promise depends on refused or could not '
            'be reached. %s' % (action, SEE_LOG % request_id))


def unavailable(summary, detail, cls=exceptions.ServiceUnavailable,
                **extra):
    """A ``cls`` (503) saying ``summary`` and where the detail is; logs
    ``detail``. Its ``detail`` attribute keeps the text for callers."""
    rid = request_id()
    LOG.warning('%s (request %s): %s', summary, rid, detail)
    exc = cls(reason='%s %s' % (summary, SEE_LOG % rid), **extra)
    exc.detail = detail
    return exc


def unavailable_on_failure(service, *errors):
    """Class decorator: each public method's failure of ``errors`` (the
    client library's and keystoneauth's) becomes 503 ServiceUnavailable
    naming ``service``: the service being unreachable, unconfigured or
    refusing is not the caller's fault, and its words stay in the log.
    Promise's own exceptions pass unchanged."""
    def wrap(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except exceptions.PromiseException:
                raise
            except errors as exc:
                raise unavailable(
                    '%s cannot be reached or refused the request.' % service,
                    '%s call %s failed: %s: %s'
                    % (service, func.__name__, type(exc).__name__, exc))
        return wrapper

    def decorate(cls):
        for name, value in list(vars(cls).items()):
            if callable(value) and not name.startswith('_'):
                setattr(cls, name, wrap(value))
        return cls
    return decorate
