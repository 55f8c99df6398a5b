"""Instance reservations on a host that leaves the pool: flagged.

Slots are not moved to other hosts (yet): every reservation of the type
holding slots on the host in the window gets ``missing_resources`` and
its lease ``degraded``, inside the caller's transaction.
"""

import sqlalchemy as sa

from promise.db import models
from promise.plugins import base as plugin_base
from promise import status


def flag(session, resource_type, host_id, lo, hi):
    """Flag the ``resource_type`` reservations holding slots on
    ``host_id`` over [lo, hi) (hi None: for good). Returns [Outcome]."""
    table = models.InstanceAllocation
    res = models.Reservation
    query = (sa.select(table.reservation_id).distinct()
             .join(res, res.id == table.reservation_id)
             .where(table.host_id == host_id, table.end_date > lo,
                    res.resource_type == resource_type))
    if hi is not None:
        query = query.where(table.start_date < hi)
    outcomes = []
    for (reservation_id,) in session.execute(query):
        reservation = session.get(models.Reservation, reservation_id)
        if reservation.lease.status in (status.TERMINATED, status.DELETING):
            continue
        reservation.missing_resources = True
        reservation.lease.degraded = True
        outcomes.append(plugin_base.Outcome(
            reservation.id, reservation.lease_id, host_id, None))
    return outcomes
