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

from promise.db import models
from promise.engine import hosts as engine
from promise.engine import properties
from promise import exceptions
from promise.manager import status

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
