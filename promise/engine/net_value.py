"""virtual:instance capacity per availability zone, and the ONAP
cloud-agnostic placement cost ("net value") computed from it.

``zone_timelines`` is the virtual:instance capacity timeline without a
shape (promise.plugins.instances.capacity), split by
``Host.availability_zone``: the same hosts (reservable, healthy,
with a known capacity), minus whole-host reservations and planned
downtime, with instance slot allocations (cleaning time included) as
reserved. One difference, on the safe side: when the window includes now,
what Placement shows ordinary (non-reservation) servers using counts as
used, as it does when the allocation engine places slots
(``slots.free_by_host``).
"""

import collections
import math

from promise.common import dates
from promise.common import shapes
from promise.common import timeline
from promise import conf
from promise.db import host_capacity
from promise.db import models
from promise.plugins.instances import slots

CONF = conf.CONF

RESOURCES = shapes.RESOURCES


def zone_timelines(session, start, end, default_zone, now=None, key=None):
    """{zone: [(t0, t1, {resource: {total, reserved, used, available}})]}
    over [start, end) for vcpus, memory_mb and disk_gb; ``key`` groups
    hosts otherwise than by zone."""
    now = now or dates.utcnow()
    includes_now = start <= now < end
    hosts = [h for h in host_capacity.matching_hosts(session)
             if h.capacity_vcpus is not None]
    ids = [h.id for h in hosts]
    out = (host_capacity.out_of_pool_intervals(session, ids, start, end)
           if ids else {})
    whole = (host_capacity.held_intervals(session, ids, start, end,
                                          tables=(models.HostAllocation,))
             if ids else {})
    usages = slots.usages_by_host(session, ids, start, end, now=now)
    weights = collections.defaultdict(lambda: collections.defaultdict(list))
    for host in hosts:
        zone = (key(host) if key is not None
                else host.availability_zone or default_zone)
        cap = slots.host_capacity(host, include_used=False)
        ordinary = shapes.ZERO
        if includes_now:
            ordinary = shapes.Shape(host.used_vcpus or 0,
                                    host.used_memory_mb or 0,
                                    host.used_disk_gb or 0)
        pool = timeline.subtract([(start, end)], out.get(host.id, []) +
                                 whole.get(host.id, []))
        steps = slots.steps(usages.get(host.id, []), start, end,
                            CONF.cleaning_time)
        series = weights[zone]
        pieces = host_capacity.host_pieces(start, end, pool, steps)
        for lo, hi, taken in pieces:
            for name, c, t, o in zip(RESOURCES, cap, taken, ordinary):
                series[(name, 'total')].append((lo, hi, c))
                series[(name, 'reserved')].append((lo, hi, t))
                series[(name, 'used')].append((lo, hi, o))
    result = {}
    for zone, series in weights.items():
        named = {'%s.%s' % key: timeline.weighted(start, end, value)
                 for key, value in series.items()}
        for name in RESOURCES:
            for key in ('total', 'reserved', 'used'):
                named.setdefault('%s.%s' % (name, key),
                                 [(start, end, 0)])
        steps = []
        for s, e, values in timeline.combine(start, end, **named):
            step = {}
            for name in RESOURCES:
                total = values['%s.total' % name]
                reserved = values['%s.reserved' % name]
                used = values['%s.used' % name]
                step[name] = {'total': total, 'reserved': reserved,
                              'used': used,
                              'available': total - reserved - used}
            steps.append((s, e, step))
        result[zone] = steps
    return result


def region_timeline(session, start, end, now=None):
    """All the region's hosts as one timeline."""
    steps = zone_timelines(session, start, end, None, now=now,
                           key=lambda host: None).get(None)
    if steps is None:
        empty = {'total': 0, 'reserved': 0, 'used': 0, 'available': 0}
        steps = [(start, end, {name: dict(empty) for name in RESOURCES})]
    return steps


def minimum(steps):
    """{resource: {available, total}}: the least of each over the window;
    available never below 0."""
    result = {}
    for name in RESOURCES:
        available = min(v[name]['available'] for _, _, v in steps)
        result[name] = {'available': max(0, available),
                        'total': min(v[name]['total'] for _, _, v in steps)}
    return result


# -- net value -------------------------------------------------------------

def burstable(shape, oversubscription):
    """(min, max) shapes of a burstable instance type: min is the
    guaranteed size, max adds the oversubscription to vCPU and memory."""
    factor = 1 + oversubscription
    grown = shapes.Shape(int(math.floor(shape.vcpus * factor + 1e-9)),
                         int(math.floor(shape.memory_mb * factor + 1e-9)),
                         shape.disk_gb)
    return shape, grown


def normalized(steps, shape, count):
    """{resource: the highest (used + shape x count) / total over the
    window}, None where there is nothing of a resource."""
    result = {}
    for i, name in enumerate(RESOURCES):
        need = shape[i] * count
        worst = 0.0
        for _, _, v in steps:
            total = v[name]['total']
            taken = v[name]['reserved'] + v[name]['used'] + need
            if total <= 0:
                if taken > 0:
                    worst = None
                    break
                continue
            worst = max(worst, taken / total)
        result[name] = worst
    return result


def net_value(steps, shape, count, weights, cost):
    """{net_value_cost, net_value_capacity, capacity_check, normalized}
    for ``count`` instances of ``shape`` against a capacity timeline."""
    norm = normalized(steps, shape, count)
    if any(v is None for v in norm.values()):
        capacity_value = None
        check = False
    else:
        capacity_value = sum(weights[name] * norm[name]
                             for name in RESOURCES)
        check = all(v <= 1 for v in norm.values())
    return {'net_value_cost': cost,
            'net_value_capacity': capacity_value,
            'capacity_check': check,
            'normalized': {'cpu': norm['vcpus'], 'mem': norm['memory_mb'],
                           'disk': norm['disk_gb']}}
