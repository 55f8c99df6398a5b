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

Each test checks one endpoint for every caller and reports the whole row at
once, so one run shows the full matrix of what differs.
"""

import datetime
import uuid

import sqlalchemy as sa

from promise.tests.functional import base

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
PROPERTY = 'matrix_gpu'

# No Nova in this deployment: an admin request that reaches Nova after
# policy let it through gets 503 ("Nova cannot be reached").
NO_NOVA = 503


def row(admin, member, reader, other, noroles):
    return dict(zip(ORDER, (admin, member, reader, other, noroles)))


class PolicyMatrixTests:
    # Only the physical:host plugin: these tests reserve hosts and must not
    # depend on which other plugins are installed.
    DEPLOYMENT = {'manager.plugins': 'physical:host'}

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
        capability, and project A's lease holding it from tomorrow."""
        now = base.utcnow()
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO hosts (id, hypervisor_hostname, hypervisor_type,"
                " hypervisor_version, service_name, vcpus, cpu_info,"
                " memory_mb, local_gb, availability_zone, reservable,"
                " generation, created_at) VALUES (:id, :name, 'QEMU', 1,"
                " :name, 8, NULL, 16384, 100, NULL, :true, 0, :now)"),
                {'id': HOST_ID, 'name': 'matrix-compute', 'true': True,
                 'now': now})
            conn.execute(sa.text(
                "INSERT INTO host_capabilities (host_id, name, value) "
                "VALUES (:id, :name, 'true')"),
                {'id': HOST_ID, 'name': PROPERTY})
            conn.execute(sa.text(
                "INSERT INTO resource_properties (resource_type, name,"
                " private) VALUES ('physical:host', :name, :false)"),
                {'name': PROPERTY, 'false': False})
        lease = self.create_lease(
            name='matrix-owned', start=self.future(days=1),
            end=self.future(days=2),
            reservations=[{'resource_type': 'physical:host', 'min': 1,
                           'max': 1, 'hypervisor_properties': '',
                           'resource_properties': ''}])
        type(self).lease = lease
        type(self).reservation_id = lease['reservations'][0]['id']

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
            if resp.status_code >= 400:
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
