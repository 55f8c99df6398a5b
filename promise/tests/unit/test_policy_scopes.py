"""Secure RBAC: every rule against a caller of every token scope.

Personas as Keystone makes them (admin implies member implies reader):
project reader/member/admin of project A, a service user of project S,
a project user without roles, domain-scoped reader/member/admin and
system-scoped reader/admin (no project). Targets: a row of A, of B, of S
and a target without project. Expected answers come from EXPECTED, which
must name every rule, so a new rule cannot slip in untested.
"""

from keystoneauth1 import fixture as ks_fixture
from keystonemiddleware import fixture as ksm_fixture
from oslo_policy import policy as oslo_policy
from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from promise.api.middleware import context as context_mw
from promise import context
from promise.db import api as db
from promise.db import models
from promise import exceptions
from promise.manager import grants as grant_manager
from promise import policies
from promise import policy
from promise.tests.unit import base
from promise.tests.unit import test_grants_api
from promise.tests.unit import test_multicloud

A, B, S = 'project-a', 'project-b', 'service-project'
IMPLIED = {'admin': ['admin', 'member', 'reader'],
           'member': ['member', 'reader'], 'reader': ['reader'],
           'service': ['service'], 'none': []}


def persona(scope, role):
    kwargs = {'user_id': '%s-%s' % (scope, role),
              'roles': list(IMPLIED[role])}
    if scope == 'project':
        kwargs['project_id'] = S if role == 'service' else A
    elif scope == 'domain':
        kwargs['domain_id'] = 'default'
    else:
        kwargs['system_scope'] = 'all'
    ctx = context.RequestContext(**kwargs)
    ctx.is_admin = policy.check(ctx, 'admin', {})
    return ctx


PERSONAS = {
    'project-reader': ('project', 'reader'),
    'project-member': ('project', 'member'),
    'project-admin': ('project', 'admin'),
    'service': ('project', 'service'),
    'no-roles': ('project', 'none'),
    'domain-reader': ('domain', 'reader'),
    'domain-member': ('domain', 'member'),
    'domain-admin': ('domain', 'admin'),
    'system-reader': ('system', 'reader'),
    'system-admin': ('system', 'admin'),
}
TARGETS = (A, B, S, None)

# Who each kind of rule admits, as (persona, target project) pairs; a
# project admin is admitted on every target, except by the base rules
# (the personas alone), where it counts as a member of its project.
READ = {('project-reader', A), ('project-member', A), ('project-admin', A)}
WRITE = {('project-member', A), ('project-admin', A)}
BASE = ('project_reader', 'project_member', 'service', 'project_reader_api',
        'project_member_api')
SERVICE = {('service', S)}
# Blazar's pre-RBAC rule: anyone of the target's project, whatever role.
OWNER = READ | SERVICE | {('no-roles', A)}
KINDS = {'admin': set(), 'read': READ, 'write': WRITE,
         'read+service': READ | SERVICE, 'write+service': WRITE | SERVICE,
         'service': SERVICE, 'owner': OWNER}
EXPECTED = {
    'admin': 'admin',
    'project_reader': 'read',
    'project_member': 'write',
    'service': 'service',
    'admin_or_owner': 'owner',
    'project_reader_api': 'read',
    'project_member_api': 'write',
    'project_reader_or_admin': 'read',
    'project_member_or_admin': 'write',
    'promise:leases:get': 'read',
    'promise:leases:post': 'write',
    'promise:leases:check': 'write',
    'promise:leases:put': 'write',
    'promise:leases:delete': 'write',
    'promise:leases:get:all_projects': 'admin',
    'promise:floatingips:get': 'read',
    'promise:floatingips:post': 'admin',
    'promise:floatingips:delete': 'admin',
    'promise:oshosts:get': 'admin',
    'promise:oshosts:post': 'admin',
    'promise:oshosts:put': 'admin',
    'promise:oshosts:delete': 'admin',
    'promise:oshosts:get_allocations': 'admin',
    'promise:oshosts:get_resource_properties': 'admin',
    'promise:oshosts:patch_resource_properties': 'admin',
    'promise:capacity:get': 'read',
    'promise:capacity_changes:get': 'admin',
    'promise:capacity_changes:post': 'admin',
    'promise:capacity_changes:delete': 'admin',
    'promise:subscriptions:get': 'read',
    'promise:subscriptions:get:all_projects': 'admin',
    'promise:subscriptions:post': 'write',
    'promise:subscriptions:all_projects': 'admin',
    'promise:subscriptions:delete': 'write',
    'promise:multicloud:check': 'read+service',
    'promise:grants:create': 'write+service',
    'promise:grants:get': 'read+service',
    'promise:grants:notify': 'write+service',
}


