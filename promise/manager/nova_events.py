"""Nova's versioned notifications, as promise-manager hears them.

``instance.create.end`` and ``instance.delete.end`` count a server in or
out of the reservations it runs in (promise.manager.usage);
``service.create|update|delete`` of a nova-compute give its hosts their
new health (promise.manager.health). Moves (migrations, evacuations,
shelving) and computes that stop sending heartbeats are left to the
periodic passes, which stay on as the backstop.

Every manager listens in one pool, so each notification is handled by one
of them: counting is not idempotent, and the listener queue is Promise's
own rather than the one Nova's other consumers read.
"""

import threading

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils

from promise import conf
from promise.manager import health
from promise.manager import usage

CONF = conf.CONF
LOG = logging.getLogger(__name__)

INSTANCE_CREATED = 'instance.create.end'
INSTANCE_DELETED = 'instance.delete.end'
SERVICE_DELETED = 'service.delete'
COMPUTE = 'nova-compute'

EVENT_TYPES = (r'^(instance\.(create|delete)\.end'
               r'|service\.(create|update|delete))$')


def fields(payload):
    """The fields of a versioned payload (a Nova object serialized as
    {"nova_object.name": ..., "nova_object.data": {...}})."""
    if isinstance(payload, dict):
        return payload.get('nova_object.data') or {}
    return {}


def parse_time(value):
    """Naive UTC datetime of an ISO 8601 string; None if there is none."""
    if not value:
        return None
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        return None


def instance_changed(event_type, data, at):
    """Count the server in (created) or out (deleted) of the reservations
    it runs in. Returns the [(reservation id, host id)] changed."""
    node, service = data.get('node'), data.get('host')
    if not node and not service:
        return []  # never scheduled to a host
    flavor_id = fields(data.get('flavor')).get('flavorid')
    delta = 1 if event_type == INSTANCE_CREATED else -1
    return usage.count_server(node, service, flavor_id, delta, at)


def service_health(event_type, data, at, down_time):
    """(health, reason) of a nova-compute as its notification shows it."""
    if event_type == SERVICE_DELETED:
        return health.GONE
    last_seen = parse_time(data.get('last_seen_up'))
    silent = (last_seen is not None and
              ((at or timeutils.utcnow()) - last_seen).total_seconds() >
              down_time)
    up = not data.get('forced_down') and not silent
    return health.health_of(up, data.get('disabled'),
                            data.get('disabled_reason'))


def handle(event_type, payload, metadata, down_time=None):
    """Act on one notification. Returns what changed (see
    instance_changed and health.service_changed), None if nothing
    applies to it."""
    data = fields(payload)
    at = parse_time((metadata or {}).get('timestamp'))
    if event_type in (INSTANCE_CREATED, INSTANCE_DELETED):
        return instance_changed(event_type, data, at)
    if event_type.startswith('service.'):
        if data.get('binary') != COMPUTE or not data.get('host'):
            return None
        if down_time is None:
            down_time = CONF.nova_notifications.service_down_time
        state = service_health(event_type, data, at, down_time)
        return health.service_changed(data['host'], *state)
    return None


class Endpoint:
    # Only these reach info(); Nova sends many more on the same topic.
    filter_rule = messaging.NotificationFilter(event_type=EVENT_TYPES)

    def __init__(self):
        # One at a time per manager: the executor's threads would
        # otherwise race each other's transactions on the same rows for
        # nothing (handling takes milliseconds).
        self._lock = threading.Lock()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        data = fields(payload)
        LOG.debug('Nova notification %s about %s from %s (message %s)',
                  event_type, data.get('uuid') or data.get('host'),
                  publisher_id, (metadata or {}).get('message_id'))
        with self._lock:
            try:
                handle(event_type, payload, metadata)
            except Exception:
                # Not requeued: a notification that fails once would fail
                # forever; the periodic passes repair what it missed.
                LOG.exception('Handling %s from %s failed', event_type,
                              publisher_id)
        return messaging.NotificationResult.HANDLED


class Listener:
    """The notification listener of one promise-manager (threads, no
    eventlet); does nothing when [nova_notifications] enabled is off."""

    def __init__(self, conf=CONF):
        self._conf = conf
        self._transport = None
        self._listener = None

    def start(self):
        group = self._conf.nova_notifications
        if not group.enabled:
            return
        self._transport = messaging.get_notification_transport(
            self._conf, url=group.transport_url)
        targets = [messaging.Target(topic=topic, exchange=group.exchange)
                   for topic in group.topics]
        self._listener = messaging.get_notification_listener(
            self._transport, targets, [Endpoint()], executor='threading',
            pool=group.pool)
        self._listener.start()
        LOG.info('Listening to Nova notifications on %s (exchange %s, '
                 'pool %s)', ', '.join(group.topics), group.exchange,
                 group.pool)

    def stop(self):
        if self._listener is not None:
            self._listener.stop()

    def wait(self):
        if self._listener is not None:
            self._listener.wait()
            self._listener = None
        if self._transport is not None:
            self._transport.cleanup()
            self._transport = None
