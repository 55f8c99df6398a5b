"""Planned capacity changes: recording them and re-homing what they hit."""

import datetime

from oslo_utils import uuidutils

from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import models
from promise.db.models import capacity as capacity_models
from promise import exceptions
from promise.manager import healing


class CapacityManager:

    def create_change(self, ctx, values):
        """Record a change; returns (change id, [affected reservation])."""
        kind = values['type']
        with db.writer(ctx) as session:
            host = host_db.get(session, values['host_id'], for_update=True)
            # Decisions taken meanwhile on this host fail their generation
            # check and are retried with the change in view.
            host_db.claim(session, [host])
            change = models.CapacityChange(
                id=uuidutils.generate_uuid(), host_id=host.id, type=kind,
                start_date=values['start_date'],
                end_date=values.get('end_date'),
                reason=values.get('reason'), project_id=ctx.project_id)
            session.add(change)
            session.flush()
            if kind == capacity_models.UNAVAILABLE:
                outcomes = healing.rehome(session, host.id,
                                          change.start_date, change.end_date)
            else:
                # Not in the pool before it joins: nothing may hold it then.
                outcomes = healing.rehome(session, host.id,
                                          _beginning(), change.start_date)
            affected = [_affected(o) for o in outcomes]
            announced = healing.announce(session, outcomes)
        healing.follow(ctx, outcomes, announced)
        return change.id, affected

    def delete_change(self, ctx, change_id):
        with db.writer(ctx) as session:
            change = session.get(models.CapacityChange, change_id)
            if change is None:
                raise exceptions.NotFound(object='Capacity change',
                                          id=change_id)
            host = session.get(models.Host, change.host_id)
            host_db.claim(session, [host])
            session.delete(change)


def _beginning():
    return datetime.datetime.min


def _affected(outcome):
    return {'reservation_id': outcome.reservation_id,
            'lease_id': outcome.lease_id,
            'old_host_id': str(outcome.old_host_id),
            'new_host_id': (str(outcome.new_host_id)
                            if outcome.new_host_id else None),
            'outcome': 'moved' if outcome.new_host_id else 'missing'}
