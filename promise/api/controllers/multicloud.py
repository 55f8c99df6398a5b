"""ONAP Multicloud: /api/multicloud/v0|v1/check_vim_capacity (what OOF/HAS
``vim_fit`` calls) and /api/multicloud/v1/net_value (the cloud-agnostic
placement cost of the ONAP Casablanca edge scoping).

Promise answers for the one region it serves ([multicloud] cloud_owner and
cloud_region_id); VIMs it does not serve are never in an answer. Memory and
Storage are GB. Figures come from the virtual:instance capacity model: the
least available capacity over the window (now to now + 1 minute unless
start_date / end_date ask for another). HAS keeps every candidate when the
call fails, so anything doubtful is an error, never a guess: available
figures are rounded down, and a configuration Promise cannot answer from
is a 503.
"""

import datetime

import pecan

from promise.api.controllers import base
from promise.api import dates as api_dates
from promise.api.schemas import multicloud as schema
from promise.api import validation
from promise.common import dates
from promise import conf
from promise.db import api as db
from promise.engine import net_value
from promise import exceptions
from promise.nfv import pricing
from promise.policies import multicloud as multicloud_rules

CONF = conf.CONF
DEFAULT_WINDOW = datetime.timedelta(minutes=1)
MB_PER_GB = 1024


def _request(request_schema):
    """(body, cloud owner, cloud region id, start, end) of an authorized,
    valid request: every endpoint checks these first, in this order."""
    base.authorize(multicloud_rules.CHECK)
    body = validation.validate(request_schema,
                               validation.load_body(pecan.request))
    owner, region = _served()
    start, end = _window(body)
    return body, owner, region, start, end


def _timelines(start, end):
    """The region's timeline and each availability zone's."""
    default_zone = CONF.multicloud.default_availability_zone
    with db.reader() as session:
        return (net_value.region_timeline(session, start, end),
                net_value.zone_timelines(session, start, end, default_zone))


def _served():
    """(cloud owner, cloud region id) Promise serves, or 503."""
    owner = CONF.multicloud.cloud_owner
    region = CONF.multicloud.cloud_region_id
    if not owner or not region:
        raise exceptions.ServiceUnavailable(
            reason='Promise does not know which ONAP cloud region it '
                   'serves: set [multicloud] cloud_owner and '
                   'cloud_region_id.')
    return owner, region


def _window(body):
    now = dates.utcnow()
    start = (api_dates.parse(body['start_date'], allow_now=True)
             if 'start_date' in body else now)
    end = (api_dates.parse(body['end_date']) if 'end_date' in body
           else dates.shift(start, DEFAULT_WINDOW))
    if end <= start:
        raise exceptions.InvalidPeriod()
    if end <= now:
        raise exceptions.InvalidInput(
            reason='The window %s to %s is over: Promise answers for '
                   'now or the future.' % (dates.format_date(start),
                                           dates.format_date(end)))
    days = CONF.multicloud.max_window_days
    if end - start > datetime.timedelta(days=days):
        raise exceptions.InvalidInput(
            reason='The window may span at most %d days.' % days)
    return max(start, now), end


def _need(body):
    """The request in Promise's units: a Shape of vcpus, MB and GB."""
    return (body.get('vCPU', 0), body.get('Memory', 0) * MB_PER_GB,
            body.get('Storage', 0))


def _fits(need, least):
    return all(n <= least[name]['available']
               for n, name in zip(need, net_value.RESOURCES))


def _gb(mb):
    return int(mb // MB_PER_GB)


def _az_view(name, least):
    return {'availability-zone-name': name,
            'vCPUAvail': least['vcpus']['available'],
            'MemoryAvail': _gb(least['memory_mb']['available']),
            'StorageAvail': least['disk_gb']['available'],
            'vCPUTotal': least['vcpus']['total'],
            'MemoryTotal': _gb(least['memory_mb']['total']),
            'StorageTotal': least['disk_gb']['total']}


def _v1_served(vims, owner, region):
    return any(v['cloud-owner'] == owner and v['cloud-region-id'] == region
               for v in vims)


def _post_only():
    # pecan runs a generic handler for every method it has no handler for.
    return base.not_allowed('POST', 'The method %s is not allowed: use '
                                    'POST.' % pecan.request.method)


class V0Controller:

    @pecan.expose('json', generic=True)
    def check_vim_capacity(self):
        return _post_only()

    @check_vim_capacity.when(method='POST', template='json')
    def _check_vim_capacity_post(self):
        body, owner, region, start, end = _request(schema.CHECK_V0)
        vim_id = '%s_%s' % (owner, region)
        if vim_id not in body['VIMs']:
            return {'VIMs': []}
        with db.reader() as session:
            steps = net_value.region_timeline(session, start, end)
        if not _fits(_need(body), net_value.minimum(steps)):
            return {'VIMs': []}
        return {'VIMs': [vim_id]}


class V1Controller:

    @pecan.expose('json', generic=True)
    def check_vim_capacity(self):
        return _post_only()

    @check_vim_capacity.when(method='POST', template='json')
    def _check_vim_capacity_post(self):
        body, owner, region, start, end = _request(schema.CHECK_V1)
        if not _v1_served(body['VIMs'], owner, region):
            return {'VIMs': []}
        steps, zones = _timelines(start, end)
        if not _fits(_need(body), net_value.minimum(steps)):
            return {'VIMs': []}
        return {'VIMs': [{
            'cloud-owner': owner, 'cloud-region-id': region,
            'AZs': [_az_view(name, net_value.minimum(zones[name]))
                    for name in sorted(zones)]}]}

    @pecan.expose('json', generic=True)
    def net_value(self):
        return _post_only()

    @net_value.when(method='POST', template='json')
    def _net_value_post(self):
        body, owner, region, start, end = _request(schema.NET_VALUE)
        count = body.get('count', 1)
        shape, cost, sizes = pricing.instance_type(
            body['instance_type'], count, body.get('intents', []),
            CONF.net_value)
        if not _v1_served(body['VIMs'], owner, region):
            return {'VIMs': []}
        weights = pricing.weights(CONF.net_value)
        steps, zones = _timelines(start, end)
        vim = {'cloud-owner': owner, 'cloud-region-id': region,
               'instance_type': sizes, 'count': count,
               'start_date': dates.format_date(start),
               'end_date': dates.format_date(end)}
        vim.update(net_value.net_value(steps, shape, count, weights, cost))
        vim['AZs'] = []
        for name in sorted(zones):
            figures = net_value.net_value(zones[name], shape, count,
                                          weights, cost)
            figures['availability-zone-name'] = name
            vim['AZs'].append(figures)
        return {'VIMs': [vim]}


class MulticloudController:
    v0 = V0Controller()
    v1 = V1Controller()


class ApiController:
    """/api: the prefix ONAP's Multicloud plugins answer under."""
    multicloud = MulticloudController()
