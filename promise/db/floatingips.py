"""Queries on registered floating IPs and their allocations.

Functions take an open session: the caller decides the transaction.
"""

import sqlalchemy as sa

from promise.common import dates
from promise.db import generations
from promise.db import models
from promise import exceptions


def view(fip):
    """A floating IP as /v1/floatingips shows it (Blazar's fields)."""
    return {'id': fip.id,
            'floating_network_id': fip.floating_network_id,
            'subnet_id': fip.subnet_id,
            'floating_ip_address': fip.floating_ip_address,
            'reservable': fip.reservable,
            'created_at': dates.format_timestamp(fip.created_at),
            'updated_at': dates.format_timestamp(fip.updated_at)}


def get(session, fip_id):
    fip = session.get(models.FloatingIP, fip_id)
    if fip is None:
        raise exceptions.NotFound(object='Floating IP', id=fip_id)
    return fip


def list_(session):
    return list(session.scalars(
        sa.select(models.FloatingIP)
        .order_by(models.FloatingIP.floating_network_id,
                  models.FloatingIP.floating_ip_address)))


def find(session, network_id, address):
    return session.scalars(
        sa.select(models.FloatingIP)
        .where(models.FloatingIP.floating_network_id == network_id,
               models.FloatingIP.floating_ip_address == address)).first()


def _registered(network_id, address):
    return exceptions.Conflict(
        reason='Floating IP %s of network %s is already registered.'
        % (address, network_id))


def check_new(session, network_id, address):
    """Conflict if ``address`` of ``network_id`` is registered."""
    if find(session, network_id, address) is not None:
        raise _registered(network_id, address)


def create(session, fip_id, network_id, subnet_id, address):
    check_new(session, network_id, address)
    fip = models.FloatingIP(id=fip_id, floating_network_id=network_id,
                            subnet_id=subnet_id, floating_ip_address=address,
                            reservable=True, generation=0)
    session.add(fip)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        # Registered meanwhile by a concurrent request.
        raise _registered(network_id, address)
    return fip


def delete(session, fip_id, now=None):
    """Remove a registered address that no reservation holds now or later;
    allocations that ended go with it."""
    fip = get(session, fip_id)
    claim(session, [fip])
    alloc = models.FloatingIPAllocation
    if session.scalar(sa.select(sa.func.count()).where(
            alloc.floatingip_id == fip.id,
            alloc.end_date > (now or dates.utcnow()))):
        raise exceptions.Conflict(
            reason='Floating IP %s is held by reservations that have not '
                   'ended; delete their leases first.'
            % fip.floating_ip_address)
    session.execute(sa.delete(alloc).where(alloc.floatingip_id == fip.id))
    session.delete(fip)


def held(lo, hi, exclude_reservation=None):
    """EXISTS an allocation of ``models.FloatingIP`` overlapping [lo, hi),
    other than those of ``exclude_reservation``."""
    alloc = models.FloatingIPAllocation
    clause = sa.exists().where(alloc.floatingip_id == models.FloatingIP.id,
                               alloc.start_date < hi, alloc.end_date > lo)
    if exclude_reservation is not None:
        clause = clause.where(alloc.reservation_id != exclude_reservation)
    return clause


def claim(session, fips):
    """Bump the generation of ``fips`` as read (generations.claim)."""
    generations.claim(session, models.FloatingIP, fips)


def addresses(session, reservation_id):
    """[FloatingIP] a reservation holds, by address."""
    fip, alloc = models.FloatingIP, models.FloatingIPAllocation
    return list(session.scalars(
        sa.select(fip).join(alloc, alloc.floatingip_id == fip.id)
        .where(alloc.reservation_id == reservation_id)
        .order_by(fip.floating_ip_address)))
