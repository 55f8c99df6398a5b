"""Instance reservations on a host that leaves the pool: their slots
there move to other hosts, the way host reservations move.

Invariant: everything runs inside the caller's transaction (the one that
changed the host), and every placement goes through slots.choose, which
keeps the slots the reservation holds elsewhere, honours its affinity and
claims the hosts it uses with the host generation check, so a re-homing
decision and a concurrent allocation never both commit the same capacity.
What cannot move is flagged (``missing_resources``, lease ``degraded``)
and tried again by ``heal``, which also clears the flag once the
capacity is back.
"""

import collections

import sqlalchemy as sa

from promise.common import dates
from promise.common import properties
from promise.common import shapes
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise.plugins import base as plugin_base
from promise.plugins.instances import slots
from promise import status

_OVER = (status.TERMINATED, status.DELETING)


def rehome(session, resource_type, host_id, lo, hi):
    """Move (or flag) the ``resource_type`` reservations' slots on
    ``host_id`` over [lo, hi) (hi None: for good). Returns [Outcome]: one
    per host slots moved to, new_host_id None for a flag."""
    alloc = models.InstanceAllocation
    res = models.Reservation
    query = (sa.select(alloc.reservation_id).distinct()
             .join(res, res.id == alloc.reservation_id)
             .where(alloc.host_id == host_id, alloc.end_date > lo,
                    res.resource_type == resource_type))
    if hi is not None:
        query = query.where(alloc.start_date < hi)
    outcomes = []
    for reservation_id in session.scalars(query).all():
        reservation = session.get(models.Reservation, reservation_id)
        lease = reservation.lease
        if lease.status in _OVER:
            continue
        moved = move(session, reservation, {host_id})
        if moved:
            reservation.resources_changed = True
            outcomes.extend(plugin_base.Outcome(reservation.id, lease.id,
                                                host_id, new)
                            for new in moved)
        else:
            reservation.missing_resources = True
            lease.degraded = True
            outcomes.append(plugin_base.Outcome(reservation.id, lease.id,
                                                host_id, None))
    return outcomes


def move(session, reservation, lost_hosts):
    """Place again the reservation's slots on ``lost_hosts``, keeping the
    others where they are. Returns the hosts that took slots ([] when
    they do not fit anywhere; nothing is changed then)."""
    detail = reservation.instance
    allocations = list(reservation.instance_allocations)
    lost = [a for a in allocations if a.host_id in lost_hosts]
    if not lost or detail is None:
        return []
    kept = collections.Counter()
    for a in allocations:
        if a.host_id not in lost_hosts:
            kept[a.host_id] += a.slots
    start, end = lost[0].start_date, lost[0].end_date
    shape = shapes.Shape(detail.vcpus, detail.memory_mb, detail.disk_gb)
    query = properties.parse(detail.resource_properties,
                             'resource_properties')
    try:
        placement = slots.choose(session, start, end, detail.amount, shape,
                                 detail.affinity, query,
                                 exclude_reservation=reservation.id,
                                 held=dict(kept))
    except exceptions.CapacityConflict:
        return []
    for a in lost:
        reservation.instance_allocations.remove(a)
    # One row per host, as a placement made at once has.
    rows = {a.host_id: a for a in reservation.instance_allocations}
    added = []
    for host_id in sorted(placement):
        extra = placement[host_id] - kept.get(host_id, 0)
        if extra <= 0:
            continue
        added.append(host_id)
        if host_id in rows:
            rows[host_id].slots += extra
            continue
        reservation.instance_allocations.append(models.InstanceAllocation(
            host_id=host_id, slots=extra, vcpus=shape.vcpus,
            memory_mb=shape.memory_mb, disk_gb=shape.disk_gb,
            start_date=start, end_date=end))
    session.flush()
    return added


def heal(session, resource_type, now=None):
    """Try again for flagged reservations of ``resource_type``: slots on
    hosts that are unhealthy or out of the pool move if they fit now; a
    reservation with nothing lost left is no longer flagged. Returns an
    Outcome per host slots moved to or reservation cleared."""
    now = now or dates.utcnow()
    alloc = models.InstanceAllocation
    lost = sa.or_(models.Host.health != status.Health.UP,
                  models.Host.reservable.is_(False),
                  host_db.out_of_pool(alloc.start_date, alloc.end_date))
    flagged = session.scalars(
        sa.select(models.Reservation)
        .join(models.Lease, models.Lease.id == models.Reservation.lease_id)
        .where(models.Reservation.missing_resources.is_(True),
               models.Reservation.resource_type == resource_type,
               models.Lease.end_date > now,
               models.Lease.status.notin_(_OVER))).all()
    outcomes = []
    for reservation in flagged:
        lost_hosts = set(session.scalars(
            sa.select(alloc.host_id)
            .join(models.Host, models.Host.id == alloc.host_id)
            .where(alloc.reservation_id == reservation.id,
                   alloc.end_date > now)
            .where(lost)).all())
        if lost_hosts:
            moved = move(session, reservation, lost_hosts)
            if not moved:
                continue
            reservation.resources_changed = True
            outcomes.extend(plugin_base.Outcome(
                reservation.id, reservation.lease_id, sorted(lost_hosts)[0],
                new) for new in moved)
        else:
            # Its own hosts came back.
            outcomes.append(plugin_base.Outcome(
                reservation.id, reservation.lease_id, None, None))
        reservation.missing_resources = False
        lease = reservation.lease
        lease.degraded = any(r.missing_resources for r in lease.reservations)
    return outcomes
