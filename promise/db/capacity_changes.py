"""Reads of planned capacity changes (host downtimes and future joins).

Writes go through promise-manager; nothing here changes a row.
"""

import sqlalchemy as sa

from promise.common import host_views
from promise.db import models
from promise import exceptions


def get(session, change_id):
    """The change; NotFound when there is none."""
    change = session.get(models.CapacityChange, change_id)
    if change is None:
        raise exceptions.NotFound(object='Capacity change', id=change_id)
    return change


def view(session, change_id):
    return host_views.capacity_change(get(session, change_id))


def list_(session, host_id=None):
    """Changes by start date; only one host's when ``host_id`` is given."""
    change = models.CapacityChange
    stmt = sa.select(change).order_by(change.start_date, change.id)
    if host_id is not None:
        stmt = stmt.where(change.host_id == host_id)
    return list(session.scalars(stmt))
