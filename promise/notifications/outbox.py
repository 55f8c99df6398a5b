"""The outbox: every event that matches a subscription becomes a delivery
row, written by the notifier hook; the delivery loops of all managers
claim due rows with a conditional UPDATE (like lease events), so a
delivery survives any manager's restart and is sent by one manager at a
time.
"""

import threading

from oslo_serialization import jsonutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from promise.common import dates
from promise.db import api as db
from promise.db.models import subscriptions as sub_models
from promise.db import retry
from promise.notifications import matching

_WAKERS = []
_WAKERS_LOCK = threading.Lock()


def add_waker(callback):
    """Called after new deliveries are recorded in this process."""
    with _WAKERS_LOCK:
        _WAKERS.append(callback)


def remove_waker(callback):
    with _WAKERS_LOCK:
        if callback in _WAKERS:
            _WAKERS.remove(callback)


def wake():
    with _WAKERS_LOCK:
        wakers = list(_WAKERS)
    for callback in wakers:
        callback()


# -- recording ------------------------------------------------------------

def body(delivery_id, event_type, payload, now):
    """The exact text that is signed and sent, again on every retry."""
    return jsonutils.dumps({'id': delivery_id, 'event_type': event_type,
                            'timestamp': dates.format_date(now),
                            'payload': payload})


def candidates(session, event_type, payload):
    """Subscriptions that may see the event, in id order (so writers lock
    subscription rows in the same order: no deadlocks)."""
    sub = sub_models.Subscription
    query = sa.select(sub).order_by(sub.id)
    if event_type == matching.CAPACITY_CHANGE:
        return list(session.scalars(query.where(
            sub.id == payload.get('subscription_id'))))
    lease = matching.lease_of(payload)
    project = lease.get('project_id')
    scope = sub.all_projects.is_(True)
    if project is not None:
        scope = sa.or_(scope, sub.project_id == project)
    query = query.where(scope)
    if lease.get('id') is not None:
        query = query.where(sa.or_(sub.lease_id.is_(None),
                                   sub.lease_id == lease['id']))
    else:
        query = query.where(sub.lease_id.is_(None))
    return list(session.scalars(query))


def record_in(session, event_type, payload, now=None):
    """Add a delivery for each subscription that sees the event, in the
    caller's transaction; returns the new delivery ids."""
    now = now or dates.utcnow()
    ids = []
    for sub in candidates(session, event_type, payload):
        if not matching.matches(sub, event_type, payload):
            continue
        delivery_id = uuidutils.generate_uuid()
        session.add(sub_models.Delivery(
            id=delivery_id, subscription_id=sub.id, event_type=event_type,
            body=body(delivery_id, event_type, payload, now),
            status=sub_models.PENDING, attempts=0, next_attempt_at=now,
            created_at=now))
        ids.append(delivery_id)
    session.flush()
    return ids


def _any_match(event_type, payload):
    with db.reader() as session:
        return any(matching.matches(sub, event_type, payload)
                   for sub in candidates(session, event_type, payload))


@retry.deadlock
def record(event_type, payload, now=None):
    """Record the event's deliveries in a transaction of their own and
    wake this process's delivery loop when there are any."""
    # Most events match nothing: look before taking a write transaction
    # (SQLite has one writer at a time).
    if not _any_match(event_type, payload):
        return []
    with db.writer() as session:
        ids = record_in(session, event_type, payload, now)
    if ids:
        wake()
    return ids


# -- the delivery loop's queries -------------------------------------------

def _due_clause(now):
    d = sub_models.Delivery
    return sa.or_(sa.and_(d.status == sub_models.PENDING,
                          d.next_attempt_at <= now),
                  sa.and_(d.status == sub_models.SENDING,
                          d.claimed_until < now))


def due(session, now, limit, skip_projects=()):
    """(id, project id) of deliveries to send now: pending and due, or
    claimed by a manager whose claim ran out; none of ``skip_projects``
    (the subscriptions' projects), so their backlog hides no other's."""
    d = sub_models.Delivery
    sub = sub_models.Subscription
    query = (sa.select(d.id, sub.project_id)
             .join(sub, sub.id == d.subscription_id)
             .where(_due_clause(now)))
    if skip_projects:
        query = query.where(sub.project_id.notin_(sorted(skip_projects)))
    return [tuple(row) for row in session.execute(
        query.order_by(d.next_attempt_at, d.created_at).limit(limit))]


def claim(session, delivery_id, owner, now, until):
    """Atomically take a delivery; True only for the one that won."""
    d = sub_models.Delivery
    stmt = (sa.update(d).where(d.id == delivery_id).where(_due_clause(now))
            .values(status=sub_models.SENDING, claimed_by=owner,
                    claimed_until=until, updated_at=now)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def finish(session, delivery_id, owner, now, status, next_attempt_at=None,
           response_code=None, error=None):
    """Record an attempt's outcome, unless the claim was taken over."""
    d = sub_models.Delivery
    values = {'status': status, 'attempts': d.attempts + 1,
              'claimed_until': None, 'next_attempt_at': next_attempt_at,
              'last_response_code': response_code,
              'last_error': error[:255] if error else None,
              'updated_at': now}
    if status == sub_models.DELIVERED:
        values['delivered_at'] = now
    stmt = (sa.update(d)
            .where(d.id == delivery_id, d.claimed_by == owner,
                   d.status == sub_models.SENDING)
            .values(**values)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def next_due_time(session):
    """When the earliest pending delivery is due (None: none pending)."""
    d = sub_models.Delivery
    return session.scalar(sa.select(sa.func.min(d.next_attempt_at)).where(
        d.status == sub_models.PENDING))


def purge(session, before):
    """Forget delivered and failed deliveries last changed before
    ``before``."""
    d = sub_models.Delivery
    stmt = (sa.delete(d)
            .where(d.status.in_((sub_models.DELIVERED, sub_models.FAILED)),
                   d.updated_at < before)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount
