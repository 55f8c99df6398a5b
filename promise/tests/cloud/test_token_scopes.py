"""The policy matrix with real Keystone tokens of every scope.

In a domain of its own, the test makes projects A and B with a reader,
a member and an admin each, a service user (role service only) in a
project S, a reader, member and admin of the domain (domain-scoped
tokens) and a system reader and admin (system-scoped tokens). Project A
owns a lease, a subscription and an approved SOL003 grant with holds.
Every endpoint is called with every token; each row compares the
statuses at once, so one run shows the whole matrix. What must hold: no
cross-project read or write (B's users get 404 on A's rows, A's rows are
not in B's lists, A's grant holds survive B's and the service's
TERMINATE and LCM notifications), domain and system tokens get 403
wherever project data lives, and a project admin (of A or B) sees every
project. Everything made is removed at the end.
"""

import datetime
import json
import uuid

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import sqlalchemy as sa

from promise.tests.cloud import fixture
from promise.tests.cloud import test_instance_reservations as base
from promise.tests.unit import test_grants_api as requests_

VERSION = {'Version': '1.4.0'}
IMPLIED = {'reader': ['reader'], 'member': ['member', 'reader'],
           'admin': ['admin', 'member', 'reader'], 'service': ['service']}
PROJECT_USERS = ('a_reader', 'a_member', 'a_admin', 'b_reader', 'b_member',
                 'b_admin')
SCOPED_OUT = ('d_reader', 'd_member', 'd_admin', 'sys_reader', 'sys_admin')
EVERYONE = PROJECT_USERS + ('service',) + SCOPED_OUT
ADMINS = ('a_admin', 'b_admin')


def where_and_role(who):
    """('a' | 'b' | 's' | 'd' | 'sys', role) of a persona."""
    return ('s', 'service') if who == 'service' else tuple(who.split('_'))


def expect(default=403, **statuses):
    """{persona: status}: ``statuses``, else ``default``."""
    return {who: statuses.get(who, default) for who in EVERYONE}


def future(days):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        days=days)
    return when.strftime('%Y-%m-%d %H:%M')


