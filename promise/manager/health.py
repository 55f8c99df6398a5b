"""Host health from Nova's compute services, and healing.

A registered host whose nova-compute service is down or disabled stops
being reservable; reservations holding it from now on are re-homed or
flagged (promise.manager.healing). When it comes back it is reservable
again, and flagged reservations are retried. Polling the os-services API
is the mechanism here; it is cheap (one call per pass) and needs nothing
from Nova's notification settings.
"""

from oslo_log import log as logging
import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.common import dates
from promise.common import periodic
from promise import context
from promise.db import api as db
from promise.db import models
from promise.engine import hosts as engine
from promise.manager import healing

LOG = logging.getLogger(__name__)


def compute_services(nova):
    """{service host: (health, reason)} for every nova-compute."""
    result = {}
    for svc in nova.nova.services.list(binary='nova-compute'):
        if svc.state != 'up':
            result[svc.host] = ('down', 'nova-compute is down')
        elif svc.status != 'enabled':
            result[svc.host] = ('disabled', svc.disabled_reason or
                                'nova-compute is disabled')
        else:
            result[svc.host] = (engine.HEALTHY, None)
    return result


def check(nova, ctx=None):
    """One pass: apply Nova's view to hosts, then retry flagged
    reservations. Returns the outcomes (moved or flagged)."""
    ctx = ctx or context.admin_context()
    services = compute_services(nova)
    now = dates.utcnow()
    outcomes, healed = [], []
    with db.writer(ctx) as session:
        hosts = list(session.scalars(sa.select(models.Host)))
        for host in hosts:
            health, reason = services.get(
                host.service_name, ('down', 'no nova-compute service'))
            if (health, reason) == (host.health, host.health_reason):
                continue
            LOG.info('Host %s is now %s%s', host.hypervisor_hostname,
                     health, ' (%s)' % reason if reason else '')
            was_healthy = host.health == engine.HEALTHY
            host.health, host.health_reason = health, reason
            # Decisions in flight on this host retry with its new state.
            engine.claim(session, [host])
            if was_healthy and health != engine.HEALTHY:
                session.flush()
                outcomes.extend(healing.rehome(session, host.id, now, None))
        healed = healing.heal(session, now)
    healing.follow(ctx, outcomes)
    healing.follow(ctx, healed, healed=True)
    return outcomes + healed


def loop(interval):
    return periodic.Periodic(
        'health', interval, lambda: check(nova_client.client()))
