"""/v1/capacity: total / reserved / used / available over a window."""

import datetime

import pecan
from pecan import rest

from promise.api.controllers import base
from promise.api import dates as api_dates
from promise.api import params
from promise.common import dates
from promise.common import properties
from promise.common import shapes
from promise import conf
from promise.db import api as db
from promise.db import quota as quota_db
from promise.engine import capacity
from promise import exceptions
from promise.policies import capacity as capacity_rules

CONF = conf.CONF
DEFAULT_DAYS = 30
MAX_DAYS = 366
PARAMS = ('resource_type', 'start_date', 'end_date',
          'hypervisor_properties', 'resource_properties', 'vcpus',
          'memory_mb', 'disk_gb')


def _window(query):
    now = dates.utcnow().replace(second=0, microsecond=0)
    start = (api_dates.parse(query['start_date'], allow_now=True)
             if 'start_date' in query else now)
    end = (api_dates.parse(query['end_date']) if 'end_date' in query
           else dates.shift(start, datetime.timedelta(days=DEFAULT_DAYS)))
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
        values[key] = params.whole_number(given.get(key, '0'), key)
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
            text[moment] = dates.format_date(moment)
        return text[moment]
    return [dict(values, start_date=formatted(s), end_date=formatted(e))
            for s, e, values in steps]


class CapacityController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        base.authorize(capacity_rules.GET)
        params.checked(query, PARAMS)
        resource_type = query.get('resource_type', 'physical:host')
        start, end = _window(query)
        hyper = properties.parse(query.get('hypervisor_properties'),
                                 'hypervisor_properties')
        resource = properties.parse(query.get('resource_properties'),
                                    'resource_properties')
        shape = _shape(query)
        body = {'resource_type': resource_type,
                'start_date': dates.format_date(start),
                'end_date': dates.format_date(end)}
        with db.reader() as session:
            steps, summary = capacity.timeline(session, resource_type, start,
                                               end, hyper, resource, shape)
        body.update(summary)
        body['timeline'] = _steps(steps)
        # With limits enforced, the caller's project sees its use of them
        # over the same window (Keystone is asked outside a transaction).
        project_id = pecan.request.context.project_id
        if CONF.quota.enforce and project_id:
            limits = capacity.quota_limits(project_id, resource_type)
            with db.reader() as session:
                use = quota_db.usage_steps(session, project_id, start, end,
                                           tuple(limits))
            body['quota'] = {'project_id': project_id, 'limits': limits,
                             'timeline': _steps(use)}
        return {'capacity': body}
