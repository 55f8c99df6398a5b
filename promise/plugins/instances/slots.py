"""Instance slots: how many instances of a shape fit on each host over a
window, and where to put ``amount`` of them.

A host's capacity for slots is what Placement says it can hold,
``(total - reserved) * allocation_ratio`` per resource, stored on the host.
The slots other instance reservations hold on it are counted per slot (a
reservation counts on a host only for the slots it has there), with what
live SOL003 grant holds take of unreserved capacity, at their
peak over the window: the usage is a step function of time, and a host has
as many free slots as fit in its fullest step. Hosts held by a
physical:host allocation in the window give no slots at all; for a window
that includes now, what ordinary (non-reservation) consumers use on the
host is taken off too.

The pure functions below do the arithmetic; ``choose`` reads the
candidate hosts and, in ONE query, every slot allocation on them that
overlaps the window, then claims the hosts it picked with the host
generation check (promise.db.hosts.claim), so that two concurrent
decisions can never both commit slots on one host.
"""

import collections
import datetime

import sqlalchemy as sa

from promise.common import dates
from promise.common import intervals
from promise.common import properties
from promise.common import shapes
from promise import conf
from promise.db import grants as grant_db
from promise.db import host_filters
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise import status

CONF = conf.CONF
# Candidate hosts read at a time when placing new slots.
PAGE = 64


# -- pure functions -------------------------------------------------------


def steps(usages, start, end, pad=0):
    """The total usage over [start, end) as [(t0, t1, shapes.Shape)] steps that
    tile the window. Each usage is widened by ``pad`` minutes on both
    sides (cleaning time); usages are counted per slot."""
    if end <= start:
        return []
    delta = datetime.timedelta(minutes=pad)
    changes = collections.defaultdict(lambda: shapes.ZERO)
    for use in usages:
        lo = max(dates.shift(use.start, -delta), start)
        hi = min(dates.shift(use.end, delta), end)
        if lo >= hi or use.slots <= 0:
            continue
        changes[lo] = shapes.add(changes[lo], use.shape, use.slots)
        changes[hi] = shapes.add(changes[hi], use.shape, -use.slots)
    points = sorted(set(changes) | {start, end})
    result, current = [], shapes.ZERO
    for t0, t1 in zip(points, points[1:]):
        current = shapes.add(current, changes.get(t0, shapes.ZERO))
        result.append((t0, t1, current))
    return result


def peak(usages, start, end, pad=0):
    """The highest total of each resource over the window (each resource
    at its own peak)."""
    highest = shapes.ZERO
    for _, _, used in steps(usages, start, end, pad):
        highest = shapes.Shape(*(max(h, u) for h, u in zip(highest, used)))
    return highest


