"""PromiseFilter for nova-scheduler.

- With hint ``reservation=<id>``: only hosts in that reservation's
  aggregate pass, and only for the project that owns it.
- Without the hint: hosts in the free pool or in any reservation never
  pass, so ordinary instances stay off capacity that Promise manages.

Enable with ``[filter_scheduler] available_filters =
promise.nova.filter.PromiseFilter`` and add ``PromiseFilter`` to
``enabled_filters`` (for nova-scheduler and nova-conductor).
"""

from nova.scheduler import filters
from oslo_log import log as logging

from promise.nova import keys

LOG = logging.getLogger(__name__)


class PromiseFilter(filters.BaseHostFilter):

    # Aggregate membership does not change within one request.
    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host_state, spec_obj):
        hint = spec_obj.get_scheduler_hint(keys.HINT)
        aggregates = host_state.aggregates or []
        if hint:
            for agg in aggregates:
                metadata = agg.metadata or {}
                if metadata.get(keys.RESERVATION) == hint:
                    if metadata.get(keys.OWNER) == spec_obj.project_id:
                        return True
                    LOG.info('Host %s: reservation %s belongs to another '
                             'project', host_state.host, hint)
                    return False
            return False
        for agg in aggregates:
            metadata = agg.metadata or {}
            if keys.FREEPOOL in metadata or keys.RESERVATION in metadata:
                return False
        return True
