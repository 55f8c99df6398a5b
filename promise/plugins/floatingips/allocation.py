"""virtual:floatingip allocation: choosing free registered addresses of a
network for a window, safely under concurrency.

One query finds the network's reservable addresses with no allocation
overlapping the (padded) window; the chosen ones' generations are then
bumped (promise.db.generations), so two transactions that picked one
address cannot both commit and no address is ever held twice.
"""

import datetime

import sqlalchemy as sa

from promise.common import dates
from promise.common import intervals
from promise import conf
from promise.db import floatingips as fip_db
from promise.db import models
from promise import exceptions

CONF = conf.CONF


def free(session, network_id, start, end, exclude_reservation=None):
    """The network's reservable addresses free over [start, end), by
    address."""
    lo, hi = intervals.padded(start, end, CONF.cleaning_time)
    fip = models.FloatingIP
    return list(session.scalars(
        sa.select(fip)
        .where(fip.floating_network_id == network_id,
               fip.reservable.is_(True),
               ~fip_db.held(lo, hi, exclude_reservation))
        .order_by(fip.floating_ip_address)))


def choose(session, network_id, start, end, amount, required=(),
           exclude_reservation=None, prefer=(), only=None):
    """Pick ``amount`` free addresses, ``required`` ones among them, and
    claim them. Raises NotEnoughFloatingIPs or ConcurrentUpdate."""
    candidates = free(session, network_id, start, end, exclude_reservation)
    if only is not None:
        candidates = [f for f in candidates if f.id in only]
    by_address = {f.floating_ip_address: f for f in candidates}
    taken = [a for a in required if a not in by_address]
    chosen = [by_address[a] for a in required if a in by_address]
    rest = sorted((f for f in candidates
                   if f.floating_ip_address not in required),
                  key=lambda f: f.id not in prefer)
    chosen += rest[:max(amount - len(chosen), 0)]
    if taken or len(chosen) < amount:
        raise exceptions.NotEnoughFloatingIPs(
            wanted=amount, network=network_id, free=len(candidates),
            start=dates.format_date(start), end=dates.format_date(end))
    fip_db.claim(session, chosen)
    return chosen


def count_free(session, network_id, start, end, required=()):
    """How many addresses a reservation could get over the whole window:
    none if a required one is taken."""
    candidates = free(session, network_id, start, end)
    addresses = {f.floating_ip_address for f in candidates}
    if not set(required) <= addresses:
        return 0
    return len(candidates)


def release_times(session, start, until):
    """When floating IP allocations end in (start, until], plus cleaning
    time: the moments at which an address can become free."""
    pad = datetime.timedelta(minutes=CONF.cleaning_time)
    alloc = models.FloatingIPAllocation
    return {dates.shift(moment, pad) for (moment,) in session.execute(
        sa.select(alloc.end_date).distinct().where(
            alloc.end_date > start, alloc.end_date <= until))}
