"""Capacity queries over the host pool, shared by the capacity timelines
of each reservation type and by the net value.

A handful of set-based queries load the hosts that match, their
allocations, planned changes and observed usage over a window; the
timelines are then swept in memory (promise.common.timeline). Read-only.

The bulk of the work, how many hosts are held at each moment, is counted
by the database (held_deltas): GROUP BY returns one row per moment at
which the count changes (a window function first merges the slot
allocations that overlap on a host), so neither the allocations nor the
hosts (unless a property query needs them) cross the wire.
"""

import collections
import datetime

import sqlalchemy as sa

from promise.common import dates
from promise.common import intervals
from promise.common import properties
from promise.common import timeline
from promise import conf
from promise.db import grants as grant_db
from promise.db import host_filters
from promise.db import hosts as host_db
from promise.db import models
from promise.db.models import capacity as capacity_models
from promise import status

CONF = conf.CONF


def matching_hosts(session, hypervisor_query=None, resource_query=None):
    hosts = session.scalars(sa.select(models.Host).where(
        models.Host.reservable.is_(True),
        models.Host.health == status.Health.UP).order_by(models.Host.id))
    result = []
    for host in hosts:
        hyper, resource = host_db.host_properties(host)
        if (properties.matches(hypervisor_query, hyper) and
                properties.matches(resource_query, resource)):
            result.append(host)
    return result


def pool_hosts():
    """Reservable, healthy hosts: the ones capacity is made of."""
    return sa.select(models.Host.id).where(
        models.Host.reservable.is_(True),
        models.Host.health == status.Health.UP)


_Capability = collections.namedtuple('_Capability', 'name value')


class _HostRow:
    """A host as host_db.host_properties reads it, from plain rows."""

    def __init__(self, mapping, capabilities):
        self.__dict__.update(mapping)
        self.capabilities = capabilities


def matching_host_rows(session, hypervisor_query=None, resource_query=None,
                       columns=()):
    """The reservable, healthy hosts that match, by id, as rows with ``id``
    and ``columns`` (names of Host columns): without a query, one narrow
    query; with one, the database narrows the hosts
    (promise.db.host_filters), their properties are read as plain rows (no
    ORM objects) and matched exactly here."""
    host = models.Host
    names = ['id'] + list(columns)
    filtered = hypervisor_query is not None or resource_query is not None
    if filtered:
        # Whatever host_properties may read.
        names += [c.key for c in host.__table__.columns
                  if c.key not in names]
    narrow = host_filters.narrowing(hypervisor_query, resource_query)
    scope = pool_hosts()
    if narrow is not None:
        scope = scope.where(narrow)
    query = (sa.select(*[getattr(host, c) for c in names])
             .where(host.reservable.is_(True),
                    host.health == status.Health.UP)
             .order_by(host.id))
    if narrow is not None:
        query = query.where(narrow)
    rows = session.execute(query).all()
    if not filtered:
        return rows
    capabilities = collections.defaultdict(list)
    if resource_query is not None:
        cap = models.HostCapability
        for host_id, name, value in session.execute(
                sa.select(cap.host_id, cap.name, cap.value)
                .where(cap.host_id.in_(scope))):
            capabilities[host_id].append(_Capability(name, value))
    result = []
    for row in rows:
        hyper, resource = host_db.host_properties(
            _HostRow(row._mapping, capabilities.get(row.id, ())))
        if (properties.matches(hypervisor_query, hyper) and
                properties.matches(resource_query, resource)):
            result.append(row)
    return result


def matching_scope(session, hypervisor_query=None, resource_query=None):
    """(scope, count) of the pool hosts that match: without a query, a
    SELECT of their ids (counted by the database, never listed); with
    one, the list of their ids."""
    if hypervisor_query is None and resource_query is None:
        scope = pool_hosts()
        return scope, session.scalar(
            sa.select(sa.func.count()).select_from(scope.subquery()))
    scope = [row.id for row in matching_host_rows(
        session, hypervisor_query, resource_query)]
    return scope, len(scope)


def _in(column, ids):
    """``column`` among ``ids``: host ids, or a SELECT of them (so that
    ten thousand ids need not travel to the database and back)."""
    return column.in_(ids if isinstance(ids, sa.sql.Select) else list(ids))


def _scope(column, ids, exclude):
    """``column`` (a host id) among the pool hosts, or among ``ids`` when
    a property query chose them, and not in ``exclude``."""
    clause = _in(column, pool_hosts() if ids is None else ids)
    if exclude:
        clause = sa.and_(clause, column.not_in(list(exclude)))
    return clause


