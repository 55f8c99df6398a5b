"""physical:host allocation: choosing free hosts for a window, safely
under concurrency.

One query finds the reservable hosts with no allocation overlapping the
(padded) window, narrowed by the property queries in SQL
(promise.db.host_filters); the exact match runs in memory on that result. The
chosen hosts' generation numbers are then bumped with a single conditional
UPDATE: if any of them changed since it was read, another transaction
claimed it first, ConcurrentUpdate is raised and the caller's transaction
is retried from scratch. So no two commits can ever hold one host for
overlapping windows, whatever the number of API workers and managers.
"""

import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from promise.common import dates
from promise.common import intervals
from promise.common import properties
from promise.common import timeline
from promise import conf
from promise.db import grants as grant_db
from promise.db import host_capacity
from promise.db import host_filters
from promise.db import hosts as host_db
from promise.db import models
from promise.db.models import capacity as capacity_models
from promise import exceptions
from promise import status

CONF = conf.CONF
# More hosts than this wanted at once: counted before they are read.
BIG = 32
# Free hosts read at a time when a property query decides.
PAGE = 64
# Start times whose busy intervals the offer search reads at once.
CHUNK = datetime.timedelta(days=1)


def _free(columns, start, end, exclude_reservation=None, narrow=None):
    """SELECT ``columns`` of the reservable hosts with nothing allocated
    over [start, end) that satisfy the clause ``narrow``."""
    lo, hi = intervals.padded(start, end, CONF.cleaning_time)
    busy = host_db.held(models.HostAllocation, lo, hi, exclude_reservation)
    # Whole hosts only: a host holding instance slots, or capacity a grant
    # approved, is not free.
    sliced = host_db.held(models.InstanceAllocation, lo, hi)
    granted = host_db.held(grant_db.live_table(dates.utcnow()), lo, hi)
    query = (sa.select(*columns)
             .where(models.Host.reservable.is_(True),
                    models.Host.health == status.Health.UP)
             .where(~busy, ~sliced, ~granted)
             .where(~host_db.out_of_pool(lo, hi)))
    return query if narrow is None else query.where(narrow)


def _count(session, start, end, exclude_reservation=None):
    return session.scalar(sa.select(sa.func.count()).select_from(
        _free([models.Host.id], start, end, exclude_reservation).subquery()))


