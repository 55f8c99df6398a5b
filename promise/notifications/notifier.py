"""Events on the oslo.messaging notifier ([oslo_messaging_notifications])."""

import threading

from oslo_log import log as logging
import oslo_messaging as messaging

from promise import rpc

LOG = logging.getLogger(__name__)
PUBLISHER = 'promise.manager'

_LOCK = threading.Lock()
_NOTIFIER = None


def _notifier():
    global _NOTIFIER
    if _NOTIFIER is None:
        with _LOCK:
            if _NOTIFIER is None:
                _NOTIFIER = messaging.Notifier(
                    rpc.notification_transport(), publisher_id=PUBLISHER,
                    serializer=rpc.Serializer())
    return _NOTIFIER


def notify(ctx, event_type, payload):
    """Send an INFO notification; a broken notifier never fails the work
    that triggered it."""
    try:
        _notifier().info(ctx, event_type, payload)
    except Exception:
        LOG.exception('Could not send notification %s', event_type)


def reset():
    global _NOTIFIER
    _NOTIFIER = None
