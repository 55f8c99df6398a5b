"""Capacity thresholds: a capacity.change fires once when the metric
crosses into a subscription's condition, and not again until it has left
it and enters it again.

The metric is what is ``available`` at the current moment of a type that
counts whole units (THRESHOLD_TYPES: hosts by default, or floating IPs),
from its capacity timeline. Evaluations lock the threshold subscriptions' rows
first and read capacity after, so of two managers evaluating at once the
later one sees the later state, and a crossing is recorded (and its
delivery written, in the same transaction) by exactly one of them.
"""

import datetime
import operator

import sqlalchemy as sa

from promise.common import dates
from promise.db import api as db
from promise.db.models import subscriptions as sub_models
from promise.db import retry
from promise.engine import capacity
from promise import exceptions
from promise.notifications import matching
from promise.notifications import outbox

METRICS = ('available',)
# Types whose timelines count whole units (an instance timeline without a
# shape counts per resource class).
THRESHOLD_TYPES = ('physical:host', 'virtual:floatingip')
OPS = {'lt': operator.lt, 'le': operator.le,
       'gt': operator.gt, 'ge': operator.ge}

# Events after which the metric may have moved.
TRIGGERS = frozenset((
    'lease.create', 'lease.update', 'lease.delete',
    'lease.event.start_lease', 'lease.event.end_lease',
    'reservation.degraded', 'reservation.healed', 'reservation.expired',
))


def current(session, metric='available', resource_type=None, now=None):
    """The metric of ``resource_type`` (whole hosts when None) right now;
    InvalidInput for a type that is not enabled."""
    now = now or dates.utcnow()
    steps, _ = capacity.timeline(session, resource_type or THRESHOLD_TYPES[0],
                                 now, now + datetime.timedelta(seconds=1))
    return steps[0][2][metric] if steps else 0


def inside(sub, value):
    return OPS[sub.threshold_op](value, sub.threshold_value)


def payload(sub, value, now):
    return {'subscription_id': sub.id,
            'project_id': sub.project_id,
            'metric': sub.threshold_metric,
            'resource_type': (sub.threshold_resource_type or
                              THRESHOLD_TYPES[0]),
            'op': sub.threshold_op,
            'threshold': sub.threshold_value,
            'value': value,
            'time': dates.format_date(now)}


@retry.deadlock
def evaluate(now=None):
    """Evaluate every threshold; returns the payloads of the
    capacity.change events that fired (their deliveries are written)."""
    sub = sub_models.Subscription
    with db.reader() as session:
        if session.scalar(sa.select(sa.func.count(sub.id)).where(
                sub.threshold_metric.isnot(None))) == 0:
            return []
    fired = []
    with db.writer() as session:
        subs = list(session.scalars(
            sa.select(sub).where(sub.threshold_metric.isnot(None))
            .order_by(sub.id).with_for_update(key_share=True)))
        if not subs:
            return []
        now = now or dates.utcnow()
        values = {}
        for row in subs:
            key = (row.threshold_metric, row.threshold_resource_type)
            if key not in values:
                try:
                    values[key] = current(session, *key, now=now)
                except exceptions.InvalidInput:
                    # Its type's plugin is no longer enabled.
                    values[key] = None
            value = values[key]
            if value is None:
                continue
            state = inside(row, value)
            if state == row.threshold_state:
                continue
            # A subscription that was never evaluated starts where the
            # metric is: only a crossing fires.
            crossed = state and row.threshold_state is not None
            row.threshold_state = state
            if crossed:
                body = payload(row, value, now)
                outbox.record_in(session, matching.CAPACITY_CHANGE, body,
                                 now)
                fired.append(body)
        session.flush()
    if fired:
        outbox.wake()
    return fired