def expected(rule, who, target):
    if who == 'project-admin' and rule not in BASE:
        return True
    return (who, target) in KINDS[EXPECTED[rule]]


class TestEveryRuleEveryScope(base.TestCase):

    def setUp(self):
        super().setUp()
        self.personas = {name: persona(*spec)
                         for name, spec in PERSONAS.items()}

    def test_every_rule_is_in_the_table_and_project_scoped(self):
        rules = list(policies.list_rules())
        self.assertEqual(sorted(EXPECTED), sorted(r.name for r in rules))
        for rule in rules:
            self.assertEqual(['project'], rule.scope_types, rule.name)

    def test_matrix(self):
        wrong = []
        for rule in EXPECTED:
            for who, ctx in sorted(self.personas.items()):
                for target in TARGETS:
                    want = expected(rule, who, target)
                    got = bool(policy.check(ctx, rule,
                                            {'project_id': target}))
                    if got != want:
                        wrong.append((rule, who, target, got))
        self.assertEqual([], wrong)
        # The table is not vacuous: each kind admits someone who is not
        # an admin, except the admin-only rules.
        self.assertTrue(all(KINDS[k] for k in KINDS if k != 'admin'))

    def test_domain_and_system_tokens_get_a_403_that_says_why(self):
        for who in ('domain-reader', 'domain-member', 'domain-admin',
                    'system-reader', 'system-admin'):
            ctx = self.personas[who]
            self.assertFalse(ctx.is_admin, who)
            for rule in EXPECTED:
                exc = self.assertRaises(
                    exceptions.PolicyNotAuthorized, policy.authorize, ctx,
                    rule, {'project_id': ctx.project_id})
                self.assertEqual(403, exc.code)
                self.assertIn('needs a project-scoped token', exc.message)
                self.assertIn(who.split('-')[0], exc.message)

    def test_only_a_project_admin_is_admin(self):
        admins = sorted(n for n, c in self.personas.items() if c.is_admin)
        self.assertEqual(['project-admin'], admins)

    def test_oslo_policy_refuses_other_scopes_by_itself(self):
        # Under promise.policy's own refusal, the rules' scope_types make
        # oslo.policy refuse a domain admin's role:admin too.
        enforcer = policy.get_enforcer()
        ctx = self.personas['domain-admin']
        self.assertRaises(oslo_policy.InvalidScope, enforcer.authorize,
                          'admin', {}, ctx, do_raise=True)
        self.assertTrue(enforcer.authorize(
            'admin', {}, self.personas['project-admin'], do_raise=True))


