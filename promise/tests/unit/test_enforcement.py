"""[enforcement] filters on their own: MaxLeaseDurationFilter's limits
(global, a project's own, exempt projects, none) and the lease body the
external service gets."""

import datetime
import types

from promise import exceptions
from promise.manager import enforcement
from promise.tests.unit import base

HOUR = datetime.timedelta(hours=1)


def lease(hours, project='p1'):
    start = datetime.datetime(2030, 1, 1, 10, 0)
    return types.SimpleNamespace(id='l1', project_id=project,
                                 start_date=start,
                                 end_date=start + hours * HOUR)


class TestMaxLeaseDuration(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='enforcement',
                   enabled_filters=['MaxLeaseDurationFilter'],
                   max_lease_duration=7200,
                   max_lease_duration_per_project={'big': '36000',
                                                   'free': '-1'},
                   max_lease_duration_exempt_project_ids=['exempt'])

    def test_limits(self):
        enforcement.check_create(None, lease(2))
        exc = self.assertRaises(exceptions.EnforcementRefused,
                                enforcement.check_create, None, lease(2.5))
        self.assertEqual(400, exc.code)
        self.assertIn('9000 seconds', exc.message)
        self.assertTrue(exc.message.startswith('MaxLeaseDurationFilter: '))
        enforcement.check_create(None, lease(10, 'big'))
        self.assertRaises(exceptions.EnforcementRefused,
                          enforcement.check_update, None, lease(11, 'big'),
                          None)
        enforcement.check_create(None, lease(1000, 'free'))
        enforcement.check_create(None, lease(1000, 'exempt'))

    def test_no_limit_by_default(self):
        self.flags(group='enforcement', max_lease_duration=-1,
                   max_lease_duration_per_project={})
        enforcement.check_create(None, lease(10000))

    def test_disabled_filters_check_nothing(self):
        self.flags(group='enforcement', enabled_filters=[])
        enforcement.check_create(None, lease(10000))

    def test_only_known_filters(self):
        self.assertRaises(ValueError, self.flags, group='enforcement',
                          enabled_filters=['NoSuchFilter'])
