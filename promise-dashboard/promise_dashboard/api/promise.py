"""The one place the dashboard talks to Promise.

Every call goes through the logged-in user's token, to the ``reservation``
endpoint of the service catalog Horizon got at login (the endpoint type
follows ``OPENSTACK_ENDPOINT_TYPE``).  Errors from Promise arrive as
:class:`PromiseError` carrying Promise's own ``error_message``; views show
that text rather than a generic failure.

Dates: Promise takes ``"YYYY-MM-DD HH:MM"`` (UTC) and answers
``"YYYY-MM-DDTHH:MM:SS.ffffff"``; :func:`parse_date` and
:func:`format_date` convert both ways.
"""

import datetime
import logging

from django.conf import settings
from horizon.utils.memoized import memoized
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack_dashboard.api import base
from promiseclient import exceptions as client_exceptions
from promiseclient.v1 import client as v1_client

LOG = logging.getLogger(__name__)

SERVICE_TYPE = 'reservation'
DATE_IN = '%Y-%m-%d %H:%M'
DATE_OUT = '%Y-%m-%dT%H:%M:%S.%f'

HOST = 'physical:host'
INSTANCE = 'virtual:instance'
FLOATINGIP = 'virtual:floatingip'

PromiseError = client_exceptions.HTTPError
Conflict = client_exceptions.Conflict
NotFound = client_exceptions.NotFound


def parse_date(value):
    """A naive UTC datetime from any date Promise writes (or accepts)."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    for fmt in (DATE_OUT, '%Y-%m-%dT%H:%M:%S', DATE_IN, '%Y-%m-%d %H:%M:%S'):
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError('%r is not a date Promise writes' % value)


def format_date(value):
    """The ``"YYYY-MM-DD HH:MM"`` form Promise accepts."""
    return parse_date(value).strftime(DATE_IN)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class _Client(v1_client.Client):
    """python-promiseclient's client plus the Blazar resources the
    dashboard needs (python-promiseclient leaves those to
    python-blazarclient, which the dashboard does not need)."""

    def list_leases(self):
        return self._request('GET', '/leases')['leases']

    def create_lease(self, body):
        return self._request('POST', '/leases', json=body)['lease']

    def delete_lease(self, lease_id):
        self._request('DELETE', '/leases/%s' % v1_client._quoted(lease_id))

    def list_hosts(self):
        return self._request('GET', '/os-hosts')['hosts']


@memoized
def promiseclient(request):
    """A client bound to this request's token and the catalog endpoint."""
    endpoint = base.url_for(request, SERVICE_TYPE)
    verify = getattr(settings, 'OPENSTACK_SSL_CACERT', None) or not getattr(
        settings, 'OPENSTACK_SSL_NO_VERIFY', False)
    auth = token_endpoint.Token(endpoint, request.user.token.id)
    sess = ks_session.Session(auth=auth, verify=verify)
    LOG.debug('Promise client for %s', endpoint)
    return _Client(sess, endpoint_override=endpoint,
                   user_agent='promise-dashboard')


# -- capacity -----------------------------------------------------------

def capacity_get(request, resource_type=HOST, start_date=None,
                 end_date=None, **filters):
    """GET /v1/capacity: {"timeline": [...], "min_available", "unit", ...}.

    ``start_date``/``end_date`` may be datetimes or Promise's input form.
    """
    return promiseclient(request).get_capacity(
        resource_type=resource_type,
        start_date=_in(start_date), end_date=_in(end_date), **filters)


# -- leases ---------------------------------------------------------------

def lease_list(request):
    """GET /v1/leases: the project's leases (all projects' for admin)."""
    return promiseclient(request).list_leases()


def host_reservation(min_hosts, max_hosts, hypervisor_properties='',
                     resource_properties=''):
    return {'resource_type': HOST, 'min': int(min_hosts),
            'max': int(max_hosts),
            'hypervisor_properties': hypervisor_properties or '',
            'resource_properties': resource_properties or ''}


def lease_check(request, name, start_date, end_date, reservations):
    """POST /v1/leases/check: {"feasible", "max_reservable",
    "alternatives"}; stores nothing."""
    return promiseclient(request).check_lease(
        name, _in(start_date), _in(end_date), reservations)


def lease_create(request, name, start_date, end_date, reservations):
    """POST /v1/leases.  A lease that no longer fits raises
    :class:`Conflict` whose ``body`` has a fresh offer."""
    return promiseclient(request).create_lease({
        'name': name, 'start_date': _in(start_date),
        'end_date': _in(end_date), 'reservations': list(reservations),
        'events': []})


def lease_delete(request, lease_id):
    promiseclient(request).delete_lease(lease_id)


# -- hosts and planned capacity changes (admin) ------------------------------

def host_list(request):
    """GET /v1/os-hosts (admin)."""
    return promiseclient(request).list_hosts()


def capacity_change_list(request):
    return promiseclient(request).list_capacity_changes()


def capacity_change_get(request, change_id):
    return promiseclient(request).get_capacity_change(change_id)


def capacity_change_create(request, host_id, change_type, start_date,
                           end_date=None, reason=None):
    """POST /v1/capacity-changes; the answer lists
    ``affected_reservations``."""
    return promiseclient(request).create_capacity_change(
        host_id, change_type, _in(start_date), end_date=_in(end_date),
        reason=reason or None)


def capacity_change_delete(request, change_id):
    promiseclient(request).delete_capacity_change(change_id)


def _in(value):
    if value is None or value == 'now':
        return value
    return format_date(value)