def free_hosts(session, start, end, exclude_reservation=None, limit=None,
               prefer=(), capabilities=True, narrow=None, after=None):
    """Reservable hosts with nothing allocated over [start, end) (and
    satisfying the clause ``narrow``); their capabilities are loaded with
    them unless ``capabilities`` is false (then only on access)."""
    query = _free([models.Host], start, end, exclude_reservation, narrow)
    if after is not None:
        query = query.where(models.Host.id > after)
    if not capabilities:
        query = query.options(orm.lazyload(models.Host.capabilities))
    if prefer:
        query = query.order_by(
            sa.case((models.Host.id.in_(list(prefer)), 0), else_=1))
    query = query.order_by(models.Host.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def choose(session, start, end, count_min, count_max,
           hypervisor_query=None, resource_query=None,
           exclude_reservation=None, prefer=(), only=None):
    """Pick count_min..count_max hosts free over [start, end) and claim
    them (generation bump). Raises NotEnoughHosts or ConcurrentUpdate."""
    filtered = (hypervisor_query is not None or resource_query is not None
                or only is not None)
    # Without filters the first count_max free hosts will do: let the
    # database stop there.
    limit = None if filtered else count_max
    if not filtered and count_min > BIG:
        # Many hosts wanted: count them before reading them all, so that a
        # request that cannot fit is refused without loading the pool.
        free = _count(session, start, end, exclude_reservation)
        if free < count_min:
            raise _not_enough(count_min, count_max, free, start, end)
    narrow = host_filters.narrowing(hypervisor_query, resource_query)
    candidates = []
    # With a property query and no preference, the free hosts are read a
    # page at a time by id until count_max match (what reading them all
    # gives, without the rest).
    paged = filtered and not prefer and only is None
    page = max(PAGE, 2 * count_max) if paged else limit
    after = None
    while True:
        hosts = free_hosts(session, start, end, exclude_reservation,
                           limit=page, prefer=prefer,
                           capabilities=resource_query is not None,
                           narrow=narrow, after=after)
        for host in hosts:
            if only is not None and host.id not in only:
                continue
            if _matches(host, hypervisor_query, resource_query):
                candidates.append(host)
        if not paged or len(hosts) < page or len(candidates) >= count_max:
            break
        after = hosts[-1].id
    if len(candidates) < count_min:
        raise _not_enough(count_min, count_max, len(candidates), start, end)
    chosen = candidates[:count_max]
    host_db.claim(session, chosen)
    return chosen


def _not_enough(count_min, count_max, free, start, end):
    wanted = (str(count_min) if count_min == count_max
              else '%d to %d' % (count_min, count_max))
    return exceptions.NotEnoughHosts(
        wanted=wanted, free=free, start=dates.format_date(start),
        end=dates.format_date(end))


def count_free(session, start, end, hypervisor_query=None,
               resource_query=None):
    """How many matching hosts are free over the whole window (counted by
    the database when no property query needs matching here)."""
    if hypervisor_query is None and resource_query is None:
        return _count(session, start, end)
    return sum(1 for host in free_hosts(
        session, start, end, capabilities=resource_query is not None,
        narrow=host_filters.narrowing(hypervisor_query, resource_query))
        if _matches(host, hypervisor_query, resource_query))


def free_at(session, start, until, duration, hypervisor_query=None,
            resource_query=None):
    """How many matching hosts ``choose`` would find free over [t, t +
    duration), as a function of t in [start, until] asked in increasing
    order: the offer search asks it instead of trying each window. The
    hosts' busy intervals (held or out of the pool, cleaning time
    included) are read for CHUNK of start times at a time, when first
    asked, so a search that finds its windows early (or, by ``total``,
    that none can fit) reads little."""
    scope, total = host_capacity.matching_scope(
        session, hypervisor_query, resource_query)
    return _FreeOverTime(session, scope, total, until, duration)


class _FreeOverTime:

    def __init__(self, session, scope, total, until, duration):
        self._session, self._scope = session, scope
        self._until, self._duration = until, duration
        self._span = self._counter = None
        self.total = total

    def __call__(self, moment):
        if self._span is None or not (
                self._span[0] <= moment <= self._span[1]):
            upto = max(moment, min(dates.shift(moment, CHUNK), self._until))
            self._span = (moment, upto)
            self._counter = self._read(moment, upto)
        return self._counter(moment)

    def _read(self, first, last):
        end = dates.shift(last, self._duration)
        busy = host_capacity.held_intervals(self._session, self._scope,
                                            first, end)
        lo, hi = intervals.padded(first, end, CONF.cleaning_time)
        for host_id, spans in host_capacity.out_of_pool_intervals(
                self._session, self._scope, lo, hi).items():
            busy[host_id] = timeline.merge(
                busy.get(host_id, []) +
                [intervals.padded(a, b, CONF.cleaning_time)
                 for a, b in spans])
        return intervals.FreeCounter(
            self.total, [intervals.blocking(spans, self._duration)
                         for spans in busy.values()])


def _matches(host, hypervisor_query, resource_query):
    hyper, resource = host_db.host_properties(
        host, capabilities=resource_query is not None)
    return (properties.matches(hypervisor_query, hyper) and
            properties.matches(resource_query, resource))


def release_times(session, start, until):
    """When host allocations, planned downtimes and grant holds end in
    (start, until]: the moments at which a host can become free."""
    pad = datetime.timedelta(minutes=CONF.cleaning_time)
    alloc = models.HostAllocation
    change = models.CapacityChange
    times = grant_db.expiry_times(session, start, until, dates.utcnow())
    for (moment,) in session.execute(
            sa.select(alloc.end_date).distinct().where(
                alloc.end_date > start,
                alloc.end_date <= until)):
        times.add(dates.shift(moment, pad))
    for (moment,) in session.execute(
            sa.select(change.end_date).distinct().where(
                change.end_date > start, change.end_date <= until)):
        times.add(moment)
    for (moment,) in session.execute(
            sa.select(change.start_date).distinct().where(
                change.type == capacity_models.AVAILABLE,
                change.start_date > start, change.start_date <= until)):
        times.add(moment)
    return times
