"""oslo.messaging plumbing both sides of RPC share: the transports, the
serializer, and the raw RPC client and server.

Invariant: requests carry the caller's context and typed values;
datetimes travel as tagged ISO strings so the receiver gets datetimes
back, not strings. ``init`` runs once per process before any client,
server or notifier is built.
"""

import datetime

import oslo_messaging as messaging
from oslo_serialization import jsonutils

from promise import context

ALLOWED_EXMODS = ['promise.exceptions']

_TRANSPORT = None
_NOTIFICATION_TRANSPORT = None

_DATETIME_TAG = '__datetime__'


def init(conf):
    global _TRANSPORT, _NOTIFICATION_TRANSPORT
    if _TRANSPORT is None:
        _TRANSPORT = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
    if _NOTIFICATION_TRANSPORT is None:
        _NOTIFICATION_TRANSPORT = messaging.get_notification_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)


def cleanup():
    global _TRANSPORT, _NOTIFICATION_TRANSPORT
    for transport in (_TRANSPORT, _NOTIFICATION_TRANSPORT):
        if transport is not None:
            transport.cleanup()
    _TRANSPORT = _NOTIFICATION_TRANSPORT = None


def notification_transport():
    return _NOTIFICATION_TRANSPORT


def _encode(value):
    if isinstance(value, datetime.datetime):
        return {_DATETIME_TAG: value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if len(value) == 1 and _DATETIME_TAG in value:
            return datetime.datetime.fromisoformat(value[_DATETIME_TAG])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class Serializer(messaging.Serializer):

    def serialize_entity(self, ctxt, entity):
        return jsonutils.to_primitive(_encode(entity), convert_instances=True)

    def deserialize_entity(self, ctxt, entity):
        return _decode(entity)

    def serialize_context(self, ctxt):
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        return context.RequestContext.from_dict(ctxt)


def get_client(topic, timeout):
    target = messaging.Target(topic=topic, version='1.0')
    return messaging.get_rpc_client(_TRANSPORT, target, timeout=timeout,
                                    serializer=Serializer())


def get_server(topic, host, endpoints):
    target = messaging.Target(topic=topic, server=host)
    return messaging.get_rpc_server(
        _TRANSPORT, target, endpoints, executor='threading',
        serializer=Serializer())
