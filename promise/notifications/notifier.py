"""Events: on the oslo.messaging notifier ([oslo_messaging_notifications])
and, for the webhook subscriptions they match, into the outbox.

On the bus, lease events look as Blazar's do (publisher ``[notifications]
publisher_id``, default ``blazar.lease``; a flat payload with
``lease_id``), so that Blazar's consumers read them unchanged. Webhook
bodies keep their own documented shape (``{"lease": {...}}``).
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from promise.common import lazy
from promise.common import transport
from promise import conf
from promise import context
from promise.notifications import outbox
from promise.notifications import thresholds

CONF = conf.CONF
LOG = logging.getLogger(__name__)

_NOTIFIER = lazy.Lazy(lambda: messaging.Notifier(
    transport.notification_transport(),
    publisher_id=CONF.notifications.publisher_id,
    serializer=transport.Serializer()))


def bus_payload(payload):
    """A lease event's payload as Blazar sends it: the lease's fields at
    the top level, ``lease_id`` among them; Promise's other keys (such as
    ``reservation_id``) beside them. Other payloads are sent as they are."""
    lease = payload.get('lease') if isinstance(payload, dict) else None
    if not isinstance(lease, dict):
        return payload
    flat = {k: v for k, v in payload.items() if k != 'lease'}
    flat.update(lease)
    flat['lease_id'] = lease.get('id')
    return flat


def _send(ctx, event_type, payload):
    try:
        _NOTIFIER.get().prepare(
            publisher_id=CONF.notifications.publisher_id).info(
                ctx, event_type, bus_payload(payload))
    except Exception:
        LOG.exception('Could not send notification %s', event_type)


def notify(ctx, event_type, payload, recorded=False):
    """Send an INFO notification and record the webhook deliveries it
    makes; a broken notifier or outbox never fails the work that
    triggered it. Capacity thresholds are evaluated after events that
    move capacity.

    ``recorded``: the caller already wrote the deliveries in the
    transaction that made the change (outbox.record_in), so they cannot be
    lost between that commit and this call.
    """
    _send(ctx, event_type, payload)
    if recorded:
        outbox.wake()
    else:
        try:
            outbox.record(event_type, payload)
        except Exception:
            LOG.exception('Could not record the webhook deliveries of %s',
                          event_type)
    if event_type in thresholds.TRIGGERS:
        check_thresholds(ctx)


def check_thresholds(ctx=None):
    """Evaluate capacity thresholds; a crossing is a capacity.change."""
    try:
        fired = thresholds.evaluate()
    except Exception:
        LOG.exception('Could not evaluate capacity thresholds')
        return []
    for payload in fired:
        LOG.info('Capacity threshold of subscription %s crossed: %s %s %s',
                 payload['subscription_id'], payload['value'],
                 payload['op'], payload['threshold'])
        _send(ctx or context.admin_context(), 'capacity.change', payload)
    return fired


def reset():
    _NOTIFIER.reset()
