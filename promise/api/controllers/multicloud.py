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

from promise.api import dates
from promise.api import errors
from promise.api.schemas import multicloud as schema
from promise.api import validation
from promise.common import dates as common_dates
from promise.common import shapes
from promise import conf
from promise.conf import net_value as net_value_conf
from promise.db import api as db
from promise.engine import net_value
from promise import exceptions
from promise import policy

CONF = conf.CONF
DEFAULT_WINDOW = datetime.timedelta(minutes=1)
MB_PER_GB = 1024


def _authorize():
    ctx = pecan.request.context
    policy.authorize(ctx, 'promise:multicloud:check',
                     {'project_id': ctx.project_id})


def _body(request_schema):
    return validation.validate(request_schema,
                               validation.load_body(pecan.request))


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
    now = common_dates.utcnow()
    start = (dates.parse(body['start_date'], allow_now=True)
             if 'start_date' in body else now)
    end = (dates.parse(body['end_date']) if 'end_date' in body
           else start + DEFAULT_WINDOW)
    if end <= start:
        raise exceptions.InvalidPeriod()
    if end <= now:
        raise exceptions.InvalidInput(
            reason='The window %s to %s is over: Promise answers for '
                   'now or the future.' % (common_dates.format_date(start),
                                           common_dates.format_date(end)))
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
    return errors.response(405, 'The method %s is not allowed: use POST.'
                           % pecan.request.method, headers={'Allow': 'POST'})


class V0Controller:

    @pecan.expose('json', generic=True)
    def check_vim_capacity(self):
        return _post_only()

    @check_vim_capacity.when(method='POST', template='json')
    def _check_vim_capacity_post(self):
        _authorize()
        body = _body(schema.CHECK_V0)
        owner, region = _served()
        start, end = _window(body)
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
        _authorize()
        body = _body(schema.CHECK_V1)
        owner, region = _served()
        start, end = _window(body)
        if not _v1_served(body['VIMs'], owner, region):
            return {'VIMs': []}
        default_zone = CONF.multicloud.default_availability_zone
        with db.reader() as session:
            steps = net_value.region_timeline(session, start, end)
            zones = net_value.zone_timelines(session, start, end,
                                             default_zone)
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
        _authorize()
        body = _body(schema.NET_VALUE)
        owner, region = _served()
        start, end = _window(body)
        shape, cost, sizes = _instance_type(body)
        if not _v1_served(body['VIMs'], owner, region):
            return {'VIMs': []}
        count = body.get('count', 1)
        weights = {'vcpus': CONF.net_value.wcpu,
                   'memory_mb': CONF.net_value.wmem,
                   'disk_gb': CONF.net_value.wdisk}
        default_zone = CONF.multicloud.default_availability_zone
        with db.reader() as session:
            steps = net_value.region_timeline(session, start, end)
            zones = net_value.zone_timelines(session, start, end,
                                             default_zone)
        vim = {'cloud-owner': owner, 'cloud-region-id': region,
               'instance_type': sizes, 'count': count,
               'start_date': common_dates.format_date(start),
               'end_date': common_dates.format_date(end)}
        vim.update(net_value.net_value(steps, shape, count, weights, cost))
        vim['AZs'] = []
        for name in sorted(zones):
            figures = net_value.net_value(zones[name], shape, count,
                                          weights, cost)
            figures['availability-zone-name'] = name
            vim['AZs'].append(figures)
        return {'VIMs': [vim]}


def _cost(table, key, what):
    value = CONF.net_value[table].get(key)
    if value is None:
        raise exceptions.InvalidInput(
            reason='No cost is configured for %s %s ([net_value] %s).'
                   % (what, key, table))
    try:
        return float(value)
    except ValueError:
        raise exceptions.ServiceUnavailable(
            reason='[net_value] %s: %s is not a number.' % (table, key))


def _shapes():
    try:
        return {name: shapes.Shape(*net_value_conf.parse_shape(name, text))
                for name, text in CONF.net_value.flavor_shapes.items()}
    except net_value_conf.InvalidConfig as exc:
        raise exceptions.ServiceUnavailable(reason=str(exc))


def _instance_type(body):
    """(shape the capacity check uses, net_value_cost, sizes to show)."""
    kind = body['instance_type']
    sizes = _shapes()
    if 'flavor' in kind:
        flavor = kind['flavor']
        if flavor not in sizes:
            raise exceptions.InvalidInput(
                reason='Flavor %s has no size in [net_value] '
                       'flavor_shapes.' % flavor)
        shape = sizes[flavor]
    else:
        shape = shapes.Shape(kind['vcpus'], kind['memory_mb'],
                             kind['disk_gb'])
        if not any(shape):
            raise exceptions.InvalidInput(
                reason='An instance type needs a size above 0.')
        named = sorted(n for n, s in sizes.items() if s == shape)
        priced = [n for n in named if n in CONF.net_value.flavor_costs]
        if not priced:
            raise exceptions.InvalidInput(
                reason='No flavor of %d vCPU, %d MB, %d GB has a cost in '
                       '[net_value] flavor_shapes and flavor_costs.'
                       % shape)
        if len({CONF.net_value.flavor_costs[n] for n in priced}) > 1:
            raise exceptions.InvalidInput(
                reason='Flavors %s have this size and different costs: '
                       'name the flavor.' % ', '.join(priced))
        flavor = priced[0]
    count = body.get('count', 1)
    cost = _cost('flavor_costs', flavor, 'flavor') * count
    intents = body.get('intents', [])
    for intent in intents:
        cost += _cost('intent_costs', intent, 'intent')
    sizes = {'flavor': flavor, 'min': dict(shape._asdict()),
             'max': dict(shape._asdict())}
    if 'burstable' in intents:
        low, high = net_value.burstable(
            shape, CONF.net_value.burstable_oversubscription)
        sizes['min'], sizes['max'] = dict(low._asdict()), dict(high._asdict())
        # The capacity check counts what is guaranteed.
        shape = low
    return shape, cost, sizes


class MulticloudController:
    v0 = V0Controller()
    v1 = V1Controller()


class ApiController:
    """/api: the prefix ONAP's Multicloud plugins answer under."""
    multicloud = MulticloudController()
