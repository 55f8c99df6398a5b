"""Failures of the services Promise calls (Nova, Placement, and Keystone
behind them), as users see them.

Their error text can name internal endpoints, hosts and accounts. Users
get a stable sentence naming the request id; the text goes to the log
under that id, where the operator finds it.
"""

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
