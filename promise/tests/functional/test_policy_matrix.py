"""Who may do what: every endpoint x five callers, against live processes.

Callers, relative to the lease owned by project A:

* ``admin``: role admin, in an unrelated project;
* ``member``: role member of project A (the owner);
* ``reader``: role reader of project A;
* ``other``: role member of project B;
* ``noroles``: project A with a role no policy knows (what Keystone gives a
  user without roles on the project; an *empty* X-Roles header is another
  matter, see test_empty_roles_header).

Expected statuses follow promise/policies: leases are read by readers and
changed by members of the owning project (admins anywhere); other
projects' leases are not found (404) rather than forbidden, so that their
existence does not leak; a caller who may not even act on its own project
gets 403; os-hosts is admin only (403 for everyone else, before any lookup).
Version discovery and the health check need nothing.

Subscriptions and SOL003 grants behave as leases do (read by readers,
created and changed by members; another project's are not found). The
ONAP Multicloud capacity and net value answers are about the region, not a
project: readers of any project may ask. Under /grant errors are SOL013
problem+json instead of the Blazar body, and requests carry the Version
header. The deployment serves an ONAP region and has a flavor size and
cost, so that these requests get past configuration to the policy.

Each test checks one endpoint for every caller and reports the whole row at
once, so one run shows the full matrix of what differs.
"""

import datetime
import uuid

import sqlalchemy as sa

from promise.tests.functional import base
from promise.tests.unit import test_grants_api as shapes

A = base.OWNER['project']
B = base.OTHER['project']

CALLERS = {
    'admin': {'user': 'admin-user', 'project': 'admin-project',
              'roles': 'admin'},
    'member': {'user': base.OWNER['user'], 'project': A, 'roles': 'member'},
    'reader': {'user': 'reader-user', 'project': A, 'roles': 'reader'},
    'other': {'user': base.OTHER['user'], 'project': B, 'roles': 'member'},
    'noroles': {'user': 'norole-user', 'project': A,
                'roles': 'no-such-role'},
}
ORDER = ('admin', 'member', 'reader', 'other', 'noroles')

HOST_ID = 4242
FIP_ID = 'matrix-fip'
PROPERTY = 'matrix_gpu'

GRANT_VERSION = {'Version': '1.4.0'}
PROBLEM = 'application/problem+json'
VIMS = [{'cloud-owner': 'matrix-owner', 'cloud-region-id': 'matrix-region'}]

# No Nova in this deployment: an admin request that reaches Nova after
# policy let it through gets 503 ("Nova cannot be reached").
NO_NOVA = 503


def row(admin, member, reader, other, noroles):
    return dict(zip(ORDER, (admin, member, reader, other, noroles)))


