"""virtual:floatingip healing: an address that Neutron gave to something
other than the reservation holding it.

A registered address lies outside Neutron's pools, so only an admin
creating it by hand (or a port taking it) can take it. Each pass asks
Neutron what exists on the registered networks; an address held by
anything but the reservation that holds it now stops being reservable,
and the reservations holding it later move to another free address of
the network (flagged when there is none; a running one is flagged). The
address becomes reservable again once Neutron no longer holds it for
someone else, and flagged reservations try again. Every decision is one
transaction with the address generation check.
"""

import collections
import datetime
import json

import sqlalchemy as sa

from promise.common import dates
from promise.db import floatingips as fip_db
from promise.db import models
from promise.plugins import base as plugin_base
from promise.plugins.floatingips import allocation
from promise import status

_OVER = (status.TERMINATED, status.DELETING)
SLACK = datetime.timedelta(hours=1)


def networks(session):
    """The networks with registered addresses."""
    return session.scalars(
        sa.select(models.FloatingIP.floating_network_id).distinct()).all()


def holders(neutron, network_ids):
    """{(network id, address): Neutron's floating IP} on ``network_ids``
    (one Neutron call each)."""
    found = {}
    for network_id in network_ids:
        for fip in neutron.on_network(network_id):
            found[(network_id, fip.floating_ip_address)] = fip
    return found


def apply(session, found, made_for, now=None):
    """Bring the registered addresses in line with Neutron's ``found``
    holders; ``made_for(fip, reservation_id)`` tells a reservation's own
    address. Returns ([Outcome] moved or flagged, [Outcome] healed); their
    old/new "host" ids are address ids."""
    now = now or dates.utcnow()
    alloc = models.FloatingIPAllocation
    # Reservations whose own address may exist in Neutron now: those
    # holding it around now, as a start runs a little after its time and
    # an end removes the address a little after its own.
    current = collections.defaultdict(set)
    for fip_id, reservation_id in session.execute(
            sa.select(alloc.floatingip_id, alloc.reservation_id)
            .where(alloc.start_date <= now + SLACK,
                   alloc.end_date > now - SLACK)):
        current[fip_id].add(reservation_id)
    outcomes = []
    for fip in session.scalars(sa.select(models.FloatingIP)
                               .order_by(models.FloatingIP.id)).all():
        holder = found.get((fip.floating_network_id,
                            fip.floating_ip_address))
        taken = holder is not None and not any(
            made_for(holder, r) for r in current[fip.id])
        if taken and fip.reservable:
            fip_db.claim(session, [fip])
            fip.reservable = False
            outcomes.extend(_rehome(session, fip, now))
        elif not taken and not fip.reservable:
            fip_db.claim(session, [fip])
            fip.reservable = True
    return outcomes, heal(session, now)


def _rehome(session, lost, now):
    alloc = models.FloatingIPAllocation
    outcomes = []
    for held in session.scalars(
            sa.select(alloc).where(alloc.floatingip_id == lost.id,
                                   alloc.end_date > now)).all():
        res = session.get(models.Reservation, held.reservation_id)
        lease = res.lease
        if lease.status in _OVER:
            continue
        new = None
        if lease.status != status.ACTIVE:
            new = _replacement(session, res, held)
        if new is not None:
            held.floatingip_id = new.id
            res.resources_changed = True
        else:
            res.missing_resources = True
            lease.degraded = True
        outcomes.append(plugin_base.Outcome(res.id, lease.id, lost.id,
                                            new.id if new else None))
    return outcomes


def _replacement(session, res, held):
    """A free address of the reservation's network for the allocation's
    window that it does not hold already, claimed; None if none, or if
    the lost address is one the reservation requires by name."""
    lost = session.get(models.FloatingIP, held.floatingip_id)
    if lost.floating_ip_address in json.loads(
            res.floatingip.required_floatingips or '[]'):
        return None
    mine = {a.floatingip_id for a in res.floatingip_allocations}
    for fip in allocation.free(session, res.floatingip.network_id,
                               held.start_date, held.end_date):
        if fip.id not in mine:
            fip_db.claim(session, [fip])
            return fip
    return None


def heal(session, now):
    """Flagged reservations that have not started try again; one whose
    addresses are all reservable again is no longer flagged."""
    alloc = models.FloatingIPAllocation
    flagged = session.scalars(
        sa.select(models.Reservation)
        .join(models.Lease, models.Lease.id == models.Reservation.lease_id)
        .where(models.Reservation.missing_resources.is_(True),
               models.Reservation.resource_type == 'virtual:floatingip',
               models.Lease.end_date > now,
               models.Lease.status.notin_(_OVER))).all()
    outcomes = []
    for res in flagged:
        remaining = moved = 0
        for held in session.scalars(
                sa.select(alloc)
                .join(models.FloatingIP,
                      models.FloatingIP.id == alloc.floatingip_id)
                .where(alloc.reservation_id == res.id,
                       alloc.end_date > now,
                       models.FloatingIP.reservable.is_(False))).all():
            new = (_replacement(session, res, held)
                   if res.lease.status != status.ACTIVE else None)
            if new is None:
                remaining += 1
                continue
            outcomes.append(plugin_base.Outcome(res.id, res.lease_id,
                                                held.floatingip_id, new.id))
            held.floatingip_id = new.id
            res.resources_changed = True
            moved += 1
        if remaining:
            continue
        res.missing_resources = False
        res.lease.degraded = any(r.missing_resources
                                 for r in res.lease.reservations)
        if not moved:
            # Its own addresses are free again.
            outcomes.append(plugin_base.Outcome(res.id, res.lease_id, None,
                                                None))
    return outcomes
