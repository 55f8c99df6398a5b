"""Thin Placement wrapper over the one cached keystoneauth session.

Every write is safe to repeat. Writes that carry a resource provider
generation are retried when Placement answers 409 because the provider
changed meanwhile (nova-compute updates its providers all the time).
"""

import math
import random
import time
import uuid

from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging

from promise.clients import failures
from promise.clients import keystone
from promise.common import lazy
from promise import conf
from promise import exceptions

CONF = conf.CONF
LOG = logging.getLogger(__name__)

# 1.14 nested providers, 1.20 POST returns the provider, 1.26 an
# inventory may be fully reserved.
MICROVERSION = '1.26'
GENERATION_RETRIES = 10
CONFLICT = 'placement.concurrent_update'
STANDARD = {'vcpus': 'VCPU', 'memory_mb': 'MEMORY_MB', 'disk_gb': 'DISK_GB'}
# Child providers Promise makes are named from, and have a uuid derived
# from, this namespace, so they can be found again after a crash.
_NAMESPACE = uuid.UUID('2d4c4c84-7d2e-4e57-9f3c-6f0f8b6e1a10')

_CLIENT = lazy.Lazy(lambda: PlacementClient())


def client():
    return _CLIENT.get()


def reset():
    _CLIENT.reset()


def resource_class(reservation_id):
    """CUSTOM_RESERVATION_<ID>: the reservation id, upper case, '-' -> '_'."""
    return 'CUSTOM_RESERVATION_%s' % reservation_id.upper().replace('-',
                                                                    '_')


def reservation_of_class(rc):
    """The reservation id of a CUSTOM_RESERVATION_<ID> class, or None."""
    prefix = 'CUSTOM_RESERVATION_'
    if not rc or not rc.startswith(prefix):
        return None
    return rc[len(prefix):].lower().replace('_', '-')


def child_uuid(host_provider_uuid):
    """The one child provider under a host that carries the slots of every
    instance reservation on it. It is never deleted: nova-compute caches
    its provider tree and fails every build on the host while a provider
    it knows of is gone (until [compute]
    resource_provider_association_refresh passes), so reservations only
    add and remove inventories of their own class on it."""
    return str(uuid.uuid5(_NAMESPACE, 'promise-slots/%s'
                          % host_provider_uuid))


class GenerationConflict(Exception):
    pass


class PlacementError(exceptions.ServiceUnavailable):
    msg_fmt = 'Placement: %(reason)s'


