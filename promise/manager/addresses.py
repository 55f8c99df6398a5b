"""The periodic pass over floating IPs (promise.plugins.floatingips
.healing): Neutron is read first, outside any transaction; then one
transaction applies what it said and records the owners' webhooks."""

from promise.clients import neutron as neutron_client
from promise.common import periodic
from promise import context
from promise.db import api as db
from promise.db import retry
from promise.manager import healing
from promise.notifications import notifier
from promise.plugins.floatingips import healing as fip_healing


def check(neutron, ctx=None):
    """One pass; returns the outcomes (moved, flagged or healed)."""
    ctx = ctx or context.admin_context()
    with db.reader(ctx) as session:
        networks = fip_healing.networks(session)
    found = fip_healing.holders(neutron, networks)
    outcomes, announced = _record(ctx, found)
    for event, payload in announced:
        notifier.notify(ctx, event, payload, recorded=True)
    return outcomes


@retry.decision
def _record(ctx, found):
    with db.writer(ctx) as session:
        moved, healed = fip_healing.apply(session, found,
                                          neutron_client.made_for)
        announced = (healing.announce(session, moved) +
                     healing.announce(session, healed, healed=True))
    return moved + healed, announced


def loop(interval):
    return periodic.Periodic(
        'floating IP health', interval,
        lambda: check(neutron_client.client()))
