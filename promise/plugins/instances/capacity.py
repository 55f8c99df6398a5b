"""virtual:instance capacity over time: per resource (vcpus, memory_mb,
disk_gb), or as how many instances of a shape fit, packing per host.
Read-only.
"""

import collections

import sqlalchemy as sa

from promise.common import shapes
from promise.common import timeline
from promise import conf
from promise.db import host_capacity
from promise.db import models
from promise import exceptions
from promise.plugins.instances import slots

CONF = conf.CONF


def timeline_of(session, start, end, hypervisor_query=None,
                resource_query=None, shape=None):
    """(steps, summary) for /v1/capacity
    (ResourcePlugin.capacity_timeline)."""
    if hypervisor_query is not None:
        raise exceptions.InvalidInput(
            reason='virtual:instance capacity is filtered with '
                   'resource_properties only.')
    steps = instance_timeline(session, start, end, resource_query, shape)
    if shape is not None:
        return steps, {'unit': 'instances',
                       'min_available': min(v['available']
                                            for _, _, v in steps)}
    return steps, {'min_available': {
        name: min(v[name]['available'] for _, _, v in steps)
        for name in ('vcpus', 'memory_mb', 'disk_gb')}}


_CAPACITY_COLUMNS = ('capacity_vcpus', 'capacity_memory_mb',
                     'capacity_disk_gb')


def _add_piece(weights, lo, hi, capacity, used, shape, times=1):
    """Add ``times`` hosts of ``capacity`` with ``used`` taken over
    [lo, hi) to the weights of the timeline."""
    if shape is None:
        for name, cap, taken in zip(shapes.RESOURCES, capacity, used):
            weights[(name, 'total')].append((lo, hi, cap * times))
            weights[(name, 'reserved')].append((lo, hi, taken * times))
    else:
        fits = slots.fit(capacity, shapes.ZERO, shape)
        free = slots.fit(capacity, used, shape)
        weights[('instances', 'total')].append((lo, hi, fits * times))
        weights[('instances', 'reserved')].append(
            (lo, hi, (fits - free) * times))


def instance_timeline(session, start, end, resource_query=None,
                      shape=None):
    """Capacity for virtual:instance over [start, end).

    Without ``shape``: [(t0, t1, {resource: {total, reserved, used,
    available}})] for vcpus, memory_mb and disk_gb. With a shape: how many
    instances of it fit, packing per host, as {total, reserved, used,
    available}. Hosts held whole by physical:host reservations, out of the
    pool or unhealthy count for nothing.

    Hosts that hold slots in the window or have planned changes are
    computed one by one; the others give their whole capacity whenever no
    physical:host reservation holds them, so they are counted per
    capacity (a handful of hardware models) by the database.
    """
    rows = host_capacity.matching_host_rows(session, None, resource_query,
                                            columns=_CAPACITY_COLUMNS)
    hosts = [h for h in rows if h.capacity_vcpus is not None]
    ids = [h.id for h in hosts]
    out = (host_capacity.out_of_pool_intervals(session, ids, start, end)
           if ids else {})
    usages = slots.usages_by_host(session, ids, start, end)
    exact = [h for h in hosts if CONF.cleaning_time or h.id in out or
             h.id in usages]
    exact_ids = {h.id for h in exact}
    whole = (host_capacity.held_intervals(session, sorted(exact_ids), start,
                                          end, tables=(models.HostAllocation,))
             if exact_ids else {})
    weights = collections.defaultdict(list)
    for host in exact:
        capacity = slots.host_capacity(host, include_used=False)
        pool = timeline.subtract([(start, end)], out.get(host.id, []) +
                                 whole.get(host.id, []))
        steps = slots.steps(usages.get(host.id, []), start, end,
                            CONF.cleaning_time)
        for lo, hi, used in host_capacity.host_pieces(start, end, pool, steps):
            _add_piece(weights, lo, hi, capacity, used, shape)
    models_of = collections.defaultdict(list)
    for host in hosts:
        if host.id not in exact_ids:
            models_of[slots.host_capacity(host, include_used=False)].append(
                host.id)
    filtered = resource_query is not None
    for capacity, members in models_of.items():
        scope = (members if filtered else
                 host_capacity.pool_hosts().where(*[
                     sa.func.coalesce(getattr(models.Host, column), 0) ==
                     value
                     for column, value in zip(_CAPACITY_COLUMNS,
                                              capacity)]))
        held = timeline.from_deltas(start, end, host_capacity.held_deltas(
            session, start, end, scope, exclude=exact_ids,
            tables=(models.HostAllocation,)))
        for lo, hi, count in held:
            free_hosts = len(members) - count
            if free_hosts:
                _add_piece(weights, lo, hi, capacity, shapes.ZERO, shape,
                           times=free_hosts)
    names = ('instances',) if shape is not None else shapes.RESOURCES
    series = {}
    for name in names:
        for key in ('total', 'reserved'):
            series['%s.%s' % (name, key)] = timeline.weighted(
                start, end, weights[(name, key)])
    result = []
    for s, e, values in timeline.combine(start, end, **series):
        step = {}
        for name in names:
            total = values['%s.total' % name]
            reserved = values['%s.reserved' % name]
            # Running instances are not tracked per slot yet.
            step[name] = {'total': total, 'reserved': reserved, 'used': 0,
                          'available': total - reserved}
        result.append((s, e, step['instances'] if shape is not None
                       else step))
    return result
