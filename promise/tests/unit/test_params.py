"""Query parameters of list requests and whose leases a list shows."""

from promise.api import params
from promise import exceptions
from promise.tests.unit import base

SORT_KEYS = ('created_at', 'name')


class TestProjectScope(base.TestCase):

    def setUp(self):
        super().setUp()
        self.member = base.ctx(project_id='p1')
        self.admin = base.ctx(project_id='admin-p',
                              roles=('admin', 'member', 'reader'))

    def test_member_sees_own_project(self):
        self.assertEqual('p1', params.project_scope(self.member, {}))

    def test_member_may_name_own_project(self):
        self.assertEqual('p1', params.project_scope(self.member,
                                                    {'project_id': 'p1'}))

    def test_member_may_not_name_another_project(self):
        exc = self.assertRaises(exceptions.PolicyNotAuthorized,
                                params.project_scope, self.member,
                                {'project_id': 'p2'})
        self.assertEqual(403, exc.code)

    def test_member_may_not_ask_for_all_projects(self):
        for value in ('true', 'True', '1', 'yes'):
            self.assertRaises(exceptions.PolicyNotAuthorized,
                              params.project_scope, self.member,
                              {'all_projects': value})

    def test_member_all_projects_false_is_own_project(self):
        self.assertEqual('p1', params.project_scope(
            self.member, {'all_projects': 'false'}))

    def test_all_projects_must_be_boolean(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                params.project_scope, self.admin,
                                {'all_projects': 'sometimes'})
        self.assertEqual(400, exc.code)

    def test_admin_sees_all_projects(self):
        self.assertIsNone(params.project_scope(self.admin, {}))
        self.assertIsNone(params.project_scope(self.admin,
                                               {'all_projects': 'true'}))

    def test_admin_may_filter_by_project(self):
        self.assertEqual('p2', params.project_scope(self.admin,
                                                    {'project_id': 'p2'}))

    def test_admin_all_projects_false_is_own_project(self):
        self.assertEqual('admin-p', params.project_scope(
            self.admin, {'all_projects': 'false'}))


class TestListParams(base.TestCase):

    def test_defaults(self):
        page = params.list_params({}, ('status',), SORT_KEYS)
        self.assertEqual(self.conf.api.default_limit, page.limit)
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
