"""Taking resources back before a lease ends: preemption (hosts lent to
preemptible instances, wanted by a reservation about to start) and expiry
(active reservations left unused past their ``expiry``).

Both run in every manager's periodic usage pass. Each release is decided
by a conditional UPDATE, so when several managers race for the same
reservation exactly one releases it and announces it.
"""

import datetime
import functools

from oslo_log import log as logging
import sqlalchemy as sa

from promise.common import dates
from promise.common import views
from promise import conf
from promise import context
from promise.db import api as db
from promise.db import leases as lease_db
from promise.db import models
from promise.notifications import notifier
from promise.notifications import outbox
from promise.plugins import loader
from promise import status

CONF = conf.CONF
LOG = logging.getLogger(__name__)


def preempt_upcoming(now=None):
    """Free the hosts of host reservations starting within the grace
    period ([manager] preemption_grace) of preemptible instances."""
    now = now or dates.utcnow()
    soon = now + datetime.timedelta(seconds=CONF.manager.preemption_grace)
    ctx = context.admin_context()
    with db.reader(ctx) as session:
        leases = session.scalars(
            sa.select(models.Lease).where(
                models.Lease.status == status.PENDING,
                models.Lease.start_date <= soon,
                models.Lease.end_date > now)).all()
    for lease in leases:
        for res in lease.reservations:
            try:
                loader.get(res.resource_type).preempt(
                    ctx, lease, res, functools.partial(notifier.notify, ctx))
            except Exception:
                LOG.exception('Preempting for reservation %s failed; its '
                              'start will try again', res.id)


def expire_unused(now=None):
    """Release active reservations with an ``expiry`` in which nothing has
    run by that many minutes after the start (usage as last reconciled).
    Returns the ids released."""
    now = now or dates.utcnow()
    ctx = context.admin_context()
    res = models.Reservation
    with db.reader(ctx) as session:
        candidates = session.scalars(
            sa.select(res).join(models.Lease)
            .where(res.status == status.Reservation.ACTIVE,
                   res.expiry.isnot(None),
                   models.Lease.status == status.ACTIVE)).all()
        due = [(r.lease_id, r.id) for r in candidates if _due(r, now)]
    released = []
    for lease_id, reservation_id in due:
        try:
            if _expire(ctx, lease_id, reservation_id, now):
                released.append(reservation_id)
        except Exception:
            # The next reservation still gets its turn; this one is
            # tried again next pass.
            LOG.exception('Expiring reservation %s failed', reservation_id)
    return released


def _due(reservation, now):
    """Whether ``reservation`` is past its expiry with nothing run. One
    row's odd value (an expiry beyond the last date) must not stop the
    pass for every other reservation."""
    try:
        expires = dates.shift(reservation.lease.start_date,
                              datetime.timedelta(minutes=reservation.expiry))
        return (expires <= now and
                not any(u.servers for u in reservation.usage))
    except Exception:
        LOG.exception('Reservation %s: cannot tell whether it expired; '
                      'skipped this pass', reservation.id)
        return False


def _expire(ctx, lease_id, reservation_id, now):
    with db.reader(ctx) as session:
        lease = lease_db.get(session, lease_id)
        reservation = session.get(models.Reservation, reservation_id)
    try:
        # Nova first: until the allocation is trimmed below, nobody else
        # can have these resources.
        loader.get(reservation.resource_type).on_end(ctx, lease, reservation)
    except Exception:
        LOG.exception('Releasing expired reservation %s in Nova failed; '
                      'will try again', reservation_id)
        return False
    with db.writer(ctx) as session:
        won = session.execute(
            sa.update(models.Reservation)
            .where(models.Reservation.id == reservation_id,
                   models.Reservation.status == status.Reservation.ACTIVE)
            .values(status=status.Reservation.EXPIRED)
            .execution_options(synchronize_session=False)).rowcount
        if not won:
            return False  # another manager did it
        for table in (models.HostAllocation, models.InstanceAllocation):
            session.execute(
                sa.update(table)
                .where(table.reservation_id == reservation_id,
                       table.end_date > now)
                .values(end_date=now)
                .execution_options(synchronize_session=False))
        lease = lease_db.get(session, lease_id)
        session.refresh(lease)
        payload = {'lease': views.lease(lease),
                   'reservation_id': reservation_id}
        outbox.record_in(session, 'reservation.expired', payload)
    LOG.info('Reservation %s of lease %s expired unused', reservation_id,
             lease_id)
    notifier.notify(ctx, 'reservation.expired', payload, recorded=True)
    return True
