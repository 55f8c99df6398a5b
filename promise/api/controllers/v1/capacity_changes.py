"""/v1/capacity-changes: planned downtimes and future joins (admin)."""

import pecan
from pecan import rest
import sqlalchemy as sa
import webob

from promise.api import dates
from promise.api import params
from promise.api.schemas import capacity_changes as schema
from promise.api import validation
from promise.common import dates as common_dates
from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise import policy


def change_view(change):
    return {'id': change.id, 'host_id': str(change.host_id),
            'type': change.type,
            'start_date': common_dates.format_date(change.start_date),
            'end_date': common_dates.format_date(change.end_date),
            'reason': change.reason,
            'created_at': common_dates.format_timestamp(change.created_at),
            'updated_at': common_dates.format_timestamp(change.updated_at)}


def _authorize(action):
    ctx = pecan.request.context
    policy.authorize(ctx, 'promise:capacity_changes:%s' % action,
                     {'project_id': ctx.project_id})
    return ctx


def _get(session, change_id):
    change = session.get(models.CapacityChange, change_id)
    if change is None:
        raise exceptions.NotFound(object='Capacity change', id=change_id)
    return change


class CapacityChangesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        _authorize('get')
        params.single(query)
        host_id = query.pop('host_id', None)
        if query:
            raise exceptions.InvalidInput(
                reason='Unknown query parameter(s): %s. Supported: host_id.'
                % ', '.join(sorted(query)))
        stmt = sa.select(models.CapacityChange).order_by(
            models.CapacityChange.start_date, models.CapacityChange.id)
        with db.reader() as session:
            if host_id is not None:
                stmt = stmt.where(models.CapacityChange.host_id ==
                                  host_db.get(session, host_id).id)
            return {'capacity_changes': [
                change_view(c) for c in session.scalars(stmt)]}

    @pecan.expose('json')
    def get_one(self, change_id):
        _authorize('get')
        with db.reader() as session:
            return {'capacity_change': change_view(_get(session, change_id))}

    @pecan.expose('json')
    def post(self):
        ctx = _authorize('post')
        body = validation.validate(schema.CREATE,
                                   validation.load_body(pecan.request))
        start = dates.parse(body['start_date'], allow_now=True)
        end = (dates.parse(body['end_date']) if body.get('end_date')
               else None)
        if body['type'] == 'available' and end is not None:
            raise exceptions.InvalidInput(
                reason='An "available" change has a start date only: the '
                       'host joins the pool then.')
        if end is not None and end <= start:
            raise exceptions.InvalidPeriod()
        with db.reader() as session:
            host = host_db.get(session, body['host_id'])
        change_id, affected = pecan.request.rpcapi.create_capacity_change(
            ctx, {'host_id': host.id, 'type': body['type'],
                  'start_date': start, 'end_date': end,
                  'reason': body.get('reason')})
        pecan.response.status = 201
        with db.reader() as session:
            view = change_view(_get(session, change_id))
        view['affected_reservations'] = affected
        return {'capacity_change': view}

    @pecan.expose('json')
    def delete(self, change_id):
        ctx = _authorize('delete')
        with db.reader() as session:
            _get(session, change_id)
        pecan.request.rpcapi.delete_capacity_change(ctx, change_id)
        return webob.Response(status=204)
