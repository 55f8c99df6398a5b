"""/v1/os-hosts: hosts, their allocations and properties (admin only).

Reads come straight from the database; changes go to promise-manager over
RPC, which answers with the changed host or property.
"""

import pecan
from pecan import rest
import webob

from promise.api.controllers import base
from promise.api import params
from promise.api.schemas import hosts as schema
from promise.api import validation
from promise.common import dates
from promise.common import host_views
from promise.db import api as db
from promise.db import hosts as host_db
from promise import exceptions
from promise.policies import hosts as host_rules


def _capabilities(body):
    caps = {}
    folded = {}
    for key, value in body.items():
        # MariaDB compares names without case: GPU and gpu are one name.
        if key.lower() in folded:
            raise exceptions.InvalidInput(
                reason='Extra capabilities %s and %s differ only in case.'
                % (folded[key.lower()], key))
        folded[key.lower()] = key
        if len(key) > schema.CAPABILITY_KEY_MAX:
            raise exceptions.InvalidInput(
                reason='Extra capability key too long')
        if key in schema.RESERVED_KEYS:
            raise exceptions.InvalidInput(
                reason='%s is a host field, not an extra capability.' % key)
        caps[key] = (str(value).lower() if isinstance(value, bool)
                     else str(value))
    return caps


def _allocation_view(host_id, rows):
    return {'resource_id': str(host_id),
            'reservations': [{'id': r.reservation_id,
                              'lease_id': r.lease_id,
                              'start_date': dates.format_date(r.start_date),
                              'end_date': dates.format_date(r.end_date)}
                             for r in rows]}


def _allocation_filters(query):
    params.checked(query, ('lease_id', 'reservation_id'))
    return {'lease_id': query.get('lease_id'),
            'reservation_id': query.get('reservation_id')}


class AllocationsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        base.authorize(host_rules.GET_ALLOCATIONS)
        filters = _allocation_filters(query)
        with db.reader() as session:
            rows = host_db.allocations(session, **filters)
            # Every host, as Blazar answers: one with nothing has [].
            by_host = {host_id: [] for host_id in host_db.ids(session)}
        for row in rows:
            by_host.setdefault(row.host_id, []).append(row)
        return {'allocations': [_allocation_view(h, r)
                                for h, r in sorted(by_host.items())]}


class PropertiesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        # Named keyword parameters make pecan's RestController miss
        # get_all; read them from the query instead.
        base.authorize(host_rules.GET_RESOURCE_PROPERTIES)
        params.checked(query, ('detail', 'all'))
        detail = params.flag(query.get('detail'), 'detail')
        show_all = params.flag(query.get('all'), 'all')
        with db.reader() as session:
            props = host_db.properties(session)
            values = host_db.property_values(session) if detail else {}
        result = []
        for prop in props:
            if prop.private and not show_all:
                continue
            item = {'property': prop.name}
            if detail:
                item['private'] = prop.private
                item['values'] = values.get(prop.name, [])
            result.append(item)
        return {'resource_properties': result}

    @pecan.expose('json')
    def patch(self, name):
        ctx = base.authorize(host_rules.PATCH_RESOURCE_PROPERTIES)
        body = validation.validate(schema.PROPERTY_UPDATE,
                                   validation.load_body(pecan.request))
        return {'resource_property': pecan.request.rpcapi.update_host_property(
            ctx, name, body['private'])}


class HostsController(rest.RestController):
    allocations = AllocationsController()
    properties = PropertiesController()

    @pecan.expose('json')
    def get_all(self):
        base.authorize(host_rules.GET)
        with db.reader() as session:
            return {'hosts': [host_views.host(h)
                              for h in host_db.list_(session)]}

    @pecan.expose('json')
    def get_one(self, host_id, *subpath, **query):
        # pecan takes a defaulted argument for a required path segment;
        # *subpath keeps /os-hosts/{id} routable.
        if len(subpath) > 1:
            raise exceptions.NotFound(object='Resource', id='/'.join(subpath))
        sub = subpath[0] if subpath else None
        params.single(query)
        if sub is None:
            base.authorize(host_rules.GET)
            params.only(query, ())
            with db.reader() as session:
                return {'host': host_db.view(session, host_id)}
        if sub != 'allocation':
            raise exceptions.NotFound(object='Resource', id=sub)
        base.authorize(host_rules.GET_ALLOCATIONS)
        filters = _allocation_filters(query)
        with db.reader() as session:
            host = host_db.get(session, host_id)
            rows = host_db.allocations(session, host_id=host.id, **filters)
        return {'allocation': _allocation_view(host.id, rows)}

    @pecan.expose('json')
    def post(self):
        ctx = base.authorize(host_rules.POST)
        body = validation.validate(schema.CREATE,
                                   validation.load_body(pecan.request))
        name = str(body.pop('name'))
        answer = pecan.request.rpcapi.create_host(ctx, name,
                                                  _capabilities(body))
        pecan.response.status = 201
        return {'host': _render(answer)}

    @pecan.expose('json')
    def put(self, host_id):
        ctx = base.authorize(host_rules.PUT)
        body = validation.validate(schema.UPDATE,
                                   validation.load_body(pecan.request))
        with db.reader() as session:
            host = host_db.get(session, host_id)
        answer = pecan.request.rpcapi.update_host(ctx, host.id,
                                                  _capabilities(body))
        return {'host': _render(answer)}

    @pecan.expose('json')
    def delete(self, host_id):
        ctx = base.authorize(host_rules.DELETE)
        with db.reader() as session:
            host = host_db.get(session, host_id)
        pecan.request.rpcapi.delete_host(ctx, host.id)
        return webob.Response(status=204)


def _render(answer):
    """The host view promise-manager answered with; a manager older than
    RPC 1.2 answers with the id only, and the host is read here."""
    if isinstance(answer, dict):
        return answer
    with db.reader() as session:
        return host_db.view(session, answer)
