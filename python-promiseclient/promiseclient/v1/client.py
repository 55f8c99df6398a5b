"""A thin REST client for Promise's own additions to the Blazar v1 API.

One method per call; each returns the decoded resource (not the envelope)
and raises :class:`promiseclient.exceptions.HTTPError`, carrying Promise's
``error_message``, on a 4xx or 5xx answer.  The Blazar resources (leases,
hosts, allocations, floating IPs) are python-blazarclient's business.
"""

from urllib import parse

from keystoneauth1 import adapter

from promiseclient import exceptions

SERVICE_TYPE = 'reservation'
# The API microversion this client is written for (lease list links).
API_VERSION = '1.1'
VERSION_HEADER = 'OpenStack-API-Version'


def _quoted(value):
    return parse.quote(str(value), safe='')


class Client:
    """Calls /v1/capacity, /v1/leases/check, /v1/capacity-changes and
    /v1/subscriptions on a keystoneauth session.

    The endpoint comes from the catalog (service type ``reservation``; its
    URL already ends in ``/v1``) unless ``endpoint_override`` names it.
    """

    def __init__(self, session, endpoint_override=None,
                 service_type=SERVICE_TYPE, interface=None,
                 region_name=None, user_agent='python-promiseclient',
                 **kwargs):
        self.http = adapter.Adapter(
            session, service_type=service_type, interface=interface,
            region_name=region_name, endpoint_override=endpoint_override,
            user_agent=user_agent, **kwargs)

    # -- plumbing ---------------------------------------------------------

    def _request(self, method, path, json=None, params=None):
        headers = {'Accept': 'application/json',
                   VERSION_HEADER: '%s %s' % (SERVICE_TYPE, API_VERSION)}
        resp = self.http.request(path, method, json=json, params=params,
                                 headers=headers, raise_exc=False)
        if resp.status_code == 406:
            raise exceptions.HTTPError(
                406, 'This Promise does not speak reservation API %s '
                     '(it answered: %s); upgrade Promise, or use a '
                     'python-promiseclient as old as it.'
                % (API_VERSION, resp.headers.get(VERSION_HEADER) or
                   exceptions.from_response(resp).message),
                method=method, url=path)
        if resp.status_code >= 400:
            raise exceptions.from_response(resp, method, path)
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise exceptions.HTTPError(
                resp.status_code,
                'Promise answered %s %s with a body that is not JSON: %s'
                % (method, path, resp.text[:200]), method=method, url=path)

    @staticmethod
    def _query(values):
        """Query parameters without the unset (None) ones."""
        return {k: v for k, v in values.items() if v is not None}

    # -- capacity ---------------------------------------------------------

    def get_capacity(self, resource_type=None, start_date=None,
                     end_date=None, hypervisor_properties=None,
                     resource_properties=None, vcpus=None, memory_mb=None,
                     disk_gb=None):
        """GET /v1/capacity: the capacity timeline of a window."""
        params = self._query({
            'resource_type': resource_type, 'start_date': start_date,
            'end_date': end_date,
            'hypervisor_properties': hypervisor_properties,
            'resource_properties': resource_properties, 'vcpus': vcpus,
            'memory_mb': memory_mb, 'disk_gb': disk_gb})
        return self._request('GET', '/capacity', params=params)['capacity']

    # -- offers -----------------------------------------------------------

    def check_lease(self, name, start_date, end_date, reservations,
                    before_end_date=None, events=None):
        """POST /v1/leases/check: would this lease fit, and the offer.

        Returns ``{"feasible", "max_reservable", "alternatives"}``; nothing
        is stored.
        """
        body = {'name': name, 'start_date': start_date,
                'end_date': end_date, 'reservations': list(reservations),
                'events': list(events or [])}
        if before_end_date is not None:
            body['before_end_date'] = before_end_date
        return self._request('POST', '/leases/check', json=body)

    def get_lease(self, lease_id):
        """GET /v1/leases/{id or name} (Promise resolves names)."""
        return self._request('GET', '/leases/%s' % _quoted(lease_id))['lease']

    # -- planned capacity changes -----------------------------------------

    def create_capacity_change(self, host_id, change_type, start_date,
                               end_date=None, reason=None):
        body = {'host_id': str(host_id), 'type': change_type,
                'start_date': start_date}
        if end_date is not None:
            body['end_date'] = end_date
        if reason is not None:
            body['reason'] = reason
        return self._request('POST', '/capacity-changes',
                             json=body)['capacity_change']

    def list_capacity_changes(self, host_id=None):
        params = self._query({'host_id': host_id})
        return self._request('GET', '/capacity-changes',
                             params=params)['capacity_changes']

    def get_capacity_change(self, change_id):
        return self._request('GET', '/capacity-changes/%s'
                             % _quoted(change_id))['capacity_change']

    def delete_capacity_change(self, change_id):
        self._request('DELETE', '/capacity-changes/%s' % _quoted(change_id))

    # -- subscriptions ----------------------------------------------------

    def create_subscription(self, event_types, url, lease_id=None,
                            resource_type=None, threshold=None,
                            secret=None, all_projects=None):
        """POST /v1/subscriptions; the secret is write-only."""
        body = {'event_types': list(event_types), 'url': url}
        for key, value in (('lease_id', lease_id),
                           ('resource_type', resource_type),
                           ('threshold', threshold), ('secret', secret),
                           ('all_projects', all_projects)):
            if value is not None:
                body[key] = value
        return self._request('POST', '/subscriptions',
                             json=body)['subscription']

    def list_subscriptions(self, all_projects=None, project_id=None):
        params = self._query({'project_id': project_id})
        if all_projects is not None:
            params['all_projects'] = 'true' if all_projects else 'false'
        return self._request('GET', '/subscriptions',
                             params=params)['subscriptions']

    def get_subscription(self, subscription_id):
        return self._request('GET', '/subscriptions/%s'
                             % _quoted(subscription_id))['subscription']

    def delete_subscription(self, subscription_id):
        self._request('DELETE', '/subscriptions/%s' % _quoted(subscription_id))

    def list_deliveries(self, subscription_id, status=None, limit=None):
        """GET /v1/subscriptions/{id}/deliveries, newest first."""
        params = self._query({'status': status, 'limit': limit})
        return self._request('GET', '/subscriptions/%s/deliveries'
                             % _quoted(subscription_id),
                             params=params)['deliveries']