class TestNoProjectNeverMatchesNoProject(base.TestCase):
    """``project_id:%(project_id)s`` compares str() of both sides, so in
    bare oslo.policy None matches None. Promise takes None out of the
    credentials and out of the target; each is tested on its own."""

    CHECK = 'project_id:%(project_id)s'

    def setUp(self):
        super().setUp()
        # A policy file that trusts the project match alone (no role).
        path = self.create_tempfiles(
            [('policy', jsonutils.dumps({'promise:leases:get':
                                         self.CHECK}))], ext='.json')[0]
        self.flags(group='oslo_policy', policy_file=path)
        policy.reset()
        self.enforcer = policy.get_enforcer()
        self.enforcer.load_rules()

    def test_bare_oslo_policy_matches_none_with_none(self):
        # What the protections below are for; if oslo.policy ever stops
        # doing this, they are still harmless.
        self.assertTrue(self.enforcer.enforce(
            'promise:leases:get', {'project_id': None}, {'project_id': None}))

    def test_credentials_without_project_match_nothing(self):
        ctx = context.RequestContext(user_id='u', project_id=None,
                                     roles=['reader'])
        self.assertNotIn('project_id', ctx.to_policy_values())
        self.assertFalse(self.enforcer.enforce(
            'promise:leases:get', {'project_id': None}, ctx))

    def test_target_without_project_matches_nothing(self):
        self.assertEqual({'user_id': 'u'},
                         policy._target({'project_id': None, 'user_id': 'u'}))
        self.assertFalse(self.enforcer.enforce(
            'promise:leases:get', policy._target({'project_id': None}),
            {'project_id': None}))

    def test_no_rule_matches_none_with_none(self):
        # Every rule rewritten to the bare project match, evaluated by
        # oslo.policy itself (past promise.policy's own refusal): a caller
        # without a project matches no target, with or without one.
        path = self.create_tempfiles(
            [('every', jsonutils.dumps({name: self.CHECK
                                        for name in EXPECTED}))],
            ext='.json')[0]
        self.flags(group='oslo_policy', policy_file=path)
        policy.reset()
        enforcer = policy.get_enforcer()
        ctx = context.RequestContext(user_id='u', project_id=None,
                                     roles=['admin', 'member', 'reader'])
        for name in EXPECTED:
            for target in ({'project_id': None}, {}, {'project_id': A}):
                self.assertFalse(enforcer.enforce(
                    name, policy._target(target), ctx), (name, target))
        # The rewrite took effect: a project still matches its own.
        self.assertTrue(enforcer.enforce(
            'promise:oshosts:get', {'project_id': A},
            context.RequestContext(user_id='u', project_id=A)))

    def test_the_wrapper_refuses_a_caller_without_project(self):
        ctx = context.RequestContext(user_id='u', project_id=None,
                                     roles=['reader'])
        self.assertFalse(policy.check(ctx, 'promise:leases:get',
                                      {'project_id': None}))
        self.assertRaises(exceptions.PolicyNotAuthorized, policy.authorize,
                          ctx, 'promise:leases:get', {'project_id': None})

    def test_a_project_still_matches_its_own(self):
        ctx = context.RequestContext(user_id='u', project_id=A,
                                     roles=['reader'])
        self.assertTrue(policy.check(ctx, 'promise:leases:get',
                                     {'project_id': A}))
        self.assertFalse(policy.check(ctx, 'promise:leases:get',
                                      {'project_id': B}))


class TestScopeDefaults(base.TestCase):

    def test_new_defaults_are_on(self):
        self.assertTrue(self.conf.oslo_policy.enforce_new_defaults)
        if 'enforce_scope' in self.conf.oslo_policy:
            self.assertTrue(self.conf.oslo_policy.enforce_scope)


