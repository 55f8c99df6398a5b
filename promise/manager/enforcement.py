"""Operator limits on leases ([enforcement]), Blazar-compatible.

``check_create`` and ``check_update`` run inside the lease's decision
transaction, after the allocation and before the commit, so a refusal
changes nothing and what a filter approved is what commits. ``on_end``
runs after a lease ended; its failures are only logged.

MaxLeaseDurationFilter refuses leases longer than ``max_lease_duration``
(or the project's own limit). ExternalServiceFilter asks a service that
speaks Blazar's protocol: POST <endpoint>/check-create, /check-update and
/on-end with ``{"context": ..., "lease": ...}`` (and ``current_lease`` for
an update); 204 accepts, 403 with ``{"message": ...}`` refuses with that
message; anything else, or no answer, follows
``external_service_fail_open``.
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_log import log as logging

from promise.clients import keystone
from promise.common import views
from promise import conf
from promise import exceptions

CONF = conf.CONF
LOG = logging.getLogger(__name__)

MAX_DURATION = 'MaxLeaseDurationFilter'
EXTERNAL = 'ExternalServiceFilter'


def _blazar_date(value):
    # Blazar's filters receive str(datetime).
    return str(value.replace(tzinfo=None)) if value is not None else None


def lease_values(lease):
    """The lease as Blazar's filters receive it: its fields, dates as
    "YYYY-MM-DD HH:MM:SS", and each reservation's allocations."""
    body = views.lease(lease)
    body['start_date'] = _blazar_date(lease.start_date)
    body['end_date'] = _blazar_date(lease.end_date)
    for res_view, res in zip(body['reservations'], lease.reservations):
        allocations = [{'id': str(a.host_id)}
                       for a in res.host_allocations]
        allocations += [{'id': str(a.host_id), 'slots': a.slots}
                        for a in res.instance_allocations]
        allocations += [{'id': a.floatingip_id}
                        for a in res.floatingip_allocations]
        res_view['allocations'] = allocations
    return body


def _nova_option(name):
    # auth_url exists only once an auth plugin is configured.
    try:
        return CONF.nova[name] or None
    except cfg.NoSuchOptError:
        return None


def _context(ctx, lease):
    return {'user_id': lease.user_id, 'project_id': lease.project_id,
            'auth_url': _nova_option('auth_url'),
            'region_name': _nova_option('region_name')}


class MaxLeaseDuration:
    name = MAX_DURATION

    def _limit(self, project_id):
        group = CONF.enforcement
        if project_id in group.max_lease_duration_exempt_project_ids:
            return -1
        own = group.max_lease_duration_per_project.get(project_id)
        return int(own) if own is not None else group.max_lease_duration

    def _check(self, lease):
        limit = self._limit(lease.project_id)
        duration = int((lease.end_date - lease.start_date).total_seconds())
        if limit != -1 and duration > limit:
            raise exceptions.EnforcementRefused(
                filter=self.name,
                reason='Lease duration of %d seconds must be less than or '
                       'equal to the maximum lease duration of %d seconds.'
                       % (duration, limit))

    def check_create(self, ctx, lease, before=None):
        self._check(lease)

    check_update = check_create

    def on_end(self, ctx, lease):
        pass


class ExternalService:
    name = EXTERNAL

    def _url(self, path, override):
        if override:
            return override
        endpoint = CONF.enforcement.external_service_endpoint
        if not endpoint:
            return None
        return endpoint.rstrip('/') + path

    def _post(self, url, body):
        group = CONF.enforcement
        headers = {'Content-Type': 'application/json'}
        try:
            if group.external_service_token:
                session = ks_session.Session()
                headers['X-Auth-Token'] = group.external_service_token
            else:
                session = keystone.session('nova')
            resp = session.post(url, json=body, headers=headers,
                                raise_exc=False,
                                timeout=group.external_service_timeout)
        except (ks_exc.ClientException, exceptions.ServiceUnavailable) as \
                exc:
            return self._undecided(url, 'no answer (%s)' % exc)
        if resp.status_code == 204:
            return
        if resp.status_code == 403:
            try:
                message = resp.json()['message']
            except (ValueError, KeyError, TypeError):
                return self._undecided(url, 'a 403 without a JSON '
                                            '"message"')
            raise exceptions.EnforcementRefused(filter=self.name,
                                                reason=str(message))
        return self._undecided(url, 'HTTP %d (only 204 and 403 are '
                                    'answers)' % resp.status_code)

    def _undecided(self, url, why):
        if CONF.enforcement.external_service_fail_open:
            LOG.warning('%s: %s from %s; the lease is accepted '
                        '(external_service_fail_open)', self.name, why, url)
            return
        LOG.error('%s: %s from %s; the lease is refused', self.name, why,
                  url)
        raise exceptions.EnforcementUnavailable(filter=self.name,
                                                reason='%s from %s'
                                                % (why, url))

    def check_create(self, ctx, lease, before=None):
        url = self._url('/check-create',
                        CONF.enforcement.external_service_check_create)
        if url:
            self._post(url, {'context': _context(ctx, lease),
                             'lease': lease_values(lease)})

    def check_update(self, ctx, lease, before=None):
        url = self._url('/check-update',
                        CONF.enforcement.external_service_check_update)
        if url:
            self._post(url, {'context': _context(ctx, lease),
                             'current_lease': before,
                             'lease': lease_values(lease)})

    def on_end(self, ctx, lease):
        url = self._url('/on-end', CONF.enforcement.external_service_on_end)
        if url:
            self._post(url, {'context': _context(ctx, lease),
                             'lease': lease_values(lease)})


_FILTERS = {MAX_DURATION: MaxLeaseDuration, EXTERNAL: ExternalService}


def _enabled():
    return [_FILTERS[name]() for name in CONF.enforcement.enabled_filters]


def check_create(ctx, lease):
    """Raise EnforcementRefused (400) or EnforcementUnavailable (503)
    unless every enabled filter accepts the new lease."""
    for check in _enabled():
        check.check_create(ctx, lease)


def check_update(ctx, lease, before):
    """The same for a changed lease; ``before``: lease_values() of the
    lease as it was."""
    for check in _enabled():
        check.check_update(ctx, lease, before)


def on_end(ctx, lease):
    for check in _enabled():
        try:
            check.on_end(ctx, lease)
        except Exception:
            LOG.exception('%s: telling it lease %s ended failed',
                          check.name, lease.id)
