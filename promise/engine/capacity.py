"""Capacity over time for whole hosts (the physical:host unit).

A handful of set-based queries load the hosts that match, their
allocations, planned changes and observed usage over the window; the
timeline is then a sweep in memory (promise.engine.timeline).
"""

import collections
import datetime

import sqlalchemy as sa

from promise.common import dates
from promise import conf
from promise.db import models
from promise.db.models import capacity as capacity_models
from promise.engine import hosts as host_engine
from promise.engine import intervals
from promise.engine import properties
from promise.engine import slots
from promise.engine import timeline

CONF = conf.CONF


def matching_hosts(session, hypervisor_query=None, resource_query=None):
    hosts = session.scalars(sa.select(models.Host).where(
        models.Host.reservable.is_(True),
        models.Host.health == host_engine.HEALTHY).order_by(models.Host.id))
    result = []
    for host in hosts:
        hyper, resource = host_engine.host_properties(host)
        if (properties.matches(hypervisor_query, hyper) and
                properties.matches(resource_query, resource)):
            result.append(host)
    return result


def out_of_pool_intervals(session, host_ids, start, end):
    """{host id: [(start, end)]} when planned changes keep hosts out."""
    change = models.CapacityChange
    rows = session.execute(
        sa.select(change.host_id, change.type, change.start_date,
                  change.end_date)
        .where(change.host_id.in_(host_ids),
               # A join date after the window still keeps the host out.
               sa.or_(change.start_date < end,
                      change.type == capacity_models.AVAILABLE)))
    out = collections.defaultdict(list)
    for host_id, kind, c_start, c_end in rows:
        if kind == capacity_models.UNAVAILABLE:
            out[host_id].append((c_start, c_end or timeline.FOREVER))
        else:
            # Joins the pool at c_start: out of it before then.
            out[host_id].append((datetime.datetime.min, c_start))
    return {h: timeline.merge(v) for h, v in out.items()}


def held_intervals(session, host_ids, start, end, tables=None):
    """{host id: merged [(start, end)]} when reservations hold part or all
    of each host (by default: whole hosts and instance slots), cleaning
    time included."""
    lo, hi = intervals.padded(start, end, CONF.cleaning_time)
    held = collections.defaultdict(list)
    for table in tables or (models.HostAllocation,
                            models.InstanceAllocation):
        rows = session.execute(
            sa.select(table.host_id, table.start_date, table.end_date)
            .where(table.host_id.in_(host_ids), table.start_date < hi,
                   table.end_date > lo))
        for host_id, a_start, a_end in rows:
            held[host_id].append(intervals.padded(a_start, a_end,
                                                  CONF.cleaning_time))
    return {h: timeline.merge(v) for h, v in held.items()}


def used_intervals(session, host_ids, start, end):
    """Hosts where Nova runs servers inside a host reservation, from the
    last observation until the allocation ends."""
    now = dates.utcnow()
    usage = models.Usage
    alloc = models.HostAllocation
    rows = session.execute(
        sa.select(alloc.host_id, alloc.start_date, alloc.end_date)
        .join(usage, sa.and_(usage.reservation_id == alloc.reservation_id,
                             usage.host_id == alloc.host_id))
        .where(alloc.host_id.in_(host_ids), usage.servers > 0,
               alloc.end_date > now, alloc.start_date <= now))
    return [(max(now, a_start), a_end) for _, a_start, a_end in rows]


def host_timeline(session, start, end, hypervisor_query=None,
                  resource_query=None):
    """[(start, end, {total, reserved, used, available})] for whole
    hosts over [start, end)."""
    hosts = matching_hosts(session, hypervisor_query, resource_query)
    ids = [h.id for h in hosts]
    out = out_of_pool_intervals(session, ids, start, end) if ids else {}
    held = held_intervals(session, ids, start, end) if ids else {}
    in_pool = []
    reserved = []
    for host_id in ids:
        whole = [(start, end)]
        pool = timeline.subtract(whole, out.get(host_id, []))
        in_pool.extend(pool)
        # Held while in the pool; a held host that is out of the pool is
        # a reservation Promise must heal, not spare capacity.
        reserved.extend(timeline.subtract(
            timeline.clip(held.get(host_id, []), start, end),
            timeline.subtract(whole, pool)))
    used = used_intervals(session, ids, start, end) if ids else []
    steps = timeline.combine(
        start, end,
        total=timeline.count(start, end, in_pool),
        reserved=timeline.count(start, end, reserved),
        used=timeline.count(start, end, used))
    return [(s, e, dict(v, available=v['total'] - v['reserved']))
            for s, e, v in steps]


def _host_pieces(start, end, pool, usage_steps):
    """[(t0, t1, used)] where the host is in the pool, splitting the pool
    intervals at the host's usage steps."""
    pieces = []
    for p_start, p_end in pool:
        for u_start, u_end, used in usage_steps:
            lo, hi = max(p_start, u_start), min(p_end, u_end)
            if lo < hi:
                pieces.append((lo, hi, used))
    return pieces


def instance_timeline(session, start, end, resource_query=None,
                      shape=None):
    """Capacity for virtual:instance over [start, end).

    Without ``shape``: [(t0, t1, {resource: {total, reserved, used,
    available}})] for vcpus, memory_mb and disk_gb. With a shape: how many
    instances of it fit, packing per host, as {total, reserved, used,
    available}. Hosts held whole by physical:host reservations, out of the
    pool or unhealthy count for nothing.
    """
    hosts = [h for h in matching_hosts(session, None, resource_query)
             if h.capacity_vcpus is not None]
    ids = [h.id for h in hosts]
    out = out_of_pool_intervals(session, ids, start, end) if ids else {}
    whole = (held_intervals(session, ids, start, end,
                            tables=(models.HostAllocation,))
             if ids else {})
    usages = slots.usages_by_host(session, ids, start, end)
    weights = collections.defaultdict(list)
    for host in hosts:
        capacity = slots.host_capacity(host, include_used=False)
        pool = timeline.subtract([(start, end)], out.get(host.id, []) +
                                 whole.get(host.id, []))
        steps = slots.steps(usages.get(host.id, []), start, end,
                            CONF.cleaning_time)
        for lo, hi, used in _host_pieces(start, end, pool, steps):
            if shape is None:
                for name, cap, taken in zip(slots.RESOURCES, capacity,
                                            used):
                    weights[(name, 'total')].append((lo, hi, cap))
                    weights[(name, 'reserved')].append((lo, hi, taken))
            else:
                fits = slots.fit(capacity, slots.ZERO, shape)
                free = slots.fit(capacity, used, shape)
                weights[('instances', 'total')].append((lo, hi, fits))
                weights[('instances', 'reserved')].append(
                    (lo, hi, fits - free))
    names = ('instances',) if shape is not None else slots.RESOURCES
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
