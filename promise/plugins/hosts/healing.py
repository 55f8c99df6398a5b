"""physical:host healing: moving host reservations off hosts that leave
the pool.

Invariant: everything here runs inside the caller's transaction (the one
that changed the host), and each replacement host is claimed with the
host generation check (allocation.choose), so a re-homing decision and a
concurrent allocation can never both commit the same host.
"""

import sqlalchemy as sa

from promise.common import dates
from promise.common import properties
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise.plugins import base as plugin_base
from promise.plugins.hosts import allocation
from promise import status

RESOURCE_TYPE = 'physical:host'


def rehome(session, host_id, lo, hi):
    """Re-home or flag the host reservations holding ``host_id`` over
    [lo, hi) (hi None: for good). Returns [Outcome]; new_host_id None
    means flagged."""
    alloc = models.HostAllocation
    query = (sa.select(alloc).where(alloc.host_id == host_id,
                                    alloc.end_date > lo)
             .order_by(alloc.start_date))
    if hi is not None:
        query = query.where(alloc.start_date < hi)
    outcomes = []
    for held in session.scalars(query):
        res = session.get(models.Reservation, held.reservation_id)
        lease = res.lease
        if lease.status in (status.TERMINATED, status.DELETING):
            continue
        new_host = replacement(session, res, held)
        if new_host is not None:
            held.host_id = new_host.id
            res.resources_changed = True
        else:
            res.missing_resources = True
            lease.degraded = True
        outcomes.append(plugin_base.Outcome(res.id, lease.id, host_id,
                                            new_host.id if new_host else None))
    return outcomes


def replacement(session, res, held):
    """A free host matching the reservation for the allocation's window,
    claimed; None when there is none."""
    detail = res.host
    hyper = properties.parse(detail.hypervisor_properties,
                             'hypervisor_properties')
    resource = properties.parse(detail.resource_properties,
                                'resource_properties')
    try:
        chosen = allocation.choose(session, held.start_date, held.end_date,
                                   1, 1, hyper, resource)
    except exceptions.NotEnoughHosts:
        return None
    return chosen[0]


def heal(session, now=None):
    """Try again for flagged host reservations: each allocation on a host
    that is unhealthy or out of the pool is re-homed if a host is free
    now; a reservation with nothing lost left is no longer flagged.
    Returns an Outcome per allocation moved or reservation cleared."""
    now = now or dates.utcnow()
    alloc = models.HostAllocation
    lost = sa.or_(models.Host.health != status.Health.UP,
                  models.Host.reservable.is_(False),
                  host_db.out_of_pool(alloc.start_date, alloc.end_date))
    flagged = session.scalars(
        sa.select(models.Reservation)
        .join(models.Lease, models.Lease.id == models.Reservation.lease_id)
        .where(models.Reservation.missing_resources.is_(True),
               models.Reservation.resource_type == RESOURCE_TYPE,
               models.Lease.end_date > now,
               models.Lease.status.notin_((status.TERMINATED,
                                           status.DELETING)))).all()
    outcomes = []
    for reservation in flagged:
        lost_allocations = session.scalars(
            sa.select(alloc)
            .join(models.Host, models.Host.id == alloc.host_id)
            .where(alloc.reservation_id == reservation.id,
                   alloc.end_date > now)
            .where(lost)).all()
        remaining = 0
        for held in lost_allocations:
            new_host = replacement(session, reservation, held)
            if new_host is None:
                remaining += 1
                continue
            outcomes.append(plugin_base.Outcome(reservation.id,
                                                reservation.lease_id,
                                                held.host_id, new_host.id))
            held.host_id = new_host.id
            reservation.resources_changed = True
        if remaining or not reservation.host:
            continue
        reservation.missing_resources = False
        lease = reservation.lease
        lease.degraded = any(r.missing_resources for r in lease.reservations)
        if not lost_allocations:
            # Its own host came back.
            outcomes.append(plugin_base.Outcome(
                reservation.id, reservation.lease_id, None, None))
    return outcomes
