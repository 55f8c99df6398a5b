"""Reads of webhook subscriptions and their deliveries, for the API.

Writes go through promise-manager (promise.notifications); nothing here
changes a row.
"""

import sqlalchemy as sa

from promise.common import subscription_views
from promise.db.models import subscriptions as sub_models


def get(session, subscription_id):
    """The subscription, or None."""
    return session.get(sub_models.Subscription, subscription_id)


def view(session, subscription_id):
    return subscription_views.subscription(get(session, subscription_id))


def list_(session, project_id=None):
    """Subscriptions oldest first; every project's when ``project_id`` is
    None."""
    sub = sub_models.Subscription
    stmt = sa.select(sub).order_by(sub.created_at, sub.id)
    if project_id is not None:
        stmt = stmt.where(sub.project_id == project_id)
    return list(session.scalars(stmt))


def deliveries(session, subscription_id, limit, status=None):
    """A subscription's deliveries, newest first, at most ``limit``."""
    d = sub_models.Delivery
    stmt = (sa.select(d).where(d.subscription_id == subscription_id)
            .order_by(d.created_at.desc(), d.id).limit(limit))
    if status is not None:
        stmt = stmt.where(d.status == status)
    return list(session.scalars(stmt))
