"""/v1/capacity: total / reserved / used / available over a window."""

import datetime

import pecan
from pecan import rest

from promise.api import dates
from promise.api import params
from promise.common import dates as common_dates
from promise.common import properties
from promise.common import shapes
from promise.db import api as db
from promise.engine import capacity
from promise import exceptions
from promise import policy

DEFAULT_DAYS = 30
MAX_DAYS = 366
PARAMS = ('resource_type', 'start_date', 'end_date',
          'hypervisor_properties', 'resource_properties', 'vcpus',
          'memory_mb', 'disk_gb')


def _window(query):
    now = common_dates.utcnow().replace(second=0, microsecond=0)
    start = (dates.parse(query['start_date'], allow_now=True)
             if 'start_date' in query else now)
    end = (dates.parse(query['end_date']) if 'end_date' in query
           else start + datetime.timedelta(days=DEFAULT_DAYS))
    if end <= start:
        raise exceptions.InvalidPeriod()
    if end - start > datetime.timedelta(days=MAX_DAYS):
        raise exceptions.InvalidInput(
            reason='The window may span at most %d days.' % MAX_DAYS)
    return start, end


def _shape(query):
    """The instance shape asked for, or None."""
    given = {k: query[k] for k in ('vcpus', 'memory_mb', 'disk_gb')
             if k in query}
    if not given:
        return None
    values = {}
    for key in ('vcpus', 'memory_mb', 'disk_gb'):
        text = str(given.get(key, '0')).strip()
        if not text.isdigit():
            raise exceptions.InvalidInput(
                reason='%s must be a whole number, not %r.' % (key, text))
        values[key] = int(text)
    if not any(values.values()):
        raise exceptions.InvalidInput(
            reason='An instance shape needs at least one of vcpus, '
                   'memory_mb, disk_gb above 0.')
    return shapes.Shape(**values)


def _steps(steps):
    # A step starts where the previous one ends: format each moment once.
    text = {}

    def formatted(moment):
        if moment not in text:
            text[moment] = common_dates.format_date(moment)
        return text[moment]
    return [dict(values, start_date=formatted(s), end_date=formatted(e))
            for s, e, values in steps]


class CapacityController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        ctx = pecan.request.context
        policy.authorize(ctx, 'promise:capacity:get',
                         {'project_id': ctx.project_id})
        params.single(query)
        unknown = set(query) - set(PARAMS)
        if unknown:
            raise exceptions.InvalidInput(
                reason='Unknown query parameter(s): %s. Supported: %s.'
                % (', '.join(sorted(unknown)), ', '.join(PARAMS)))
        resource_type = query.get('resource_type', 'physical:host')
        start, end = _window(query)
        hyper = properties.parse(query.get('hypervisor_properties'),
                                 'hypervisor_properties')
        resource = properties.parse(query.get('resource_properties'),
                                    'resource_properties')
        shape = _shape(query)
        body = {'resource_type': resource_type,
                'start_date': common_dates.format_date(start),
                'end_date': common_dates.format_date(end)}
        if resource_type == 'physical:host':
            if shape is not None:
                raise exceptions.InvalidInput(
                    reason='vcpus, memory_mb and disk_gb describe an '
                           'instance shape; they go with resource_type '
                           'virtual:instance.')
            with db.reader() as session:
                steps = capacity.host_timeline(session, start, end, hyper,
                                               resource)
            body['unit'] = 'hosts'
            body['min_available'] = min(v['available'] for _, _, v in steps)
        elif resource_type == 'virtual:instance':
            if hyper is not None:
                raise exceptions.InvalidInput(
                    reason='virtual:instance capacity is filtered with '
                           'resource_properties only.')
            with db.reader() as session:
                steps = capacity.instance_timeline(session, start, end,
                                                   resource, shape)
            if shape is not None:
                body['unit'] = 'instances'
                body['min_available'] = min(v['available']
                                            for _, _, v in steps)
            else:
                body['min_available'] = {
                    name: min(v[name]['available'] for _, _, v in steps)
                    for name in ('vcpus', 'memory_mb', 'disk_gb')}
        else:
            raise exceptions.InvalidInput(
                reason='resource_type must be physical:host or '
                       'virtual:instance.')
        body['timeline'] = _steps(steps)
        return {'capacity': body}
