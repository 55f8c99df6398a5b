"""PromiseFilter for nova-scheduler.

- With hint ``reservation=<id>``: only hosts in that reservation's
  aggregate pass, and only for the project that owns it.
- Without the hint: hosts in the free pool or in any reservation never
  pass, so ordinary instances stay off capacity that Promise manages.
- A flavor that books an instance reservation (extra spec
  ``promise:instance_reservation=<id>``, the private flavor Promise makes
  for virtual:instance and flavor:instance): only hosts in that
  reservation's aggregate pass, and only for the project that owns it,
  whatever the hints. Placement does the counting: the flavor asks for
  one unit of the reservation's custom resource class, which only the
  reserved hosts' child providers have while the lease is active.
- A flavor Promise made for a SOL003 grant on unreserved capacity (extra
  spec ``promise:grant=<id>``): only the hosts the grant holds capacity
  on (its aggregate) pass, free pool included, and only for the project
  of the grant.

Enable with ``[filter_scheduler] available_filters =
promise_nova.filter.PromiseFilter`` and add ``PromiseFilter`` to
``enabled_filters`` (for nova-scheduler and nova-conductor).
"""

from nova.scheduler import filters
from oslo_log import log as logging

from promise_nova import keys

LOG = logging.getLogger(__name__)

# Flavor extra spec and aggregate metadata key of instance reservations.
INSTANCE_RESERVATION = keys.INSTANCE_RESERVATION


class PromiseFilter(filters.BaseHostFilter):

    # Aggregate membership does not change within one request.
    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host_state, spec_obj):
        aggregates = host_state.aggregates or []
        booked = _flavor_reservation(spec_obj)
        if booked:
            return _in_instance_reservation(host_state, aggregates, booked,
                                            spec_obj.project_id)
        granted = _extra_specs(spec_obj).get(keys.GRANT)
        if granted:
            return _owned(host_state, aggregates, keys.GRANT, granted,
                          spec_obj.project_id)
        hint = spec_obj.get_scheduler_hint(keys.HINT)
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
        preemptible = _extra_specs(spec_obj).get(
            keys.PREEMPTIBLE, '').lower() == 'true'
        for agg in aggregates:
            metadata = agg.metadata or {}
            if keys.RESERVATION in metadata or INSTANCE_RESERVATION in \
                    metadata:
                return False
            if keys.FREEPOOL in metadata and not preemptible:
                return False
        return True


def _extra_specs(spec_obj):
    try:
        return spec_obj.flavor.extra_specs or {}
    except (AttributeError, NotImplementedError):
        # No flavor, or extra specs not loaded (o.vo raises then).
        return {}


def _flavor_reservation(spec_obj):
    return _extra_specs(spec_obj).get(INSTANCE_RESERVATION)


def _in_instance_reservation(host_state, aggregates, reservation_id,
                             project_id):
    return _owned(host_state, aggregates, INSTANCE_RESERVATION,
                  reservation_id, project_id)


def _owned(host_state, aggregates, key, value, project_id):
    """Whether the host is in the aggregate whose ``key`` is ``value``,
    and that aggregate belongs to ``project_id``."""
    for agg in aggregates:
        metadata = agg.metadata or {}
        if metadata.get(key) == value:
            if metadata.get(keys.OWNER) == project_id:
                return True
            LOG.info('Host %s: %s %s belongs to another project',
                     host_state.host, key, value)
            return False
    return False
