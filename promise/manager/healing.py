"""Moving reservations off hosts that leave the pool.

When a host becomes unavailable (a planned downtime now; a failed host
later), each plugin re-homes or flags what its reservations hold there
(ResourcePlugin.rehome), in the same transaction as the change; flagged
reservations are retried (ResourcePlugin.heal) whenever host health is
recorded. The owners' webhooks are recorded in that transaction too
(``announce``); after the commit, ``follow`` makes Nova follow the moves
and sends the notifications.
"""

from oslo_log import log as logging

from promise.common import views
from promise.db import api as db
from promise.db import leases as lease_db
from promise.db import models
from promise.notifications import notifier
from promise.notifications import outbox
from promise.plugins import loader
from promise import status

LOG = logging.getLogger(__name__)


def rehome(session, host_id, lo, hi):
    """Re-home or flag what ``host_id`` holds over [lo, hi) (hi None: for
    good). Returns [Outcome]; new_host_id None means flagged."""
    outcomes = []
    for wing in loader.wings().values():
        outcomes.extend(wing.rehome(session, host_id, lo, hi))
    session.flush()
    return outcomes


def heal(session, now=None):
    """Try again for flagged reservations. Returns an Outcome per
    allocation moved or reservation cleared."""
    outcomes = []
    for wing in loader.wings().values():
        outcomes.extend(wing.heal(session, now))
    session.flush()
    return outcomes


def announce(session, outcomes, healed=False):
    """In the transaction that moved or flagged (or, ``healed``, cleared)
    the reservations: record the owners' webhook deliveries with the
    change, so a crash after the commit loses none (lease.update for a
    move, reservation.degraded for a flag, reservation.healed when a flag
    is cleared). Returns [(event type, payload)] for ``follow``."""
    announced = []
    for outcome in outcomes:
        lease = lease_db.get(session, outcome.lease_id)
        reservation = session.get(models.Reservation, outcome.reservation_id)
        if healed and not reservation.missing_resources:
            event = 'reservation.healed'
        elif outcome.new_host_id is None:
            event = 'reservation.degraded'
        else:
            event = 'lease.update'
        payload = {'lease': views.lease(lease),
                   'reservation_id': outcome.reservation_id}
        outbox.record_in(session, event, payload)
        announced.append((event, payload))
    return announced


def follow(ctx, outcomes, announced):
    """After the commit: running reservations that moved follow in Nova,
    then what ``announce`` recorded goes out."""
    for outcome in outcomes:
        if outcome.new_host_id is None or outcome.old_host_id is None:
            continue
        with db.reader(ctx) as session:
            lease = lease_db.get(session, outcome.lease_id)
            reservation = session.get(models.Reservation,
                                      outcome.reservation_id)
            old_host = session.get(models.Host, outcome.old_host_id)
            new_host = session.get(models.Host, outcome.new_host_id)
        if lease.status != status.ACTIVE:
            continue
        try:
            loader.get(reservation.resource_type).swap_host(
                ctx, lease, reservation, old_host, new_host)
        except Exception:
            LOG.exception('Moving reservation %s from %s to %s in Nova '
                          'failed', reservation.id,
                          old_host.hypervisor_hostname,
                          new_host.hypervisor_hostname)
    for event, payload in announced:
        notifier.notify(ctx, event, payload, recorded=True)
