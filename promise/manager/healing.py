"""Moving reservations off hosts that leave the pool.

When a host becomes unavailable (a planned downtime now; a failed host
later), every reservation holding it in that time is re-homed to a free
host that matches it — for the whole lease window, in the same
transaction as the change — or, when none is free, flagged
(``missing_resources`` on the reservation, ``degraded`` on the lease).
"""

import collections

from oslo_log import log as logging
import sqlalchemy as sa

from promise.common import dates
from promise.common import views
from promise.db import api as db
from promise.db import leases as lease_db
from promise.db import models
from promise.engine import hosts as engine
from promise.engine import properties
from promise import exceptions
from promise.notifications import notifier
from promise.plugins import loader
from promise import status

LOG = logging.getLogger(__name__)

Outcome = collections.namedtuple(
    'Outcome', 'reservation_id lease_id old_host_id new_host_id')


def rehome(session, host_id, lo, hi):
    """Re-home or flag what ``host_id`` holds over [lo, hi) (hi None: for
    good). Returns [Outcome]; new_host_id None means flagged."""
    alloc = models.HostAllocation
    query = (sa.select(alloc).where(alloc.host_id == host_id,
                                    alloc.end_date > lo)
             .order_by(alloc.start_date))
    if hi is not None:
        query = query.where(alloc.start_date < hi)
    outcomes = []
    for allocation in session.scalars(query):
        res = session.get(models.Reservation, allocation.reservation_id)
        lease = res.lease
        if lease.status in (status.TERMINATED, status.DELETING):
            continue
        new_host = _replacement(session, res, allocation)
        if new_host is not None:
            allocation.host_id = new_host.id
            res.resources_changed = True
        else:
            res.missing_resources = True
            lease.degraded = True
        outcomes.append(Outcome(res.id, lease.id, host_id,
                                new_host.id if new_host else None))
    outcomes.extend(_flag_instances(session, host_id, lo, hi))
    session.flush()
    return outcomes


def _replacement(session, res, allocation):
    detail = res.host
    hyper = properties.parse(detail.hypervisor_properties,
                             'hypervisor_properties')
    resource = properties.parse(detail.resource_properties,
                                'resource_properties')
    try:
        chosen = engine.choose(session, allocation.start_date,
                               allocation.end_date, 1, 1, hyper, resource)
    except exceptions.NotEnoughHosts:
        return None
    return chosen[0]


def _flag_instances(session, host_id, lo, hi):
    """Instance slots on the host are flagged; moving slots is the
    instance plugin's job."""
    table = getattr(models, 'InstanceAllocation', None)
    if table is None:
        return []
    query = sa.select(table.reservation_id).distinct().where(
        table.host_id == host_id, table.end_date > lo)
    if hi is not None:
        query = query.where(table.start_date < hi)
    outcomes = []
    for (reservation_id,) in session.execute(query):
        res = session.get(models.Reservation, reservation_id)
        if res.lease.status in (status.TERMINATED, status.DELETING):
            continue
        res.missing_resources = True
        res.lease.degraded = True
        outcomes.append(Outcome(res.id, res.lease_id, host_id, None))
    return outcomes


def heal(session, now=None):
    """Try again for flagged reservations: each allocation on a host that
    is unhealthy or out of the pool is re-homed if a host is free now; a
    reservation with nothing lost left is no longer flagged. Returns an
    Outcome per allocation moved or reservation cleared."""
    now = now or dates.utcnow()
    alloc = models.HostAllocation
    lost = sa.or_(models.Host.health != status.Health.UP,
                  models.Host.reservable.is_(False),
                  engine.out_of_pool(alloc.start_date, alloc.end_date))
    flagged = session.scalars(
        sa.select(models.Reservation)
        .join(models.Lease, models.Lease.id == models.Reservation.lease_id)
        .where(models.Reservation.missing_resources.is_(True),
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
        for allocation in lost_allocations:
            new_host = _replacement(session, reservation, allocation)
            if new_host is None:
                remaining += 1
                continue
            outcomes.append(Outcome(reservation.id, reservation.lease_id,
                                    allocation.host_id, new_host.id))
            allocation.host_id = new_host.id
            reservation.resources_changed = True
        if remaining or not reservation.host:
            # Instance slots are the instance plugin's to move.
            continue
        reservation.missing_resources = False
        lease = reservation.lease
        lease.degraded = any(r.missing_resources for r in lease.reservations)
        if not lost_allocations:
            # Its own host came back.
            outcomes.append(Outcome(reservation.id, reservation.lease_id,
                                    None, None))
    session.flush()
    return outcomes


def follow(ctx, outcomes, healed=False):
    """After the commit: running reservations that moved follow in Nova,
    and owners are told (lease.update for a move, reservation.degraded
    for a flag, reservation.healed when a flag is cleared)."""
    for outcome in outcomes:
        with db.reader(ctx) as session:
            lease = lease_db.get(session, outcome.lease_id)
            reservation = session.get(models.Reservation,
                                      outcome.reservation_id)
            old_host = (session.get(models.Host, outcome.old_host_id)
                        if outcome.old_host_id else None)
            new_host = (session.get(models.Host, outcome.new_host_id)
                        if outcome.new_host_id else None)
            payload = {'lease': views.lease(lease),
                       'reservation_id': outcome.reservation_id}
        if (new_host is not None and old_host is not None and
                lease.status == status.ACTIVE):
            try:
                loader.get(reservation.resource_type).swap_host(
                    ctx, lease, reservation, old_host, new_host)
            except Exception:
                LOG.exception('Moving reservation %s from %s to %s in Nova '
                              'failed', reservation.id,
                              old_host.hypervisor_hostname,
                              new_host.hypervisor_hostname)
        if healed and not reservation.missing_resources:
            event = 'reservation.healed'
        elif new_host is None:
            event = 'reservation.degraded'
        else:
            event = 'lease.update'
        notifier.notify(ctx, event, payload)
