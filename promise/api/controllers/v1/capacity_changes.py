"""/v1/capacity-changes: planned downtimes and future joins (admin).

Reads come straight from the database; changes go to promise-manager over
RPC, which answers with the new change and the reservations it hit.
"""

import pecan
from pecan import rest
import webob

from promise.api.controllers import base
from promise.api import dates as api_dates
from promise.api import params
from promise.api.schemas import capacity_changes as schema
from promise.api import validation
from promise.common import host_views
from promise.db import api as db
from promise.db import capacity_changes as change_db
from promise.db import hosts as host_db
from promise import exceptions
from promise.policies import capacity as capacity_rules


class CapacityChangesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        base.authorize(capacity_rules.CHANGES_GET)
        host_id = params.checked(query, ('host_id',)).get('host_id')
        with db.reader() as session:
            if host_id is not None:
                host_id = host_db.get(session, host_id).id
            return {'capacity_changes': [
                host_views.capacity_change(c)
                for c in change_db.list_(session, host_id)]}

    @pecan.expose('json')
    def get_one(self, change_id):
        base.authorize(capacity_rules.CHANGES_GET)
        with db.reader() as session:
            return {'capacity_change': change_db.view(session, change_id)}

    @pecan.expose('json')
    def post(self):
        ctx = base.authorize(capacity_rules.CHANGES_POST)
        body = validation.validate(schema.CREATE,
                                   validation.load_body(pecan.request))
        start = api_dates.parse(body['start_date'], allow_now=True)
        end = (api_dates.parse(body['end_date']) if body.get('end_date')
               else None)
        if body['type'] == 'available' and end is not None:
            raise exceptions.InvalidInput(
                reason='An "available" change has a start date only: the '
                       'host joins the pool then.')
        if end is not None and end <= start:
            raise exceptions.InvalidPeriod()
        with db.reader() as session:
            host = host_db.get(session, body['host_id'])
        answer = pecan.request.rpcapi.create_capacity_change(
            ctx, {'host_id': host.id, 'type': body['type'],
                  'start_date': start, 'end_date': end,
                  'reason': body.get('reason')})
        pecan.response.status = 201
        return {'capacity_change': _render(answer)}

    @pecan.expose('json')
    def delete(self, change_id):
        ctx = base.authorize(capacity_rules.CHANGES_DELETE)
        with db.reader() as session:
            change_db.get(session, change_id)
        pecan.request.rpcapi.delete_capacity_change(ctx, change_id)
        return webob.Response(status=204)


def _render(answer):
    """The change's view promise-manager answered with; a manager older
    than RPC 1.2 answers [id, affected reservations], and the change is
    read here."""
    if isinstance(answer, dict):
        return answer
    change_id, affected = answer
    with db.reader() as session:
        view = change_db.view(session, change_id)
    view['affected_reservations'] = affected
    return view
