"""Which events a subscription sees. Pure functions: no I/O."""

EVENT_TYPES = (
    'lease.create',
    'lease.update',
    'lease.delete',
    'lease.event.start_lease',
    'lease.event.end_lease',
    'lease.event.before_end_lease',
    'reservation.degraded',
    'reservation.healed',
    'reservation.expired',
    'capacity.change',
)

# Only the subscription whose threshold was crossed sees a capacity.change.
CAPACITY_CHANGE = 'capacity.change'


def pattern_matches(pattern, event_type):
    """"lease.*" matches by prefix ("*" matches everything); any other
    pattern only the event type it names."""
    if pattern.endswith('*'):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def known_pattern(pattern):
    """Whether ``pattern`` can ever match an event Promise sends."""
    return any(pattern_matches(pattern, t) for t in EVENT_TYPES)


def any_matches(patterns, event_type):
    return any(pattern_matches(p, event_type) for p in patterns)


def lease_of(payload):
    lease = payload.get('lease') if isinstance(payload, dict) else None
    return lease if isinstance(lease, dict) else {}


def resource_types(payload):
    return {r.get('resource_type')
            for r in lease_of(payload).get('reservations') or ()
            if isinstance(r, dict)}


def matches(sub, event_type, payload):
    """Whether subscription ``sub`` (an object with the Subscription
    columns and ``patterns``, the decoded event types) sees the event."""
    if not any_matches(sub.patterns, event_type):
        return False
    if event_type == CAPACITY_CHANGE:
        return payload.get('subscription_id') == sub.id
    lease = lease_of(payload)
    if not sub.all_projects and lease.get('project_id') != sub.project_id:
        return False
    if sub.lease_id is not None and lease.get('id') != sub.lease_id:
        return False
    if (sub.resource_type is not None and
            sub.resource_type not in resource_types(payload)):
        return False
    return True
