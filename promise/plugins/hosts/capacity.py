"""physical:host capacity over time: total, reserved, used and available
whole hosts.

Hosts with planned changes, and any cleaning time, take the exact
per-host path in memory; the others are counted by the database
(promise.db.host_capacity.held_deltas). Read-only.
"""

from promise.common import timeline
from promise import conf
from promise.db import host_capacity
from promise.db import models
from promise import exceptions

CONF = conf.CONF


def timeline_of(session, start, end, hypervisor_query=None,
                resource_query=None, shape=None):
    """(steps, summary) for /v1/capacity
    (ResourcePlugin.capacity_timeline)."""
    if shape is not None:
        raise exceptions.InvalidInput(
            reason='vcpus, memory_mb and disk_gb describe an '
                   'instance shape; they go with resource_type '
                   'virtual:instance.')
    steps = host_timeline(session, start, end, hypervisor_query,
                          resource_query)
    return steps, {'unit': 'hosts',
                   'min_available': min(v['available'] for _, _, v in steps)}


def host_timeline(session, start, end, hypervisor_query=None,
                  resource_query=None):
    """[(start, end, {total, reserved, used, available})] for whole
    hosts over [start, end)."""
    scope, hosts = host_capacity.matching_scope(
        session, hypervisor_query, resource_query)
    out = (host_capacity.out_of_pool_intervals(session, scope, start, end)
           if hosts else {})
    if CONF.cleaning_time:
        exact = (scope if isinstance(scope, list) else
                 list(session.scalars(scope.order_by(models.Host.id))))
    else:
        # Hosts with planned changes the exact way; the others are in the
        # pool the whole window and the database counts them.
        exact = sorted(out)
    counted = hosts - len(exact)
    held_counted = timeline.from_deltas(
        start, end,
        host_capacity.held_deltas(session, start, end, scope, exclude=exact)
    ) if counted else [(start, end, 0)]
    held = (host_capacity.held_intervals(session, exact, start, end)
            if exact else {})
    in_pool = []
    reserved = []
    for host_id in exact:
        whole = [(start, end)]
        pool = timeline.subtract(whole, out.get(host_id, []))
        in_pool.extend(pool)
        # Held while in the pool; a held host that is out of the pool is
        # a reservation Promise must heal, not spare capacity.
        reserved.extend(timeline.subtract(
            timeline.clip(held.get(host_id, []), start, end),
            timeline.subtract(whole, pool)))
    used = (host_capacity.used_intervals(session, scope, start, end)
            if hosts else [])
    exact_reserved = timeline.count(start, end, reserved)
    steps = timeline.combine(
        start, end,
        total=timeline.count(start, end, in_pool, base=counted),
        reserved=timeline.weighted(
            start, end, [(s, e, v) for s, e, v in exact_reserved] +
            [(s, e, v) for s, e, v in held_counted]),
        used=timeline.count(start, end, used))
    return [(s, e, dict(v, available=v['total'] - v['reserved']))
            for s, e, v in steps]
