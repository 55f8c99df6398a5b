"""Leases as the Blazar v1 wire shows them (API answers and notifications)."""

from promise.common import dates


def reservation(res):
    body = {
        'id': res.id,
        'lease_id': res.lease_id,
        'resource_id': res.resource_id,
        'resource_type': res.resource_type,
        'status': res.status,
        'missing_resources': res.missing_resources,
        'resources_changed': res.resources_changed,
        'expiry': res.expiry,
        # Servers Nova runs inside the reservation, as last reconciled.
        'used': sum(u.servers for u in res.usage),
        'created_at': dates.format_timestamp(res.created_at),
        'updated_at': dates.format_timestamp(res.updated_at),
    }
    body.update(res.fields())
    return body


def event(ev):
    return {
        'id': ev.id,
        'lease_id': ev.lease_id,
        'event_type': ev.event_type,
        'time': dates.format_date(ev.time),
        'status': ev.status,
        'created_at': dates.format_timestamp(ev.created_at),
        'updated_at': dates.format_timestamp(ev.updated_at),
    }


def lease(obj):
    return {
        'id': obj.id,
        'name': obj.name,
        'user_id': obj.user_id,
        'project_id': obj.project_id,
        'trust_id': obj.trust_id,
        'status': obj.status,
        'status_reason': obj.status_reason,
        'degraded': obj.degraded,
        'start_date': dates.format_date(obj.start_date),
        'end_date': dates.format_date(obj.end_date),
        'created_at': dates.format_timestamp(obj.created_at),
        'updated_at': dates.format_timestamp(obj.updated_at),
        'reservations': [reservation(r) for r in obj.reservations],
        'events': [event(e) for e in obj.events],
    }
