"""Per-project limits on what leases hold over time, from Keystone's
unified limits through oslo.limit ([quota] enforce, [oslo_limit]).

A lease is checked inside its decision transaction, after its allocation.
When Keystone limits anything, the project's row is locked before its
usage is read (promise.db.quota.lock), so the project's decisions take
turns and two leases cannot both fit under a limit they exceed together.
The usage is the most the project's other leases hold at once over the
new lease's window, and the new lease adds what it holds. Resources:
``leases`` (at once), ``hosts``, ``instance_vcpus``,
``instance_memory_mb``, ``instance_disk_gb``, ``floatingips``. A
resource without a registered limit is not limited (Promise asks
oslo.limit only about the resources Keystone has limits for).
"""

import threading

from oslo_limit import exception as limit_exc
from oslo_limit import limit
from oslo_log import log as logging

from promise.clients import limits
from promise.common import lazy
from promise import conf
from promise.db import quota as quota_db
from promise import exceptions

CONF = conf.CONF
LOG = logging.getLogger(__name__)


class _Usage(threading.local):
    """oslo.limit's usage callback. The enforcer is shared by the
    manager's threads; each sets the decision it checks on its own."""

    session = window = exclude = None

    def __call__(self, project_id, resources):
        start, end = self.window
        return quota_db.peak_usage(self.session, project_id, start, end,
                                   resources, exclude_lease=self.exclude)


def _new_enforcer():
    usage = _Usage()
    # Limits are read from Keystone at each check: an operator's change
    # applies to the next lease, not after a restart.
    return limit.Enforcer(usage, cache=False), usage


_ENFORCER = lazy.Lazy(_new_enforcer)


def reset():
    _ENFORCER.reset()


def check(session, lease):
    """Raise QuotaExceeded (403) if ``lease`` (new or changed, flushed in
    ``session``) would take its project over one of its limits; a no-op
    unless [quota] enforce."""
    if not CONF.quota.enforce:
        return
    try:
        enforcer, usage = _ENFORCER.get()
        limited = _limited(enforcer, lease.project_id)
        deltas = {name: int(amount) for name, amount in
                  quota_db.holdings(lease).items() if name in limited}
        if not deltas:
            return
        # The usage is read after the project's turn is taken.
        quota_db.lock(session, lease.project_id)
        usage.session, usage.window = session, (lease.start_date,
                                                lease.end_date)
        usage.exclude = lease.id
        enforcer.enforce(lease.project_id, deltas)
    except limit_exc.ProjectOverLimit as exc:
        raise exceptions.QuotaExceeded(reason='; '.join(
            '%s: %d held at once over the window plus %d asked, limit %d'
            % (over.resource_name, over.current_usage, over.delta,
               over.limit) for over in exc.over_limit_info_list))
    except limit_exc.SessionInitError as exc:
        raise exceptions.ServiceUnavailable(
            reason='Keystone, which keeps the limits, cannot be reached: '
                   '%s' % exc)


def _limited(enforcer, project_id):
    """The resources Keystone has a limit for (registered or project)."""
    return set(limits.read(enforcer, project_id, quota_db.RESOURCES))
