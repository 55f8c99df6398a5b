"""/v1/os-hosts: hosts, their allocations and properties (admin only)."""

import pecan
from pecan import rest
import webob

from promise.api import params
from promise.api.schemas import hosts as schema
from promise.api import validation
from promise.common import dates
from promise.db import api as db
from promise.db import hosts as host_db
from promise import exceptions
from promise import policy

_HOST_FIELDS = ('hypervisor_hostname', 'hypervisor_type',
                'hypervisor_version', 'service_name', 'vcpus', 'cpu_info',
                'memory_mb', 'local_gb', 'availability_zone', 'reservable')


def host_view(host):
    body = {'id': str(host.id)}
    body.update({f: getattr(host, f) for f in _HOST_FIELDS})
    body['created_at'] = dates.format_timestamp(host.created_at)
    body['updated_at'] = dates.format_timestamp(host.updated_at)
    for cap in host.capabilities:
        body[cap.name] = cap.value
    return body


def _authorize(action):
    ctx = pecan.request.context
    policy.authorize(ctx, 'promise:oshosts:%s' % action,
                     {'project_id': ctx.project_id})
    return ctx


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
    params.single(query)
    unknown = set(query) - {'lease_id', 'reservation_id'}
    if unknown:
        raise exceptions.InvalidInput(
            reason='Unknown query parameter(s): %s. Supported: lease_id, '
                   'reservation_id.' % ', '.join(sorted(unknown)))
    return {'lease_id': query.get('lease_id'),
            'reservation_id': query.get('reservation_id')}


class AllocationsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        _authorize('get_allocations')
        filters = _allocation_filters(query)
        with db.reader() as session:
            rows = host_db.allocations(session, **filters)
        by_host = {}
        for row in rows:
            by_host.setdefault(row.host_id, []).append(row)
        return {'allocations': [_allocation_view(h, r)
                                for h, r in sorted(by_host.items())]}


class PropertiesController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        # Named keyword parameters make pecan's RestController miss
        # get_all; read them from the query instead.
        _authorize('get_resource_properties')
        params.single(query)
        detail = query.pop('detail', None)
        show_all = query.pop('all', None)
        if query:
            raise exceptions.InvalidInput(
                reason='Unknown query parameter(s): %s. Supported: detail, '
                       'all.' % ', '.join(sorted(query)))
        detail, show_all = _flag(detail, 'detail'), _flag(show_all, 'all')
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
        _authorize('patch_resource_properties')
        body = validation.validate(schema.PROPERTY_UPDATE,
                                   validation.load_body(pecan.request))
        with db.writer() as session:
            prop = host_db.get_property(session, name)
            prop.private = body['private']
            return {'resource_property': {'property': prop.name,
                                          'private': prop.private}}


def _flag(value, name):
    if value is None:
        return False
    lowered = str(value).lower()
    if lowered in ('true', '1', 'yes'):
        return True
    if lowered in ('false', '0', 'no'):
        return False
    raise exceptions.InvalidInput(reason='%s must be True or False.' % name)


class HostsController(rest.RestController):
    allocations = AllocationsController()
    properties = PropertiesController()

    @pecan.expose('json')
    def get_all(self):
        _authorize('get')
        with db.reader() as session:
            return {'hosts': [host_view(h) for h in host_db.list_(session)]}

    @pecan.expose('json')
    def get_one(self, host_id, *subpath, **query):
        # pecan takes a defaulted argument for a required path segment;
        # *subpath keeps /os-hosts/{id} routable.
        if len(subpath) > 1:
            raise exceptions.NotFound(object='Resource', id='/'.join(subpath))
        sub = subpath[0] if subpath else None
        params.single(query)
        if sub is None:
            _authorize('get')
            if query:
                raise exceptions.InvalidInput(
                    reason='Unknown query parameter(s): %s.'
                    % ', '.join(sorted(query)))
            with db.reader() as session:
                return {'host': host_view(host_db.get(session, host_id))}
        if sub != 'allocation':
            raise exceptions.NotFound(object='Resource', id=sub)
        _authorize('get_allocations')
        filters = _allocation_filters(query)
        with db.reader() as session:
            host = host_db.get(session, host_id)
            rows = host_db.allocations(session, host_id=host.id, **filters)
        return {'allocation': _allocation_view(host.id, rows)}

    @pecan.expose('json')
    def post(self):
        ctx = _authorize('post')
        body = validation.validate(schema.CREATE,
                                   validation.load_body(pecan.request))
        name = str(body.pop('name'))
        host_id = pecan.request.rpcapi.create_host(ctx, name,
                                                   _capabilities(body))
        pecan.response.status = 201
        return self._render(host_id)

    @pecan.expose('json')
    def put(self, host_id):
        ctx = _authorize('put')
        body = validation.validate(schema.UPDATE,
                                   validation.load_body(pecan.request))
        with db.reader() as session:
            host = host_db.get(session, host_id)
        pecan.request.rpcapi.update_host(ctx, host.id, _capabilities(body))
        return self._render(host.id)

    @pecan.expose('json')
    def delete(self, host_id):
        ctx = _authorize('delete')
        with db.reader() as session:
            host = host_db.get(session, host_id)
        pecan.request.rpcapi.delete_host(ctx, host.id)
        return webob.Response(status=204)

    @staticmethod
    def _render(host_id):
        with db.reader() as session:
            return {'host': host_view(host_db.get(session, host_id))}