class TestKeystoneScopes(base.TestCase):
    """keystone mode in process (keystonemiddleware's token fixture): a
    domain- or system-scoped token gets 403 wherever project data lives,
    never another project's rows and never a 500."""

    def setUp(self):
        super().setUp()
        self.flags(auth_strategy='keystone')
        self.flags(group='keystone_authtoken',
                   www_authenticate_uri='http://keystone.invalid/identity')
        self.tokens = self.useFixture(ksm_fixture.AuthTokenFixture())
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app

    def token(self, scope, role):
        token = ks_fixture.V3Token(user_id='u-%s-%s' % (scope, role),
                                   user_domain_id='default')
        if scope == 'project':
            token.set_project_scope(id=A, name='a', domain_id='default')
        elif scope == 'domain':
            token.set_domain_scope(id='default', name='Default')
        else:
            token.set_system_scope()
        for name in IMPLIED[role]:
            token.add_role(name=name)
        return self.tokens.add_token(token)

    def call(self, token, method, path, body=None, headers=None):
        req = webob.Request.blank(path, method=method, headers=dict(
            {'X-Auth-Token': token, 'Accept': 'application/json'},
            **(headers or {})))
        if body is not None:
            req.content_type = 'application/json'
            req.body = jsonutils.dump_as_bytes(body)
        return req.get_response(self.app)

    def test_context_knows_the_scope(self):
        seen = {}

        def app(environ, start_response):
            seen['ctx'] = environ[context_mw.ENV_KEY]
            start_response('204 No Content', [])
            return []

        middleware = context_mw.KeystoneContext(app)
        for headers, admin in (
                ({'X-Project-Id': A, 'X-Roles': 'admin,member,reader'}, True),
                ({'X-Domain-Id': 'default', 'X-Roles': 'admin'}, False),
                ({'OpenStack-System-Scope': 'all', 'X-Roles': 'admin'},
                 False)):
            webob.Request.blank('/', headers=headers).get_response(
                middleware)
            self.assertEqual(admin, seen['ctx'].is_admin, headers)

    def test_every_door_refuses_domain_and_system_tokens(self):
        lease = {'name': 'x', 'start_date': 'now',
                 'end_date': '2099-01-01 00:00', 'reservations': []}
        version = {'Version': '1.4.0'}
        calls = [('GET', '/v1/leases', None, None),
                 ('GET', '/v1/leases/some-name', None, None),
                 ('POST', '/v1/leases', lease, None),
                 ('POST', '/v1/leases/check', lease, None),
                 ('GET', '/v1/subscriptions', None, None),
                 ('POST', '/v1/subscriptions',
                  {'url': 'http://127.0.0.1:9/', 'event_types': ['lease.*']},
                  None),
                 ('GET', '/v1/os-hosts', None, None),
                 ('GET', '/v1/capacity', None, None),
                 ('GET', '/v1/capacity-changes', None, None),
                 ('GET', '/grant/v1/notifications', None, version),
                 ('POST', '/grant/v1/notifications',
                  {'id': 'n', 'notificationType':
                   'VnfLcmOperationOccurrenceNotification',
                   'notificationStatus': 'RESULT',
                   'operationState': 'COMPLETED', 'operation': 'TERMINATE',
                   'vnfInstanceId': 'v', 'vnfLcmOpOccId': 'o',
                   'isAutomaticInvocation': False}, version),
                 ('POST', '/api/multicloud/v1/net_value', {}, None)]
        wrong = []
        for scope in ('domain', 'system'):
            for role in ('reader', 'member', 'admin'):
                token = self.token(scope, role)
                for method, path, body, headers in calls:
                    resp = self.call(token, method, path, body, headers)
                    if resp.status_int != 403:
                        wrong.append((scope, role, method, path,
                                      resp.status_int))
        self.assertEqual([], wrong)

    def test_project_tokens_still_work(self):
        admin = self.token('project', 'admin')
        reader = self.token('project', 'reader')
        self.assertEqual(200, self.call(admin, 'GET', '/v1/os-hosts')
                         .status_int)
        self.assertEqual(200, self.call(reader, 'GET', '/v1/leases')
                         .status_int)
        self.assertEqual(403, self.call(reader, 'GET', '/v1/os-hosts')
                         .status_int)


class TestGrantHoldsNeedAProject(base.TestCase):
    """The manager's second lock: a caller without a project (the API
    refuses one first) ends no project's holds, and is never read as an
    admin's "every project"."""

    def setUp(self):
        super().setUp()
        self.flags(group='net_value', flavor_shapes={'m1.small': '2/2048/10'})
        self.flags(group='nfv', vdu_flavors={'VDU1': 'm1.small'},
                   vim_connection_id='vim-1')
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app
        test_multicloud.add_hosts()
        self.request = test_grants_api.tacker_request(
            'INSTANTIATE', 'vnf-1', [('VDU1', 2)])
        req = webob.Request.blank(
            '/grant/v1/grants', method='POST',
            headers={'X-Project-Id': A, 'X-User-Id': 'u',
                     'X-Roles': 'member', 'Version': '1.4.0'})
        req.content_type = 'application/json'
        req.body = jsonutils.dump_as_bytes(self.request)
        self.assertEqual(201, req.get_response(self.app).status_int)
        self.manager = grant_manager.GrantManager(nova=object())

    def holds(self):
        with db.reader() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(
                models.GrantHold))

    def test_domain_member_ends_no_holds(self):
        domain_member = persona('domain', 'member')
        self.assertEqual(0, self.manager.end_operation(
            domain_member, self.request['vnfLcmOpOccId'], 'COMPLETED'))
        terminate = test_grants_api.tacker_request('TERMINATE', 'vnf-1')
        with db.writer() as session:
            self.manager._release_for(session, domain_member, terminate)
        self.assertEqual(2, self.holds())

    def test_other_project_ends_no_holds_and_admin_any(self):
        other = context.RequestContext(project_id=B, roles=['member'])
        self.assertEqual(0, self.manager.end_operation(
            other, self.request['vnfLcmOpOccId'], 'COMPLETED'))
        self.assertEqual(2, self.holds())
        admin = persona('project', 'admin')
        self.assertTrue(admin.is_admin)
        self.assertEqual(2, self.manager.end_operation(
            admin, self.request['vnfLcmOpOccId'], 'COMPLETED'))
        self.assertEqual(0, self.holds())
