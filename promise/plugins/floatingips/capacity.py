"""virtual:floatingip capacity over time: registered, reserved, used and
available addresses. ``resource_properties`` picks addresses by their
fields (e.g. ``["==", "$floating_network_id", "<id>"]``). Read-only."""

import sqlalchemy as sa

from promise.common import properties
from promise.common import timeline
from promise.db import models
from promise import exceptions
from promise import status

FIELDS = ('floating_network_id', 'subnet_id', 'floating_ip_address')


def timeline_of(session, start, end, hypervisor_query=None,
                resource_query=None, shape=None):
    """(steps, summary) for /v1/capacity
    (ResourcePlugin.capacity_timeline)."""
    if shape is not None or hypervisor_query is not None:
        raise exceptions.InvalidInput(
            reason='virtual:floatingip takes resource_properties only '
                   '(on %s).' % ', '.join(FIELDS))
    fip = models.FloatingIP
    ids = {row.id for row in session.execute(
        sa.select(fip.id, *[getattr(fip, f) for f in FIELDS])
        .where(fip.reservable.is_(True)))
        if properties.matches(resource_query,
                              {f: getattr(row, f) for f in FIELDS})}
    alloc, res = models.FloatingIPAllocation, models.Reservation
    held, used = [], []
    for fip_id, s, e, state in session.execute(
            sa.select(alloc.floatingip_id, alloc.start_date, alloc.end_date,
                      res.status)
            .join(res, res.id == alloc.reservation_id)
            .where(alloc.start_date < end, alloc.end_date > start)):
        if fip_id not in ids:
            continue
        held.append((s, e))
        # Created in Neutron, in the lease's project.
        if state == status.Reservation.ACTIVE:
            used.append((s, e))
    steps = timeline.combine(
        start, end, total=[(start, end, len(ids))],
        reserved=timeline.count(start, end, held),
        used=timeline.count(start, end, used))
    steps = [(s, e, dict(v, available=v['total'] - v['reserved']))
             for s, e, v in steps]
    return steps, {'unit': 'floatingips',
                   'min_available': min(v['available'] for _, _, v in steps)}
