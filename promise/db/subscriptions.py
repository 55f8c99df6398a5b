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


def list_(session, project_id, all_projects=False):
    """``project_id``'s subscriptions oldest first, or every project's when
    ``all_projects``. A None ``project_id`` lists none (the column is never
    NULL): "no project" never means "every project"."""
    sub = sub_models.Subscription
    stmt = sa.select(sub).order_by(sub.created_at, sub.id)
    if not all_projects:
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
