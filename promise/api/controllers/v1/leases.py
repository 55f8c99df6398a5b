"""/v1/leases: reads come straight from the database, changes go to
promise-manager over RPC."""

import urllib.parse

from oslo_utils import uuidutils
import pecan
from pecan import rest
import webob

from promise.api.controllers import base
from promise.api import dates as api_dates
from promise.api.middleware import microversion
from promise.api import params
from promise.api.schemas import leases as lease_schema
from promise.api.schemas import reservations as res_schema
from promise.api import validation
from promise.common import dates
from promise.common import views
from promise.db import api as db
from promise.db import leases as lease_db
from promise import exceptions
from promise.policies import leases as lease_rules
from promise import policy

LIST_FILTERS = ('status', 'name')


def _lease_or_404(ctx, action, id_or_name):
    """The lease the caller may ``action``; other projects' leases are not
    found, so that their existence does not leak."""
    with db.reader() as session:
        if uuidutils.is_uuid_like(id_or_name):
            try:
                lease = lease_db.get(session, id_or_name, view=True)
            except exceptions.LeaseNotFound:
                lease = None
        else:
            lease = None
        if lease is None:
            # python-blazarclient resolves names itself, but other clients
            # may pass a name where an id goes.
            found = lease_db.find_by_name(
                session, id_or_name, ctx.project_id,
                all_projects=policy.check(ctx, lease_rules.ALL_PROJECTS,
                                          {'project_id': ctx.project_id}))
            if len(found) > 1:
                raise exceptions.AmbiguousName(name=id_or_name)
            lease = found[0] if found else None
    return base.owned_or_404(ctx, action, lease,
                             exceptions.LeaseNotFound(id=id_or_name))


def _render(answer):
    """The lease view promise-manager answered with; a manager older than
    RPC 1.1 answers with the id only, and the lease is read here."""
    if isinstance(answer, dict):
        return answer
    with db.reader() as session:
        return views.lease(lease_db.get(session, answer, view=True))


def _next_page(request, marker):
    """This request's URL with ``marker`` set to the last lease shown."""
    query = [(k, v) for k, v in request.GET.items() if k != 'marker']
    query.append(('marker', marker))
    return '%s?%s' % (request.path_url, urllib.parse.urlencode(query))


class LeasesController(rest.RestController):
    _custom_actions = {'check': ['POST']}

    @pecan.expose('json')
    def check(self):
        ctx = base.authorize(lease_rules.CHECK)
        body = validation.validate(lease_schema.CREATE,
                                   validation.load_body(pecan.request))
        return pecan.request.rpcapi.check_lease(ctx, _typed_create(body))

    @pecan.expose('json')
    def get_all(self, **query):
        ctx = base.authorize(lease_rules.GET)
        page = params.list_params(query, LIST_FILTERS,
                                  lease_db.SORT_KEYS)
        scope = params.project_scope(ctx, query, lease_rules.ALL_PROJECTS)
        with db.reader() as session:
            leases = lease_db.list_(
                session, project_id=scope.project_id,
                all_projects=scope.all_projects, filters=page.filters,
                limit=page.limit, marker=page.marker,
                sort_key=page.sort_key, sort_dir=page.sort_dir)
            body = {'leases': [views.lease(lease) for lease in leases]}
        # From 1.1 a full page says where the next one is (Blazar's
        # clients, at 1.0, get Blazar's body).
        if (microversion.requested(pecan.request.environ) >= (1, 1) and
                page.limit is not None and len(leases) == page.limit):
            body['leases_links'] = [{'rel': 'next', 'href': _next_page(
                pecan.request, leases[-1].id)}]
        return body

    @pecan.expose('json')
    def get_one(self, lease_id):
        ctx = pecan.request.context
        lease = _lease_or_404(ctx, lease_rules.GET, lease_id)
        return {'lease': views.lease(lease)}

    @pecan.expose('json')
    def post(self, lease_id=None):
        if lease_id is not None:
            base.abort_not_allowed('GET, PUT, DELETE')
        ctx = base.authorize(lease_rules.POST)
        body = validation.validate(lease_schema.CREATE,
                                   validation.load_body(pecan.request))
        values = _typed_create(body)
        answer = pecan.request.rpcapi.create_lease(ctx, values)
        pecan.response.status = 201
        return {'lease': _render(answer)}

    @pecan.expose('json')
    def put(self, lease_id=None):
        if lease_id is None:
            base.abort_not_allowed('GET, POST')
        ctx = pecan.request.context
        lease = _lease_or_404(ctx, lease_rules.PUT, lease_id)
        body = validation.validate(lease_schema.UPDATE,
                                   validation.load_body(pecan.request))
        values = _typed_update(body)
        answer = pecan.request.rpcapi.update_lease(ctx, lease.id, values)
        return {'lease': _render(answer)}

    @pecan.expose('json')
    def delete(self, lease_id=None):
        if lease_id is None:
            base.abort_not_allowed('GET, POST')
        ctx = pecan.request.context
        lease = _lease_or_404(ctx, lease_rules.DELETE, lease_id)
        pecan.request.rpcapi.delete_lease(ctx, lease.id)
        return webob.Response(status=204)


def _typed_create(body):
    now = dates.utcnow()
    start = api_dates.parse(body.get('start_date', dates.NOW),
                            allow_now=True)
    if start < now.replace(second=0, microsecond=0):
        raise exceptions.InvalidInput(
            reason='Start date must be later than current date.')
    end = api_dates.parse(body['end_date'])
    if end <= start:
        raise exceptions.InvalidPeriod()
    before_end = body.get('before_end_date')
    return {
        'name': body['name'],
        'start_date': start,
        'end_date': end,
        'before_end_date': (api_dates.parse(before_end)
                            if before_end else None),
        'reservations': [_typed_reservation(r)
                         for r in body.get('reservations', [])],
    }


def _typed_reservation(values):
    resource_type = values['resource_type']
    type_schema = res_schema.by_type().get(resource_type)
    if type_schema is None:
        raise exceptions.InvalidInput(
            reason='Unsupported resource_type %s; supported: %s.'
            % (resource_type, ', '.join(sorted(res_schema.by_type()))))
    return validation.validate(type_schema, values)


def _typed_update(body):
    values = {}
    if 'name' in body:
        values['name'] = body['name']
    if 'start_date' in body:
        values['start_date'] = api_dates.parse(body['start_date'],
                                               allow_now=True)
    if 'end_date' in body:
        # "now" on update ends the lease now.
        values['end_date'] = api_dates.parse(body['end_date'], allow_now=True)
    if body.get('before_end_date'):
        values['before_end_date'] = api_dates.parse(body['before_end_date'])
    if 'reservations' in body:
        values['reservations'] = [
            validation.validate(res_schema.update(), r)
            for r in body['reservations']]
    return values