class TestTokenScopes(base.InstanceReservationBase):

    def setUp(self):
        super().setUp()
        self.identity = self.cloud.admin.identity
        self.password = uuid.uuid4().hex
        self.make_identities()
        endpoint = self.cloud.admin_session.get_endpoint(
            **fixture.RESERVATION)
        self.v1 = endpoint.rstrip('/')
        self.root = self.v1.rsplit('/v1', 1)[0]
        self.sessions = {who: self.token_session(who) for who in EVERYONE}
        self.seed()

    # -- identities -------------------------------------------------------

    def role(self, name):
        found = self.identity.find_role(name)
        return found or self.identity.create_role(name=name)

    def make_identities(self):
        tag = uuid.uuid4().hex[:8]
        domain = self.identity.create_domain(name='rbac-%s' % tag)
        self.addCleanup(self.identity.delete_domain, domain)
        self.addCleanup(self.identity.update_domain, domain, enabled=False)
        self.domain = domain
        self.projects = {}
        for name in ('a', 'b', 's'):
            project = self.identity.create_project(
                name='rbac-%s-%s' % (name, tag), domain_id=domain.id)
            self.addCleanup(self.identity.delete_project, project,
                            ignore_missing=True)
            self.projects[name] = project
        roles = {name: self.role(name) for name in
                 ('reader', 'member', 'admin', 'service')}
        self.users = {}
        for who in EVERYONE:
            user = self.identity.create_user(
                name='rbac-%s-%s' % (who, tag), domain_id=domain.id,
                password=self.password)
            self.addCleanup(self.identity.delete_user, user,
                            ignore_missing=True)
            self.users[who] = user
            where, role = where_and_role(who)
            # Assign the implied roles too: the test must not depend on
            # the cloud's role implications.
            for name in IMPLIED[role]:
                if where == 'd':
                    self.identity.assign_domain_role_to_user(
                        domain, user, roles[name])
                elif where == 'sys':
                    self.identity.assign_system_role_to_user(
                        user, roles[name], 'all')
                else:
                    self.identity.assign_project_role_to_user(
                        self.projects[where], user, roles[name])

    def token_session(self, who):
        scope = {}
        where = where_and_role(who)[0]
        if where == 'd':
            scope['domain_id'] = self.domain.id
        elif where == 'sys':
            scope['system_scope'] = 'all'
        else:
            scope['project_id'] = self.projects[where].id
        auth = v3.Password(
            auth_url=self.cloud.admin_env['OS_AUTH_URL'],
            user_id=self.users[who].id, password=self.password, **scope)
        sess = ks_session.Session(auth=auth)
        # A real token of the intended scope, or the test means nothing.
        access = auth.get_access(sess)
        if where == 'd':
            self.assertEqual(self.domain.id, access.domain_id)
        elif where == 'sys':
            self.assertTrue(access.system_scoped)
        else:
            self.assertTrue(access.project_scoped)
        return sess

    # -- requests ----------------------------------------------------------

    def call(self, who, method, path, body=None, headers=None):
        url = (self.root + path if path.startswith(('/grant', '/api'))
               else self.v1 + path)
        kwargs = {'headers': headers or {}, 'raise_exc': False}
        if body is not None:
            kwargs['json'] = body
        return self.sessions[who].request(url, method, **kwargs)

    def row(self, expected, method, path, body=None, headers=None):
        """Call as everyone in ``expected``; compare the whole row. A 5xx
        is never right."""
        actual, texts = {}, {}
        for who in expected:
            resp = self.call(who, method, path,
                             body(who) if callable(body) else body, headers)
            actual[who] = resp.status_code
            texts[who] = resp.text[:200]
        self.assertEqual(expected, actual, '%s %s: %s'
                         % (method, path, {w: texts[w] for w in actual
                                           if actual[w] != expected[w]}))

    @staticmethod
    def but(row, *left_out):
        return {who: status for who, status in row.items()
                if who not in left_out}

    def lease_body(self):
        return {'name': 'rbac-%s' % uuid.uuid4().hex[:8],
                'start_date': future(3), 'end_date': future(4),
                'reservations': [], 'events': []}

    def create_lease(self, who):
        resp = self.call(who, 'POST', '/leases', self.lease_body())
        self.assertEqual(201, resp.status_code, resp.text)
        lease = resp.json()['lease']
        self.addCleanup(self.promise, 'DELETE', '/leases/%s' % lease['id'])
        return lease

    def holds(self):
        with self.db.connect() as conn:
            return conn.execute(sa.text(
                'SELECT COUNT(*) FROM grant_holds WHERE grant_id = :id'),
                {'id': self.grant['id']}).scalar()

    def seed(self):
        """Project A's lease, subscription and grant (with holds)."""
        self.db = self.promise_db()
        self.lease = self.create_lease('a_member')
        # Inserted, not posted: webhook targets the API accepts are not
        # loopback, and tests send nothing off it. It names a lease that
        # never exists, so no event ever matches it.
        self.subscription_id = str(uuid.uuid4())
        with self.db.begin() as conn:
            conn.execute(sa.text(
                'INSERT INTO subscriptions (id, project_id, user_id, '
                'all_projects, event_types, lease_id, url, created_at) '
                'VALUES (:id, :project, :user, :all, :types, :lease, :url, '
                ':now)'), {
                    'id': self.subscription_id,
                    'project': self.projects['a'].id,
                    'user': self.users['a_member'].id, 'all': False,
                    'types': json.dumps(['lease.*']),
                    'lease': str(uuid.uuid4()),
                    'url': 'http://127.0.0.3:9/never',
                    'now': datetime.datetime.utcnow()})
        self.addCleanup(self._delete_subscription)
        self.vnf = 'rbac-vnf-%s' % uuid.uuid4().hex[:8]
        flavor = self.cloud.admin.compute.find_flavor(
            'm1.tiny', ignore_missing=False)
        self.grant_request = requests_.tacker_request(
            'INSTANTIATE', self.vnf, [('VDU1', 1)],
            additional={'flavours': {'VDU1': flavor.id}})
        # Runs last: the grant records of this VNF, once its holds are gone.
        self.addCleanup(self._delete_grants)
        resp = self.call('a_member', 'POST', '/grant/v1/grants',
                         self.grant_request, VERSION)
        self.assertEqual(201, resp.status_code, resp.text)
        self.grant = resp.json()
        self.addCleanup(self.call, 'a_admin', 'POST', '/grant/v1/grants',
                        self.terminate(), VERSION)
        self.assertEqual(1, self.holds())

    def terminate(self):
        return requests_.tacker_request('TERMINATE', self.vnf,
                                        remove=[('VDU1', 'gone')])

    def _delete_grants(self):
        with self.db.begin() as conn:
            for table in ('grant_holds', 'grants'):
                conn.execute(sa.text('DELETE FROM %s WHERE vnf_instance_id '
                                     '= :vnf' % table), {'vnf': self.vnf})

    def _delete_subscription(self):
        with self.db.begin() as conn:
            conn.execute(sa.text('DELETE FROM subscriptions WHERE id = :id'),
                         {'id': self.subscription_id})

    # -- the matrix --------------------------------------------------------

    def test_leases(self):
        lease = '/leases/%s' % self.lease['id']
        readers_of_a = dict(a_reader=200, a_member=200, a_admin=200,
                            b_admin=200)
        self.row(expect(b_reader=200, b_member=200, **readers_of_a),
                 'GET', '/leases')
        self.row(expect(b_reader=404, b_member=404, **readers_of_a),
                 'GET', lease)
        # Names resolve only in the caller's project (all, for admins).
        self.row(expect(b_reader=404, b_member=404, **readers_of_a),
                 'GET', '/leases/%s' % self.lease['name'])
        self.row(expect(a_member=200, a_admin=200, b_admin=200,
                        b_member=404),
                 'PUT', lease, {'name': self.lease['name']})
        # Everyone who must not delete it tries; it is still there.
        self.row(self.but(expect(b_member=404), 'a_member', *ADMINS),
                 'DELETE', lease)
        self.assertEqual(200, self.call('a_reader', 'GET', lease)
                         .status_code)
        writers = dict(a_member=200, a_admin=200, b_member=200, b_admin=200)
        self.row(expect(**writers), 'POST', '/leases/check',
                 self.lease_body())
        created = {}
        for who in EVERYONE:
            resp = self.call(who, 'POST', '/leases', self.lease_body())
            created[who] = resp.status_code
            if resp.status_code == 201:
                self.addCleanup(self.promise, 'DELETE', '/leases/%s'
                                % resp.json()['lease']['id'])
        self.assertEqual(expect(a_member=201, a_admin=201, b_member=201,
                                b_admin=201), created)

        # Lists: A's lease is in A's and in every admin's, never in B's.
        def ids(who, query=''):
            resp = self.call(who, 'GET', '/leases' + query)
            self.assertEqual(200, resp.status_code, resp.text)
            return {lease['id'] for lease in resp.json()['leases']}
        for who in ('a_reader', 'a_member', 'a_admin', 'b_admin'):
            self.assertIn(self.lease['id'], ids(who), who)
        for who in ('b_reader', 'b_member'):
            self.assertNotIn(self.lease['id'], ids(who), who)
            self.assertEqual(403, self.call(
                who, 'GET', '/leases?all_projects=true').status_code)
            self.assertEqual(403, self.call(
                who, 'GET', '/leases?project_id=%s'
                % self.projects['a'].id).status_code)
        self.assertNotIn(self.lease['id'],
                         ids('b_admin', '?all_projects=false'))
        # The 403 of a token without project says what to do, in
        # Blazar's body.
        for who in SCOPED_OUT:
            body = self.call(who, 'GET', '/leases').json()
            self.assertEqual(403, body['error_code'], body)
            self.assertIn('needs a project-scoped token',
                          body['error_message'])

    def test_hosts_and_capacity(self):
        admins = dict(a_admin=200, b_admin=200)
        self.row(expect(**admins), 'GET', '/os-hosts')
        self.row(expect(**admins), 'GET', '/os-hosts/allocations')
        self.row(expect(**admins), 'GET', '/capacity-changes')
        readers = {who: 200 for who in PROJECT_USERS}
        self.row(expect(**readers), 'GET', '/capacity')

    def test_subscriptions(self):
        path = '/subscriptions/%s' % self.subscription_id
        readers_of_a = dict(a_reader=200, a_member=200, a_admin=200,
                            b_admin=200)
        self.row(expect(b_reader=200, b_member=200, **readers_of_a),
                 'GET', '/subscriptions')
        self.row(expect(b_reader=404, b_member=404, **readers_of_a),
                 'GET', path)
        self.row(expect(b_reader=404, b_member=404, **readers_of_a),
                 'GET', path + '/deliveries')
        self.row(self.but(expect(b_member=404), 'a_member', *ADMINS),
                 'DELETE', path)

        def listed(who):
            resp = self.call(who, 'GET', '/subscriptions')
            return {s['id'] for s in resp.json()['subscriptions']}
        for who in ('a_reader', 'a_admin', 'b_admin'):
            self.assertIn(self.subscription_id, listed(who), who)
        for who in ('b_reader', 'b_member'):
            self.assertNotIn(self.subscription_id, listed(who), who)
        # Creating one: refused by policy (403) or past it (a 400 from
        # the webhook target rules for a target that is not global, or
        # 201: the target is loopback, so nothing leaves the machine).
        body = {'event_types': ['lease.*'], 'url': 'http://127.0.0.3:9/'}
        for who in EVERYONE:
            resp = self.call(who, 'POST', '/subscriptions', body)
            if resp.status_code == 201:
                self.addCleanup(self.promise, 'DELETE', '/subscriptions/%s'
                                % resp.json()['subscription']['id'])
            allowed = who in ('a_member', 'a_admin', 'b_member', 'b_admin')
            self.assertEqual(allowed, resp.status_code != 403,
                             '%s: %s %s' % (who, resp.status_code, resp.text))
            self.assertLess(resp.status_code, 500, resp.text)
        self.assertEqual(204, self.call('a_member', 'DELETE', path)
                         .status_code)

    def test_grants(self):
        path = '/grant/v1/grants/%s' % self.grant['id']
        readers_of_a = dict(a_reader=200, a_member=200, a_admin=200,
                            b_admin=200)
        self.row(expect(b_reader=404, b_member=404, service=404,
                        **readers_of_a), 'GET', path, headers=VERSION)
        note = {'id': 'n-%s' % uuid.uuid4().hex[:8],
                'notificationType': 'VnfLcmOperationOccurrenceNotification',
                'notificationStatus': 'RESULT',
                'operationState': 'COMPLETED', 'operation': 'INSTANTIATE',
                'vnfInstanceId': self.vnf,
                'vnfLcmOpOccId': self.grant_request['vnfLcmOpOccId'],
                'isAutomaticInvocation': False}
        # Everyone but A's members and the admins (who may end any
        # project's holds) tells Promise A's operation is over, and asks
        # to TERMINATE A's VNF: the holds stay.
        others = ('a_reader', 'b_reader', 'b_member', 'service') + SCOPED_OUT
        members = dict(b_member=204, service=204)
        self.row({who: members.get(who, 403) for who in others},
                 'POST', '/grant/v1/notifications', note, VERSION)
        self.row({who: members.get(who, 403) for who in others},
                 'GET', '/grant/v1/notifications', headers=VERSION)
        terminate = self.terminate()
        self.row({who: {'b_member': 201, 'service': 201}.get(who, 403)
                  for who in others},
                 'POST', '/grant/v1/grants', terminate, VERSION)
        self.assertEqual(1, self.holds())
        # A's member can.
        self.assertEqual(204, self.call(
            'a_member', 'POST', '/grant/v1/notifications', note,
            VERSION).status_code)
        self.assertEqual(0, self.holds())

    def test_multicloud(self):
        # An empty body passes policy and fails validation (400).
        allowed = dict({who: 400 for who in PROJECT_USERS}, service=400)
        for path in ('/api/multicloud/v1/check_vim_capacity',
                     '/api/multicloud/v0/check_vim_capacity',
                     '/api/multicloud/v1/net_value'):
            self.row(expect(**allowed), 'POST', path, {})