class PolicyMatrixTests:
    # Only the physical:host plugin: these tests reserve hosts and must not
    # depend on which other plugins are installed.
    DEPLOYMENT = {
        'manager.plugins': 'physical:host',
        'multicloud.cloud_owner': VIMS[0]['cloud-owner'],
        'multicloud.cloud_region_id': VIMS[0]['cloud-region-id'],
        'net_value.flavor_shapes': 'm1.tiny:1/512/1',
        'net_value.flavor_costs': 'm1.tiny:1',
        'nfv.vdu_flavors': 'VDU1=m1.tiny,VDU2=m1.tiny',
        # Subscriptions name a receiver nobody runs, on loopback (only
        # this address is opened: webhooks refuse non-global ones).
        'notifications.webhook_timeout': 1,
        'notifications.webhook_allowed_networks': '127.0.0.3/32',
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._seeded = False

    def setUp(self):
        super().setUp()
        if not type(self)._seeded:
            self._seed()
            type(self)._seeded = True

    # -- fixtures -------------------------------------------------------------

    def _seed(self):
        """One host (inserted directly: registering needs Nova) with one
        capability, project A's lease holding it from tomorrow, and project
        A's subscription and approved grant (the host has room now)."""
        self.insert_host_with_property(HOST_ID, 'matrix-compute', PROPERTY)
        lease = self.create_lease(
            name='matrix-owned', start=self.future(days=1),
            end=self.future(days=2),
            reservations=[{'resource_type': 'physical:host', 'min': 1,
                           'max': 1, 'hypervisor_properties': '',
                           'resource_properties': ''}])
        type(self).lease = lease
        type(self).reservation_id = lease['reservations'][0]['id']
        type(self).subscription = self.create_subscription()
        type(self).grant = self.create_grant('matrix-vnf-a')
        # A reservable floating IP (inserted directly: registering needs
        # Neutron).
        self.insert_floatingip(FIP_ID, 'matrix-net', '172.24.4.242',
                               subnet_id='matrix-subnet')

    def create_subscription(self, caller='member', **extra):
        body = dict({'event_types': ['lease.*'],
                     'url': 'http://127.0.0.3:9/matrix-hook'}, **extra)
        resp = self.call(caller, 'POST', '/v1/subscriptions', json=body)
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()['subscription']

    def grant_body(self, vnf_instance_id, operation='INSTANTIATE'):
        vdus = [('VDU1', 1)] if operation == 'INSTANTIATE' else []
        return shapes.tacker_request(operation, vnf_instance_id, vdus)

    def create_grant(self, vnf_instance_id, caller='member'):
        resp = self.call(caller, 'POST', '/grant/v1/grants',
                         json=self.grant_body(vnf_instance_id),
                         headers=GRANT_VERSION)
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()

    def holds(self, grant_id):
        with self.deployment.db.engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT COUNT(*) FROM grant_holds WHERE grant_id = :id'),
                {'id': grant_id}).scalar()

    def future(self, **delta):
        return base.api_date(base.utcnow() + datetime.timedelta(**delta))

    def lease_body(self, name=None):
        return {'name': name or 'matrix-' + uuid.uuid4().hex[:8],
                'start_date': self.future(days=3),
                'end_date': self.future(days=4),
                'reservations': [], 'events': []}

    def call(self, caller, method, path, **kwargs):
        who = CALLERS[caller]
        return self.request(method, path, who=who, roles=who['roles'],
                            **kwargs)

    def check_row(self, expected, method, path, make_path=None, **kwargs):
        """Call ``path`` as every caller; compare the statuses as a row."""
        actual, bodies = {}, {}
        for caller in (c for c in ORDER if c in expected):
            target = make_path(caller) if make_path else path
            body = kwargs.get('json')
            if callable(body):
                body = body(caller)
            extra = dict(kwargs, json=body) if 'json' in kwargs else kwargs
            resp = self.call(caller, method, target, **extra)
            bodies[caller] = resp.text[:300]
            if resp.status_code >= 400 and target.startswith('/grant/'):
                self.assertProblem(resp, resp.status_code)
            elif resp.status_code >= 400:
                self.assertBlazarError(resp, resp.status_code)
            wanted = expected[caller]
            if isinstance(wanted, tuple) and resp.status_code in wanted:
                actual[caller] = wanted
            else:
                actual[caller] = resp.status_code
        self.assertEqual(
            expected, actual,
            '%s %s: expected %s, got %s; bodies: %s'
            % (method, path, expected, actual, bodies))
        return actual

    def assertProblem(self, resp, status):
        """A SOL013 ProblemDetails body with the given status."""
        self.assertEqual(status, resp.status_code, resp.text)
        self.assertEqual(PROBLEM,
                         resp.headers['Content-Type'].split(';')[0].strip())
        self.assertEqual('1.4.0', resp.headers.get('Version'))
        body = resp.json()
        self.assertEqual(status, body['status'], body)
        self.assertTrue(body['detail'], body)

    # -- discovery ------------------------------------------------------------

    def test_version_discovery(self):
        for path in ('/', '/versions'):
            self.check_row(row(300, 300, 300, 300, 300), 'GET', path)
        self.check_row(row(200, 200, 200, 200, 200), 'GET', '/healthcheck')
        self.check_row(row(200, 200, 200, 200, 200), 'GET', '/v1')

    # -- leases ---------------------------------------------------------------

    def test_list_leases(self):
        self.check_row(row(200, 200, 200, 200, 403), 'GET', '/v1/leases')

    def test_list_leases_shows_own_project_only(self):
        lease_id = self.lease['id']
        seen = {}
        for caller in ('admin', 'member', 'reader', 'other'):
            resp = self.call(caller, 'GET', '/v1/leases')
            self.assertEqual(200, resp.status_code, resp.text)
            seen[caller] = lease_id in [x['id'] for x in
                                        resp.json()['leases']]
        self.assertEqual({'admin': True, 'member': True, 'reader': True,
                          'other': False}, seen)

    def test_list_all_projects(self):
        self.check_row(row(200, 403, 403, 403, 403), 'GET',
                       '/v1/leases?all_projects=true')

    def test_list_named_project(self):
        self.check_row(row(200, 200, 200, 403, 403), 'GET',
                       '/v1/leases?project_id=%s' % A)

    def test_create_lease(self):
        self.check_row(row(201, 201, 403, 201, 403), 'POST', '/v1/leases',
                       json=lambda caller: self.lease_body())

    def test_show_lease(self):
        self.check_row(row(200, 200, 200, 404, 403), 'GET',
                       '/v1/leases/%s' % self.lease['id'])

    def test_show_lease_by_name(self):
        self.check_row(row(200, 200, 200, 404, 403), 'GET',
                       '/v1/leases/%s' % self.lease['name'])

    def test_show_unknown_lease(self):
        self.check_row(row(404, 404, 404, 404, 403), 'GET',
                       '/v1/leases/%s' % uuid.uuid4())

    def test_update_lease(self):
        self.check_row(row(200, 200, 403, 404, 403), 'PUT',
                       '/v1/leases/%s' % self.lease['id'],
                       json=lambda caller: {'name': 'matrix-by-' + caller})
        # Put the name back for the by-name test.
        resp = self.call('member', 'PUT', '/v1/leases/%s' % self.lease['id'],
                         json={'name': self.lease['name']})
        self.assertEqual(200, resp.status_code, resp.text)

    def test_delete_lease(self):
        leases = {caller: self.create_lease(
            start=self.future(days=3), end=self.future(days=4))
            for caller in ORDER}
        self.check_row(row(204, 204, 403, 404, 403), 'DELETE', None,
                       make_path=lambda c: '/v1/leases/%s' % leases[c]['id'])
        # What was refused is still there.
        for caller in ('reader', 'other', 'noroles'):
            self.get_lease(leases[caller]['id'])

    def test_check_lease(self):
        self.check_row(row(200, 200, 403, 200, 403), 'POST',
                       '/v1/leases/check',
                       json=lambda caller: self.lease_body())

    # -- capacity -----------------------------------------------------------

    def test_capacity(self):
        self.check_row(row(200, 200, 200, 200, 403), 'GET',
                       '/v1/capacity?resource_type=physical:host')

    def test_capacity_changes(self):
        self.check_row(row(200, 403, 403, 403, 403), 'GET',
                       '/v1/capacity-changes')
        body = {'host_id': str(HOST_ID), 'type': 'unavailable',
                'start_date': self.future(days=20),
                'end_date': self.future(days=21), 'reason': 'matrix'}
        non_admin = row(None, 403, 403, 403, 403)
        del non_admin['admin']
        self.check_row(non_admin, 'POST', '/v1/capacity-changes', json=body)
        # Only the admin creates one.
        resp = self.call('admin', 'POST', '/v1/capacity-changes', json=body)
        self.assertEqual(201, resp.status_code, resp.text)
        change = resp.json()['capacity_change']
        self.assertEqual([], change['affected_reservations'])
        path = '/v1/capacity-changes/%s' % change['id']
        self.check_row(row(200, 403, 403, 403, 403), 'GET', path)
        self.check_row(row(404, 403, 403, 403, 403), 'GET',
                       '/v1/capacity-changes/%s' % uuid.uuid4())
        self.check_row(row(204, 403, 403, 403, 403), 'DELETE', path)

    # -- subscriptions ------------------------------------------------------

    def test_list_subscriptions(self):
        self.check_row(row(200, 200, 200, 200, 403), 'GET',
                       '/v1/subscriptions')
        self.check_row(row(200, 403, 403, 403, 403), 'GET',
                       '/v1/subscriptions?all_projects=true')

    def test_list_subscriptions_shows_own_project_only(self):
        seen = {}
        for caller in ('admin', 'member', 'reader', 'other'):
            resp = self.call(caller, 'GET', '/v1/subscriptions')
            self.assertEqual(200, resp.status_code, resp.text)
            seen[caller] = self.subscription['id'] in [
                x['id'] for x in resp.json()['subscriptions']]
        self.assertEqual({'admin': True, 'member': True, 'reader': True,
                          'other': False}, seen)

    def test_create_subscription(self):
        body = {'event_types': ['lease.*'],
                'url': 'http://127.0.0.3:9/matrix-hook'}
        self.check_row(row(201, 201, 403, 201, 403), 'POST',
                       '/v1/subscriptions', json=body)
        self.check_row(row(201, 403, 403, 403, 403), 'POST',
                       '/v1/subscriptions',
                       json=dict(body, all_projects=True))

    def test_show_subscription(self):
        path = '/v1/subscriptions/%s' % self.subscription['id']
        self.check_row(row(200, 200, 200, 404, 403), 'GET', path)
        self.check_row(row(200, 200, 200, 404, 403), 'GET',
                       path + '/deliveries')

    def test_show_unknown_subscription(self):
        path = '/v1/subscriptions/%s' % uuid.uuid4()
        self.check_row(row(404, 404, 404, 404, 403), 'GET', path)
        self.check_row(row(404, 404, 404, 404, 403), 'GET',
                       path + '/deliveries')

    def test_delete_subscription(self):
        subs = {caller: self.create_subscription() for caller in ORDER}
        self.check_row(row(204, 204, 403, 404, 403), 'DELETE', None,
                       make_path=lambda c: '/v1/subscriptions/%s'
                       % subs[c]['id'])
        # What was refused is still there.
        for caller in ('reader', 'other', 'noroles'):
            resp = self.call('member', 'GET',
                             '/v1/subscriptions/%s' % subs[caller]['id'])
            self.assertEqual(200, resp.status_code, resp.text)

    # -- ONAP Multicloud ------------------------------------------------------

    def test_check_vim_capacity_v0(self):
        vim_id = '%(cloud-owner)s_%(cloud-region-id)s' % VIMS[0]
        self.check_row(row(200, 200, 200, 200, 403), 'POST',
                       '/api/multicloud/v0/check_vim_capacity',
                       json={'vCPU': 1, 'Memory': 1, 'Storage': 1,
                             'VIMs': [vim_id]})

    def test_check_vim_capacity_v1(self):
        self.check_row(row(200, 200, 200, 200, 403), 'POST',
                       '/api/multicloud/v1/check_vim_capacity',
                       json={'vCPU': 1, 'Memory': 1, 'Storage': 1,
                             'VIMs': VIMS})

    def test_net_value(self):
        self.check_row(row(200, 200, 200, 200, 403), 'POST',
                       '/api/multicloud/v1/net_value',
                       json={'instance_type': {'flavor': 'm1.tiny'},
                             'VIMs': VIMS})

    # -- SOL003 grants --------------------------------------------------------

    def test_create_grant(self):
        # The host has room for every approval: a 403 is the policy's.
        self.check_row(row(201, 201, 403, 201, 403), 'POST',
                       '/grant/v1/grants', headers=GRANT_VERSION,
                       json=lambda caller: self.grant_body(
                           'matrix-vnf-' + uuid.uuid4().hex[:8]))

    def test_show_grant(self):
        self.check_row(row(200, 200, 200, 404, 403), 'GET',
                       '/grant/v1/grants/%s' % self.grant['id'],
                       headers=GRANT_VERSION)

    def test_show_unknown_grant(self):
        self.check_row(row(404, 404, 404, 404, 403), 'GET',
                       '/grant/v1/grants/%s' % uuid.uuid4(),
                       headers=GRANT_VERSION)

    def test_grant_notifications(self):
        self.check_row(row(204, 204, 403, 204, 403), 'GET',
                       '/grant/v1/notifications', headers=GRANT_VERSION)
        self.check_row(row(204, 204, 403, 204, 403), 'POST',
                       '/grant/v1/notifications', headers=GRANT_VERSION,
                       json=lambda caller: {
                           'notificationType':
                               'VnfLcmOperationOccurrenceNotification',
                           'operationState': 'COMPLETED',
                           'vnfLcmOpOccId': str(uuid.uuid4())})

    def test_other_project_cannot_end_holds(self):
        """Neither an LCM notification nor a TERMINATE grant of project B
        ends the holds of project A's VNF instance."""
        vnf = 'matrix-vnf-' + uuid.uuid4().hex[:8]
        grant = self.create_grant(vnf)
        self.assertEqual(1, self.holds(grant['id']))
        resp = self.call('other', 'POST', '/grant/v1/notifications',
                         headers=GRANT_VERSION, json={
                             'notificationType':
                                 'VnfLcmOperationOccurrenceNotification',
                             'operationState': 'COMPLETED',
                             'vnfLcmOpOccId': grant['vnfLcmOpOccId']})
        self.assertEqual(204, resp.status_code, resp.text)
        resp = self.call('other', 'POST', '/grant/v1/grants',
                         headers=GRANT_VERSION,
                         json=self.grant_body(vnf, 'TERMINATE'))
        self.assertEqual(201, resp.status_code, resp.text)
        self.assertEqual(1, self.holds(grant['id']))
        # The owner's TERMINATE does end them.
        resp = self.call('member', 'POST', '/grant/v1/grants',
                         headers=GRANT_VERSION,
                         json=self.grant_body(vnf, 'TERMINATE'))
        self.assertEqual(201, resp.status_code, resp.text)
        self.assertEqual(0, self.holds(grant['id']))

    # -- os-hosts (admin only) ------------------------------------------------

    def test_list_hosts(self):
        self.check_row(row(200, 403, 403, 403, 403), 'GET', '/v1/os-hosts')

    def test_show_host(self):
        self.check_row(row(200, 403, 403, 403, 403), 'GET',
                       '/v1/os-hosts/%d' % HOST_ID)

    def test_show_unknown_host(self):
        self.check_row(row(404, 403, 403, 403, 403), 'GET',
                       '/v1/os-hosts/999999')

    def test_create_host(self):
        # Admin passes policy and reaches promise-manager, which needs Nova.
        self.check_row(row(NO_NOVA, 403, 403, 403, 403), 'POST',
                       '/v1/os-hosts', json={'name': 'compute-x'})

    def test_update_host(self):
        self.check_row(row(200, 403, 403, 403, 403), 'PUT',
                       '/v1/os-hosts/%d' % HOST_ID,
                       json={'matrix_rack': 'r1'})

    def test_delete_host(self):
        # The host is allocated to project A's lease: 409 before Nova.
        self.check_row(row(409, 403, 403, 403, 403), 'DELETE',
                       '/v1/os-hosts/%d' % HOST_ID)

    def test_allocations(self):
        actual = self.check_row(row(200, 403, 403, 403, 403), 'GET',
                                '/v1/os-hosts/allocations')
        self.assertEqual(200, actual['admin'])
        resp = self.call('admin', 'GET', '/v1/os-hosts/allocations?lease_id=%s'
                         % self.lease['id'])
        self.assertEqual(
            [{'resource_id': str(HOST_ID),
              'reservations': [{'id': self.reservation_id,
                                'lease_id': self.lease['id'],
                                'start_date': self.lease['start_date'],
                                'end_date': self.lease['end_date']}]}],
            resp.json()['allocations'])

    def test_host_allocation(self):
        self.check_row(row(200, 403, 403, 403, 403), 'GET',
                       '/v1/os-hosts/%d/allocation' % HOST_ID)

    def test_properties(self):
        self.check_row(row(200, 403, 403, 403, 403), 'GET',
                       '/v1/os-hosts/properties?detail=True')

    def test_patch_property(self):
        self.check_row(row(200, 403, 403, 403, 403), 'PATCH',
                       '/v1/os-hosts/properties/%s' % PROPERTY,
                       json={'private': False})
        self.check_row(row(404, 403, 403, 403, 403), 'PATCH',
                       '/v1/os-hosts/properties/no_such_property',
                       json={'private': True})

    # -- floating IPs (read by readers, changed by admins) --------------------

    def test_list_floatingips(self):
        self.check_row(row(200, 200, 200, 200, 403), 'GET',
                       '/v1/floatingips')

    def test_show_floatingip(self):
        self.check_row(row(200, 200, 200, 200, 403), 'GET',
                       '/v1/floatingips/%s' % FIP_ID)
        self.check_row(row(404, 404, 404, 404, 403), 'GET',
                       '/v1/floatingips/no-such-fip')

    def test_create_floatingip(self):
        # Admin passes policy and reaches promise-manager, which needs
        # Neutron (through the [nova] service credentials).
        self.check_row(row(NO_NOVA, 403, 403, 403, 403), 'POST',
                       '/v1/floatingips',
                       json={'floating_network_id': 'matrix-net',
                             'floating_ip_address': '172.24.4.243'})

    def test_delete_floatingip(self):
        self.check_row(row(404, 403, 403, 403, 403), 'DELETE',
                       '/v1/floatingips/no-such-fip')

    # -- noauth edge ----------------------------------------------------------

    def test_empty_roles_header(self):
        """An X-Roles header that is present but empty names a caller with
        no roles; only an absent header means "use [noauth] roles"."""
        resp = self.request('GET', '/v1/os-hosts', roles='')
        self.assertEqual(403, resp.status_code, resp.text)


class TestPolicyMatrixMySQL(PolicyMatrixTests, base.MySQLMixin,
                            base.FunctionalTestCase):
    pass


class TestPolicyMatrixPostgreSQL(PolicyMatrixTests, base.PostgreSQLMixin,
                                 base.FunctionalTestCase):
    pass
