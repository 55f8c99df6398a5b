"""Host health from Nova's compute services, and healing.

A registered host whose nova-compute service is down or disabled stops
being reservable; reservations holding it from now on are re-homed or
flagged (promise.manager.healing). When it comes back it is reservable
again, and flagged reservations are retried.

Two feeds drive it: Nova's ``service.*`` notifications for one service
(``service_changed``, within seconds) and a poll of the os-services API
for all of them (``check``, the backstop: a compute that stops sending
heartbeats sends no notification either). Both end in ``_record``.
"""

from oslo_log import log as logging
import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.common import dates
from promise.common import periodic
from promise import context
from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import models
from promise.db import retry
from promise.manager import healing
from promise import status

LOG = logging.getLogger(__name__)

DOWN = status.Health.DOWN
DISABLED = status.Health.DISABLED
GONE = (DOWN, 'no nova-compute service')


def health_of(up, disabled, reason=None):
    """(health, reason) of a host whose nova-compute is (not) up and
    (not) disabled."""
    if not up:
        return (DOWN, 'nova-compute is down')
    if disabled:
        return (DISABLED, reason or 'nova-compute is disabled')
    return (status.Health.UP, None)


def compute_services(nova):
    """{service host: (health, reason)} for every nova-compute."""
    return {svc.host: health_of(svc.state == 'up', svc.status != 'enabled',
                                svc.disabled_reason)
            for svc in nova.nova.services.list(binary='nova-compute')}


def _apply(session, host, health, reason, now):
    """Give one host its new health. Returns the outcomes of re-homing
    what it holds (none unless it just stopped being healthy)."""
    if (health, reason) == (host.health, host.health_reason):
        return []
    LOG.info('Host %s is now %s%s', host.hypervisor_hostname, health,
             ' (%s)' % reason if reason else '')
    was_healthy = host.health == status.Health.UP
    host.health, host.health_reason = health, reason
    # Decisions in flight on this host retry with its new state.
    host_db.claim(session, [host])
    if was_healthy and health != status.Health.UP:
        session.flush()
        return healing.rehome(session, host.id, now, None)
    return []


@retry.decision
def _record(ctx, health_for, service_name=None):
    """Apply ``health_for(host)`` to the registered hosts (of one compute
    service, or all), then retry flagged reservations; one transaction.
    Returns (outcomes, healed, what was announced)."""
    now = dates.utcnow()
    outcomes = []
    with db.writer(ctx) as session:
        query = sa.select(models.Host).order_by(models.Host.id)
        if service_name is not None:
            query = query.where(models.Host.service_name == service_name)
        for host in session.scalars(query).all():
            outcomes.extend(_apply(session, host, *health_for(host), now))
        healed = healing.heal(session, now)
        announced = (healing.announce(session, outcomes) +
                     healing.announce(session, healed, healed=True))
    return outcomes, healed, announced


def _follow(ctx, outcomes, healed, announced):
    healing.follow(ctx, outcomes + healed, announced)
    return outcomes + healed


def check(nova, ctx=None):
    """One pass: apply Nova's view to hosts, then retry flagged
    reservations. Returns the outcomes (moved or flagged)."""
    ctx = ctx or context.admin_context()
    services = compute_services(nova)
    return _follow(ctx, *_record(
        ctx, lambda host: services.get(host.service_name, GONE)))


def service_changed(service_name, health, reason, ctx=None):
    """Nova reported a new state for the nova-compute of
    ``service_name``: its hosts get it as ``check`` would give it.
    Returns the outcomes (moved, flagged or healed)."""
    ctx = ctx or context.admin_context()
    return _follow(ctx, *_record(ctx, lambda host: (health, reason),
                                 service_name))


def loop(interval):
    return periodic.Periodic(
        'health', interval, lambda: check(nova_client.client()))