def fit(capacity, used, shape):
    """How many slots of ``shape`` fit in ``capacity`` minus ``used``."""
    counts = []
    for cap, taken, need in zip(capacity, used, shape):
        if need <= 0:
            continue
        counts.append(max(0, (cap - taken) // need))
    if not counts:
        raise ValueError('a slot needs at least one resource')
    return min(counts)


def free_slots(capacity, usages, start, end, shape, pad=0):
    """Slots of ``shape`` free on a host over the whole window: what fits
    in its fullest step."""
    return min(fit(capacity, used, shape)
               for _, _, used in steps(usages, start, end, pad))


def max_amount(free, affinity):
    """The most slots a request with ``affinity`` could get from ``free``
    ({host: free slots})."""
    if affinity is True:
        return max(free.values(), default=0)
    if affinity is False:
        return sum(1 for n in free.values() if n > 0)
    return sum(free.values())


def place(free, amount, affinity, held=None, prefer=()):
    """Where ``amount`` slots go: {host: slots}, or None if they do not fit.

    ``free`` maps each candidate host to its free slots (on top of what the
    reservation itself holds), in the order hosts are preferred; ``held``
    ({host: slots}) are slots the reservation keeps and that count towards
    ``amount`` (an active reservation that grows). ``affinity`` True: all
    on one host; False: each slot on its own host; None: any packing.
    """
    held = {h: n for h, n in (held or {}).items() if n > 0}
    missing = amount - sum(held.values())
    if missing < 0:
        return None
    order = (list(held) + [h for h in prefer if h in free and h not in held]
             + [h for h in free if h not in held and h not in prefer])
    result = dict(held)
    if missing == 0:
        return result
    if affinity is True:
        if len(held) > 1:
            return None
        targets = list(held) or order
        for host in targets:
            if free.get(host, 0) >= missing:
                result[host] = result.get(host, 0) + missing
                return result
        return None
    if affinity is False:
        if any(n != 1 for n in held.values()):
            return None
        fresh = [h for h in order if h not in held and free.get(h, 0) >= 1]
        if len(fresh) < missing:
            return None
        for host in fresh[:missing]:
            result[host] = 1
        return result
    for host in order:
        take = min(free.get(host, 0), missing)
        if take > 0:
            result[host] = result.get(host, 0) + take
            missing -= take
        if missing == 0:
            return result
    return None


def host_capacity(host, include_used):
    """The host's capacity for slots, less ordinary usage if asked."""
    capacity = shapes.Shape(host.capacity_vcpus or 0,
                            host.capacity_memory_mb or 0,
                            host.capacity_disk_gb or 0)
    if include_used:
        used = shapes.Shape(host.used_vcpus or 0, host.used_memory_mb or 0,
                            host.used_disk_gb or 0)
        capacity = shapes.Shape(*(c - u for c, u in zip(capacity, used)))
    return capacity


# -- database -------------------------------------------------------------

def candidate_hosts(session, start, end, shape=None, includes_now=False,
                    narrow=None, keep=(), after=None, limit=None):
    """Reservable, healthy hosts with a known capacity, no physical:host
    allocation overlapping the (padded) window and no planned change
    keeping them out of the pool then, by id. With ``shape``: only those
    that could hold one of it when empty (less ordinary usage when
    ``includes_now``) and satisfy the clause ``narrow``, but the hosts in
    ``keep`` whatever they are; ``after`` and ``limit`` page by id."""
    lo, hi = intervals.padded(start, end, CONF.cleaning_time)
    held = host_db.held(models.HostAllocation, lo, hi)
    host = models.Host
    query = (sa.select(host)
             .where(host.reservable.is_(True),
                    host.health == status.Health.UP)
             .where(host.capacity_vcpus.is_not(None))
             .where(~held)
             .where(~host_db.out_of_pool(lo, hi))
             .order_by(host.id))
    wanted = [narrow] if narrow is not None else []
    for total, used, need in (
            (host.capacity_vcpus, host.used_vcpus, getattr(shape, 'vcpus', 0)),
            (host.capacity_memory_mb, host.used_memory_mb,
             getattr(shape, 'memory_mb', 0)),
            (host.capacity_disk_gb, host.used_disk_gb,
             getattr(shape, 'disk_gb', 0))):
        if need > 0:
            room = sa.func.coalesce(total, 0)
            if includes_now:
                room = room - sa.func.coalesce(used, 0)
            wanted.append(room >= need)
    if wanted:
        clause = sa.and_(*wanted)
        query = query.where(sa.or_(host.id.in_(list(keep)), clause)
                            if keep else clause)
    if after is not None:
        query = query.where(host.id > after)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def usages_by_host(session, host_ids, start, end, exclude_reservation=None,
                   now=None):
    """{host id: [shapes.Usage]} of every slot allocation and every live
    grant hold on unreserved capacity on ``host_ids`` that overlaps the
    (padded) window: two queries."""
    result = collections.defaultdict(list)
    if not host_ids:
        return result
    lo, hi = intervals.padded(start, end, CONF.cleaning_time)
    holds = grant_db.live_table(now or dates.utcnow())
    for host_id, h_start, h_end, vcpus, mem, disk in session.execute(
            sa.select(holds.host_id, holds.start_date, holds.end_date,
                      holds.vcpus, holds.memory_mb, holds.disk_gb)
            .where(holds.host_id.in_(list(host_ids)),
                   holds.start_date < hi, holds.end_date > lo)):
        result[host_id].append(shapes.Usage(h_start, h_end, 1,
                                            shapes.Shape(vcpus, mem, disk)))
    alloc = models.InstanceAllocation
    query = (sa.select(alloc.host_id, alloc.start_date, alloc.end_date,
                       alloc.slots, alloc.vcpus, alloc.memory_mb,
                       alloc.disk_gb)
             .where(alloc.host_id.in_(list(host_ids)),
                    alloc.start_date < hi, alloc.end_date > lo))
    if exclude_reservation is not None:
        query = query.where(alloc.reservation_id != exclude_reservation)
    for host_id, a_start, a_end, slots, vcpus, mem, disk in session.execute(
            query):
        result[host_id].append(shapes.Usage(a_start, a_end, slots,
                                            shapes.Shape(vcpus, mem, disk)))
    return result


def free_by_host(session, start, end, shape, resource_query=None,
                 exclude_reservation=None, keep=(), now=None):
    """([Host], {host id: free slots}) for the candidate hosts that match
    ``resource_query`` (host capabilities and hypervisor fields), plus the
    hosts in ``keep`` whatever they match. Hosts that cannot hold one slot
    of the shape even when empty, or that the database can tell do not
    match, are not read."""
    now = now or dates.utcnow()
    includes_now = start <= now < end
    candidates = candidate_hosts(
        session, start, end, shape, includes_now,
        host_filters.narrowing_merged(resource_query), keep)
    return _free_on(session, candidates, start, end, shape, resource_query,
                    exclude_reservation, keep, now)


def _free_on(session, candidates, start, end, shape, resource_query,
             exclude_reservation, keep, now):
    hosts = []
    for host in candidates:
        hyper, resource = host_db.host_properties(host)
        if host.id in keep or properties.matches(resource_query,
                                                 dict(hyper, **resource)):
            hosts.append(host)
    usages = usages_by_host(session, [h.id for h in hosts], start, end,
                            exclude_reservation, now=now)
    includes_now = start <= now < end
    free = {}
    for host in hosts:
        free[host.id] = free_slots(host_capacity(host, includes_now),
                                   usages[host.id], start, end, shape,
                                   pad=CONF.cleaning_time)
    return hosts, free


def _first_fit(session, start, end, amount, shape, affinity, resource_query,
               exclude_reservation, now):
    """(hosts, free, placement) reading the candidates a page at a time,
    by id as ``place`` takes them, until the slots fit: the placement all
    of them would give, without reading the rest (all of them when the
    slots do not fit, placement None)."""
    now = now or dates.utcnow()
    includes_now = start <= now < end
    narrow = host_filters.narrowing_merged(resource_query)
    hosts, free, after = [], {}, None
    while True:
        page = candidate_hosts(session, start, end, shape, includes_now,
                               narrow, after=after,
                               limit=max(PAGE, 4 * amount))
        if not page:
            return hosts, free, None
        after = page[-1].id
        more, more_free = _free_on(session, page, start, end, shape,
                                   resource_query, exclude_reservation, (),
                                   now)
        hosts.extend(more)
        free.update(more_free)
        placement = place(free, amount, affinity)
        if placement is not None:
            return hosts, free, placement


def choose(session, start, end, amount, shape, affinity=None,
           resource_query=None, exclude_reservation=None, held=None,
           prefer=(), now=None):
    """Place ``amount`` slots of ``shape`` over [start, end) and claim the
    hosts used. Returns {host id: slots}.

    ``held``: slots the reservation keeps on given hosts (an active
    reservation: nothing may move); they must still be free over the
    window, not counting the reservation's own allocations, which
    ``exclude_reservation`` leaves out. Raises Conflict when the slots do
    not fit, ConcurrentUpdate when a chosen host changed meanwhile.
    """
    shape = shapes.Shape(*shape)
    held = {h: n for h, n in (held or {}).items() if n > 0}
    if not held and not prefer:
        hosts, free, placement = _first_fit(
            session, start, end, amount, shape, affinity, resource_query,
            exclude_reservation, now)
        if placement is None:
            raise not_enough(_why(amount, shape, affinity, free, held, start,
                                  end))
        return _claim(session, hosts, placement)
    hosts, free = free_by_host(session, start, end, shape, resource_query,
                               exclude_reservation, keep=set(held), now=now)
    for host_id, count in sorted(held.items()):
        if free.get(host_id, 0) < count:
            raise not_enough(
                'The %d slot(s) this reservation holds on host %s are not '
                'free from %s to %s, and the hosts of a started '
                'reservation cannot change.' % (
                    count, host_id, dates.format_date(start),
                    dates.format_date(end)))
        free[host_id] -= count
    placement = place(free, amount, affinity, held, prefer)
    if placement is None:
        raise not_enough(_why(amount, shape, affinity, free, held, start,
                              end))
    return _claim(session, hosts, placement)


def _claim(session, hosts, placement):
    by_id = {h.id: h for h in hosts}
    host_db.claim(session, [by_id[h] for h in sorted(placement)])
    return placement


def release_times(session, start, until):
    """Moments in (start, until] when slots or hosts free up: ends of slot
    and host allocations, cleaning time after, and grant holds' expiry."""
    pad = datetime.timedelta(minutes=CONF.cleaning_time)
    times = grant_db.expiry_times(session, start, until, dates.utcnow())
    for alloc in (models.InstanceAllocation, models.HostAllocation):
        rows = session.scalars(
            sa.select(alloc.end_date).distinct()
            .where(alloc.end_date > dates.shift(start, -pad),
                   alloc.end_date <= until))
        times.update(dates.shift(t, pad) for t in rows
                     if start < dates.shift(t, pad) <= until)
    return times


def not_enough(message):
    return exceptions.CapacityConflict(message=message)


def _why(amount, shape, affinity, free, held, start, end):
    how = {True: 'on one host (affinity)',
           False: 'each on a different host (anti-affinity)',
           None: 'on any hosts'}[affinity]
    if affinity is True and held:
        possible = sum(free.get(h, 0) + n for h, n in held.items())
    elif affinity is False:
        possible = (sum(1 for h, n in free.items() if n > 0 and
                        h not in held) + len(held))
    else:
        possible = max_amount(free, affinity) + (
            sum(held.values()) if affinity is None else 0)
    return ('Not enough capacity for %d instance(s) of %d vCPU, %d MB RAM '
            'and %d GB disk %s from %s to %s: at most %d fit.' % (
                amount, shape.vcpus, shape.memory_mb, shape.disk_gb, how,
                dates.format_date(start), dates.format_date(end),
                possible))