# What holds a host, in part or whole: every capacity count reads all
# three unless it asks for fewer.
HELD_BY = (models.HostAllocation, models.InstanceAllocation,
           models.GrantHold)


def _tables(tables):
    """``tables`` with GrantHold read as its live holds on unreserved
    capacity (a subquery with host_id, start_date and end_date)."""
    return [grant_db.live_table(dates.utcnow())
            if t is models.GrantHold else t for t in tables]


def _partial(tables):
    """The tables whose rows may overlap on one host."""
    return _tables([t for t in tables if t is not models.HostAllocation])


def held_deltas(session, start, end, ids=None, exclude=(), tables=None):
    """{moment: change in the number of hosts held} for the hosts in
    ``ids`` (None: every pool host; a list, or a SELECT of host ids) but
    not in ``exclude``, from the allocations in ``tables`` (default: whole
    hosts and instance slots) that overlap [start, end). No cleaning time:
    callers take the per-host path when there is some.

    A whole-host allocation never overlaps another allocation of its host
    (the allocation engines lock the host rows and check both tables), so
    each one is a host held for its own time: +1 at its start, -1 at its
    end, counted per (start, end) by the database.

    Slot allocations and grant holds (``models.GrantHold`` in ``tables``:
    the live holds on unreserved capacity) do overlap on a host. Sorted by
    start, each adds to its host's held time only the part after the
    latest end among the host's earlier ones (``prev_end``, a window
    function): those parts are disjoint and cover the same time as the
    host's partial holdings merged, so they count the same way.
    """
    if isinstance(ids, (list, tuple, set)) and not ids:
        return collections.Counter()
    tables = tables or HELD_BY
    deltas = collections.Counter()

    def add(rows):
        for part_start, part_end, count in rows:
            deltas[part_start] += count
            deltas[part_end] -= count

    def overlapping(t):
        return (t.start_date < end, t.end_date > start,
                _scope(t.host_id, ids, exclude))

    if models.HostAllocation in tables:
        t = models.HostAllocation
        add(session.execute(
            sa.select(t.start_date, t.end_date, sa.func.count())
            .where(*overlapping(t)).group_by(t.start_date, t.end_date)))
    parts = [sa.select(t.host_id.label('host_id'), t.start_date.label('s'),
                       t.end_date.label('e')).where(*overlapping(t))
             for t in _partial(tables)]
    if parts:
        allocs = sa.union_all(*parts).subquery('allocs')
        prev_end = sa.func.max(allocs.c.e).over(
            partition_by=allocs.c.host_id,
            order_by=(allocs.c.s, allocs.c.e), rows=(None, -1))
        ranked = sa.select(allocs.c.s, allocs.c.e,
                           prev_end.label('prev_end')).subquery('ranked')
        adds = sa.or_(ranked.c.prev_end.is_(None),
                      ranked.c.e > ranked.c.prev_end)
        fresh = sa.or_(ranked.c.prev_end.is_(None),
                       ranked.c.s > ranked.c.prev_end)
        part_start = sa.case((fresh, ranked.c.s),
                             else_=ranked.c.prev_end).label('part_start')
        add(session.execute(
            sa.select(part_start, ranked.c.e, sa.func.count())
            .where(adds).group_by(part_start, ranked.c.e)))
    return deltas


def out_of_pool_intervals(session, host_ids, start, end):
    """{host id: [(start, end)]} when planned changes keep hosts out."""
    change = models.CapacityChange
    rows = session.execute(
        sa.select(change.host_id, change.type, change.start_date,
                  change.end_date)
        .where(_in(change.host_id, host_ids),
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
    """{host id: merged [(start, end)]} when reservations or grants hold
    part or all of each host (by default: whole hosts, instance slots and
    grant holds), cleaning time included."""
    lo, hi = intervals.padded(start, end, CONF.cleaning_time)
    held = collections.defaultdict(list)
    for table in _tables(tables or HELD_BY):
        rows = session.execute(
            sa.select(table.host_id, table.start_date, table.end_date)
            .where(_in(table.host_id, host_ids), table.start_date < hi,
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
        .where(_in(alloc.host_id, host_ids), usage.servers > 0,
               alloc.end_date > now, alloc.start_date <= now))
    return [(max(now, a_start), a_end) for _, a_start, a_end in rows]


def host_pieces(start, end, pool, usage_steps):
    """[(t0, t1, used)] where the host is in the pool, splitting the pool
    intervals at the host's usage steps."""
    pieces = []
    for p_start, p_end in pool:
        for u_start, u_end, used in usage_steps:
            lo, hi = max(p_start, u_start), min(p_end, u_end)
            if lo < hi:
                pieces.append((lo, hi, used))
    return pieces
