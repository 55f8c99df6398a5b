"""Query parameters of list requests and whose leases a list shows."""

from oslo_serialization import jsonutils

from promise.api import params
from promise import context
from promise import exceptions
from promise.policies import leases as lease_rules
from promise import policy
from promise.tests.unit import base

SORT_KEYS = ('created_at', 'name')


class TestProjectScope(base.TestCase):

    def setUp(self):
        super().setUp()
        self.member = base.ctx(project_id='p1')
        self.admin = base.ctx(project_id='admin-p',
                              roles=('admin', 'member', 'reader'))

    def scope(self, ctx, query):
        return params.project_scope(ctx, query, lease_rules.ALL_PROJECTS)

    def own(self, project_id):
        return params.Scope(project_id, False)

    def policy_rules(self, rules):
        path = self.create_tempfiles(
            [('policy', jsonutils.dumps(rules))], ext='.json')[0]
        self.flags(group='oslo_policy', policy_file=path)
        policy.reset()

    def test_member_sees_own_project(self):
        self.assertEqual(self.own('p1'), self.scope(self.member, {}))

    def test_member_may_name_own_project(self):
        self.assertEqual(self.own('p1'),
                         self.scope(self.member, {'project_id': 'p1'}))

    def test_member_may_not_name_another_project(self):
        exc = self.assertRaises(exceptions.PolicyNotAuthorized,
                                self.scope, self.member,
                                {'project_id': 'p2'})
        self.assertEqual(403, exc.code)

    def test_member_may_not_ask_for_all_projects(self):
        for value in ('true', 'True', '1', 'yes'):
            self.assertRaises(exceptions.PolicyNotAuthorized,
                              self.scope, self.member,
                              {'all_projects': value})

    def test_member_all_projects_false_is_own_project(self):
        self.assertEqual(self.own('p1'),
                         self.scope(self.member, {'all_projects': 'false'}))

    def test_all_projects_must_be_boolean(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                self.scope, self.admin,
                                {'all_projects': 'sometimes'})
        self.assertEqual(400, exc.code)

    def test_admin_sees_all_projects(self):
        everyone = params.Scope(None, True)
        self.assertEqual(everyone, self.scope(self.admin, {}))
        self.assertEqual(everyone,
                         self.scope(self.admin, {'all_projects': 'true'}))

    def test_admin_may_filter_by_project(self):
        self.assertEqual(self.own('p2'),
                         self.scope(self.admin, {'project_id': 'p2'}))

    def test_admin_all_projects_false_is_own_project(self):
        self.assertEqual(self.own('admin-p'),
                         self.scope(self.admin, {'all_projects': 'false'}))

    def test_all_projects_comes_from_the_rule_not_the_role(self):
        # An operator who gives all projects to a "auditor" role, and
        # takes it from admins: the rule decides, not is_admin.
        self.policy_rules({lease_rules.ALL_PROJECTS: 'role:auditor'})
        auditor = base.ctx(project_id='p3', roles=('auditor', 'reader'))
        self.assertEqual(params.Scope(None, True), self.scope(auditor, {}))
        self.assertEqual(self.own('admin-p'), self.scope(self.admin, {}))

    def test_a_caller_without_project_never_sees_all(self):
        # A domain-scoped admin: no project, the admin role.
        domain_admin = context.RequestContext(
            user_id='u', project_id=None, domain_id='d1',
            roles=['admin', 'member', 'reader'], is_admin=True)
        scope = self.scope(domain_admin, {})
        self.assertEqual(params.Scope(None, False), scope)
        self.assertFalse(scope.all_projects)


class TestListParams(base.TestCase):

    def test_defaults(self):
        page = params.list_params({}, ('status',), SORT_KEYS)
        # No limit asked, none set: the whole list, as Blazar answers.
        self.assertIsNone(page.limit)
        self.assertIsNone(page.marker)
        self.assertEqual('created_at', page.sort_key)
        self.assertEqual('asc', page.sort_dir)
        self.assertEqual({}, page.filters)

    def test_values(self):
        page = params.list_params(
            {'limit': '5', 'marker': 'm', 'sort_key': 'name',
             'sort_dir': 'desc', 'status': 'ACTIVE', 'project_id': 'p'},
            ('status',), SORT_KEYS)
        self.assertEqual((5, 'm', 'name', 'desc', {'status': 'ACTIVE'}),
                         tuple(page))

    def test_limit_bounds(self):
        self.flags(group='api', max_limit=10)
        self.assertEqual(10, params.list_params(
            {'limit': '10'}, (), SORT_KEYS).limit)
        for bad in ('0', '11', '-1', 'x', '1.5', ''):
            exc = self.assertRaises(exceptions.InvalidInput,
                                    params.list_params, {'limit': bad}, (),
                                    SORT_KEYS)
            self.assertIn('1 to 10', exc.message)

    def test_bad_sort(self):
        self.assertRaises(exceptions.InvalidInput, params.list_params,
                          {'sort_key': 'colour'}, (), SORT_KEYS)
        self.assertRaises(exceptions.InvalidInput, params.list_params,
                          {'sort_dir': 'up'}, (), SORT_KEYS)

    def test_unknown_parameter_is_named(self):
        exc = self.assertRaises(exceptions.InvalidInput, params.list_params,
                                {'colour': 'blue', 'status': 'x'},
                                ('status',), SORT_KEYS)
        self.assertIn('colour', exc.message)
        self.assertNotIn('colour,', exc.message)


class TestSharedChecks(base.TestCase):

    def test_only_names_what_is_supported(self):
        exc = self.assertRaises(exceptions.InvalidInput, params.only,
                                {'b': '1', 'a': '2'}, ('c', 'd'))
        self.assertEqual('Unknown query parameter(s): a, b. Supported: '
                         'c, d.', exc.message)
        exc = self.assertRaises(exceptions.InvalidInput, params.only,
                                {'a': '1'}, ())
        self.assertEqual('Unknown query parameter(s): a.', exc.message)

    def test_checked_refuses_a_repeated_parameter(self):
        self.assertRaises(exceptions.InvalidInput, params.checked,
                          {'a': ['1', '2']}, ('a',))
        self.assertEqual({'a': '1'}, params.checked({'a': '1'}, ('a',)))

    def test_limit(self):
        self.flags(default_limit=7, max_limit=10, group='api')
        self.assertEqual(7, params.limit(None))
        self.assertEqual(10, params.limit('10'))
        self.assertEqual(3, params.limit(None, 3))
        self.assertEqual(5, params.limit('5', 3))
        for bad in ('0', '11', 'x'):
            self.assertRaises(exceptions.InvalidInput, params.limit, bad)

    def test_flag_spellings(self):
        self.assertFalse(params.flag(None, 'detail'))
        self.assertTrue(params.flag('Yes', 'detail'))
        self.assertFalse(params.flag('0', 'detail'))
        exc = self.assertRaises(exceptions.InvalidInput, params.flag,
                                'on', 'detail')
        self.assertEqual('detail must be True or False.', exc.message)
        self.assertIsNone(params.flag(None, 'all_projects', default=None,
                                      words=params.OSLO_WORDS))
        self.assertTrue(params.flag(' on ', 'all_projects',
                                    words=params.OSLO_WORDS))
        exc = self.assertRaises(exceptions.InvalidInput, params.flag,
                                'maybe', 'all_projects',
                                words=params.OSLO_WORDS)
        self.assertEqual('all_projects must be true or false.', exc.message)
