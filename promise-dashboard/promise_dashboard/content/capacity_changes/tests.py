"""Admin panel views, with Promise mocked at api/promise.py."""

import datetime

from django.urls import reverse
from openstack_dashboard.test import helpers

from promise_dashboard.api import promise
from promise_dashboard.test import helpers as test

INDEX_URL = reverse('horizon:admin:promise_capacity_changes:index')
CREATE_URL = reverse('horizon:admin:promise_capacity_changes:create')

HOSTS = [{'id': '1', 'hypervisor_hostname': 'compute1'},
         {'id': '2', 'hypervisor_hostname': 'compute2'}]
CHANGE = {'id': '6f1d1c7e-8a43-4b43-9a3c-1d2b5e6f7a80', 'host_id': '1',
          'type': 'unavailable', 'start_date': '2030-03-05T09:00:00.000000',
          'end_date': '2030-03-06T09:00:00.000000', 'reason': 'new disks',
          'created_at': '2030-03-01 10:00:00', 'updated_at': None}


class CapacityChangesTests(test.BaseAdminViewTests):

    @helpers.create_mocks({promise: ('host_list', 'capacity_change_list')})
    def test_index_lists_changes_with_host_names(self):
        self.mock_host_list.return_value = HOSTS
        self.mock_capacity_change_list.return_value = [
            CHANGE, dict(CHANGE, id='x2', host_id='9', end_date=None,
                         reason=None)]

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(
            res, 'admin/promise_capacity_changes/index.html')
        self.assertEqual(2, len(res.context['table'].data))
        self.assertContains(res, 'compute1')
        self.assertContains(res, '2030-03-05 09:00')
        self.assertContains(res, 'for good')
        self.assertContains(res, 'new disks')
        self.assertContains(res, 'Plan Capacity Change')

    @helpers.create_mocks({promise: ('host_list', 'capacity_change_list')})
    def test_index_error_is_shown(self):
        self.mock_host_list.return_value = HOSTS
        self.mock_capacity_change_list.side_effect = test.api_error(
            403, 'Policy does not allow promise:capacity_changes:get to be '
                 'performed.')

        res = self.client.get(INDEX_URL)

        self.assertEqual(0, len(res.context['table'].data))
        self.assertMessageCount(res, error=1)

    @helpers.create_mocks({promise: ('host_list',)})
    def test_create_form_offers_hosts(self):
        self.mock_host_list.return_value = HOSTS

        res = self.client.get(CREATE_URL)

        self.assertTemplateUsed(
            res, 'admin/promise_capacity_changes/create.html')
        self.assertContains(res, 'compute2 (id 2)')

    @helpers.create_mocks({promise: ('host_list',
                                     'capacity_change_create')})
    def test_create_shows_affected_reservations(self):
        self.mock_host_list.return_value = HOSTS
        self.mock_capacity_change_create.return_value = dict(
            CHANGE, affected_reservations=[
                {'reservation_id': 'r-moved', 'lease_id': 'l1',
                 'old_host_id': '1', 'new_host_id': '2',
                 'outcome': 'moved'},
                {'reservation_id': 'r-short', 'lease_id': 'l2',
                 'old_host_id': '1', 'new_host_id': None,
                 'outcome': 'missing'}])

        res = self.client.post(CREATE_URL, {
            'host_id': '1', 'type': 'unavailable',
            'start_date': '2030-03-05 09:00',
            'end_date': '2030-03-06 09:00', 'reason': 'new disks'})

        self.mock_capacity_change_create.assert_called_once_with(
            helpers.IsHttpRequest(), '1', 'unavailable',
            datetime.datetime(2030, 3, 5, 9, 0),
            end_date=datetime.datetime(2030, 3, 6, 9, 0),
            reason='new disks')
        self.assertContains(res, 'id="affected-reservations"')
        self.assertContains(res, 'r-moved')
        self.assertContains(res, 'moved to compute2')
        self.assertContains(res, 'r-short')
        self.assertContains(res, 'no free host')

    @helpers.create_mocks({promise: ('host_list',
                                     'capacity_change_create')})
    def test_create_error_keeps_form(self):
        self.mock_host_list.return_value = HOSTS
        self.mock_capacity_change_create.side_effect = test.api_error(
            400, 'An "available" change has a start date only: the host '
                 'joins the pool then.')

        res = self.client.post(CREATE_URL, {
            'host_id': '2', 'type': 'available', 'start_date': 'now'})

        self.assertContains(res, 'joins the pool then.')
        self.assertContains(res, 'id="capacity-change-form"')

    @helpers.create_mocks({promise: ('host_list',
                                     'capacity_change_create')})
    def test_create_validates_before_calling(self):
        self.mock_host_list.return_value = HOSTS

        res = self.client.post(CREATE_URL, {
            'host_id': '2', 'type': 'available',
            'start_date': '2030-03-05 09:00',
            'end_date': '2030-03-06 09:00'})

        self.assertContains(res, 'has a start date only')
        self.mock_capacity_change_create.assert_not_called()

    @helpers.create_mocks({promise: ('host_list', 'capacity_change_list',
                                     'capacity_change_delete')})
    def test_cancel_change(self):
        self.mock_host_list.return_value = HOSTS
        self.mock_capacity_change_list.return_value = [CHANGE]
        self.mock_capacity_change_delete.return_value = None

        res = self.client.post(INDEX_URL, {
            'action': 'capacity_changes__cancel__%s' % CHANGE['id']})

        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_capacity_change_delete.assert_called_once_with(
            helpers.IsHttpRequest(), CHANGE['id'])


class CapacityChangesMemberTests(test.TestCase):

    @helpers.create_mocks({promise: ('host_list', 'capacity_change_list',
                                     'capacity_change_create',
                                     'capacity_change_delete')})
    def test_members_cannot_open_admin_panel(self):
        # Horizon's panel permission check refuses a user without the
        # admin role before the view runs: its "not authorized" page with
        # a 403, and Promise is never asked.  (A 500 from a view that ran
        # is not a refusal.)
        for res in (self.client.get(INDEX_URL), self.client.get(CREATE_URL),
                    self.client.post(CREATE_URL, {
                        'host_id': '1', 'type': 'unavailable',
                        'start_date': '2030-03-05 09:00'})):
            self.assertEqual(403, res.status_code)
            self.assertTemplateUsed(res, 'not_authorized.html')
        self.mock_host_list.assert_not_called()
        self.mock_capacity_change_list.assert_not_called()
        self.mock_capacity_change_create.assert_not_called()
        self.mock_capacity_change_delete.assert_not_called()