class PlacementClient:

    def __init__(self, session=None):
        self._session = session

    @property
    def session(self):
        return self._session or keystone.session('nova')

    def _request(self, method, url, body=None, ok=(200,), missing_ok=False):
        kwargs = {'endpoint_filter': {
            'service_type': 'placement',
            'interface': CONF.nova.endpoint_type,
            'region_name': CONF.nova.region_name},
            'microversion': MICROVERSION,
            'raise_exc': False,
            'headers': {'Accept': 'application/json'}}
        if body is not None:
            kwargs['json'] = body
        try:
            resp = self.session.request(url, method, **kwargs)
        except ks_exc.ClientException as exc:
            raise failures.unavailable(
                'a request failed.', '%s %s failed: %s' % (method, url, exc),
                cls=PlacementError)
        if resp.status_code == 404 and missing_ok:
            return None
        if resp.status_code == 409 and _is_generation_conflict(resp):
            raise GenerationConflict(url)
        if resp.status_code not in ok:
            raise failures.unavailable(
                'a request failed.', '%s %s answered %s: %s' % (
                    method, url, resp.status_code, resp.text[:500]),
                cls=PlacementError)
        if resp.status_code == 204 or not resp.content:
            return {}
        return resp.json()

    def _retry(self, func):
        """Run func until it does not lose a generation race."""
        for attempt in range(GENERATION_RETRIES):
            try:
                return func()
            except GenerationConflict:
                LOG.debug('Placement generation conflict, retry %d',
                          attempt + 1)
                time.sleep(random.uniform(0.01, 0.1) * (attempt + 1))
        raise PlacementError(reason='a resource provider kept changing; '
                                    'gave up after %d attempts'
                             % GENERATION_RETRIES)

    # -- reads --------------------------------------------------------------

    def find_provider(self, name):
        found = self._request('GET', '/resource_providers?name=%s' % name)
        providers = found.get('resource_providers', [])
        return providers[0] if providers else None

    def get_provider(self, provider_uuid):
        return self._request('GET', '/resource_providers/%s' % provider_uuid,
                             missing_ok=True)

    def inventories(self, provider_uuid):
        """(generation, {resource class: inventory})."""
        data = self._request(
            'GET', '/resource_providers/%s/inventories' % provider_uuid)
        return (data['resource_provider_generation'],
                data.get('inventories', {}))

    def usages(self, provider_uuid):
        data = self._request(
            'GET', '/resource_providers/%s/usages' % provider_uuid)
        return data.get('usages', {})

    def capacity(self, provider_uuid):
        """({vcpus, memory_mb, disk_gb}: capacity, ...: used) of a compute
        node provider: capacity is (total - reserved) * allocation_ratio."""
        _, inv = self.inventories(provider_uuid)
        used = self.usages(provider_uuid)
        capacity, usage = {}, {}
        for field, rc in STANDARD.items():
            item = inv.get(rc)
            if item is None:
                capacity[field] = 0
            else:
                capacity[field] = int(math.floor(
                    (item['total'] - item.get('reserved', 0)) *
                    item.get('allocation_ratio', 1.0) + 1e-9))
            usage[field] = int(used.get(rc, 0))
        return capacity, usage

    def slot_usages(self, parent_uuid):
        """{resource class: used} on the slots child provider of a host."""
        child = child_uuid(parent_uuid)
        if self.get_provider(child) is None:
            return {}
        return self.usages(child)

    # -- resource classes ----------------------------------------------------

    def ensure_resource_class(self, name):
        self._request('PUT', '/resource_classes/%s' % name, ok=(201, 204))

    def delete_resource_class(self, name):
        self._request('DELETE', '/resource_classes/%s' % name, ok=(204,),
                      missing_ok=True)

    # -- providers -----------------------------------------------------------

    def ensure_child_provider(self, provider_uuid, name, parent_uuid):
        if self.get_provider(provider_uuid) is not None:
            return provider_uuid
        try:
            self._request('POST', '/resource_providers',
                          {'uuid': provider_uuid, 'name': name,
                           'parent_provider_uuid': parent_uuid},
                          ok=(200, 201))
        except PlacementError:
            # Made meanwhile (by another manager), or a real failure.
            if self.get_provider(provider_uuid) is None:
                raise
        return provider_uuid

    def delete_provider(self, provider_uuid):
        self._request('DELETE', '/resource_providers/%s' % provider_uuid,
                      ok=(204,), missing_ok=True)

    def children(self, parent_uuid):
        data = self._request('GET', '/resource_providers?in_tree=%s'
                             % parent_uuid)
        return [p for p in data.get('resource_providers', [])
                if p.get('parent_provider_uuid') == parent_uuid]

    # -- inventories ---------------------------------------------------------

    def set_inventory(self, provider_uuid, rc, total):
        """Make the provider's inventory of ``rc`` exactly ``total``."""
        def attempt():
            generation, inv = self.inventories(provider_uuid)
            current = inv.get(rc)
            if current is not None and current['total'] == total:
                return
            body = {'resource_provider_generation': generation,
                    'total': total, 'reserved': 0, 'min_unit': 1,
                    'max_unit': total, 'step_size': 1,
                    'allocation_ratio': 1.0}
            if current is None:
                # A new class on the provider is a POST; PUT only changes.
                self._request(
                    'POST', '/resource_providers/%s/inventories'
                    % provider_uuid, dict(body, resource_class=rc),
                    ok=(200, 201))
            else:
                self._request(
                    'PUT', '/resource_providers/%s/inventories/%s'
                    % (provider_uuid, rc), body)
        self._retry(attempt)

    def delete_inventory(self, provider_uuid, rc, wait=60):
        """Remove the inventory; waits while allocations (servers being
        deleted) still use it."""
        deadline = time.time() + wait

        def attempt():
            while True:
                try:
                    return self._request(
                        'DELETE', '/resource_providers/%s/inventories/%s'
                        % (provider_uuid, rc), ok=(204,), missing_ok=True)
                except PlacementError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.5)
        self._retry(attempt)


def _is_generation_conflict(resp):
    try:
        errors = resp.json().get('errors', [])
    except ValueError:
        return False
    return any(e.get('code') == CONFLICT for e in errors)
