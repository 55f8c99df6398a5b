"""Project panel views, with Promise mocked at api/promise.py."""

import datetime
from unittest import mock

from django.urls import reverse
from openstack_dashboard.test import helpers

from promise_dashboard.api import promise
from promise_dashboard.content.capacity import chart
from promise_dashboard.test import helpers as test

INDEX_URL = reverse('horizon:project:promise_capacity:index')
RESERVE_URL = reverse('horizon:project:promise_capacity:reserve')

NOW = datetime.datetime(2030, 3, 4, 10, 17)


def out(value):
    return value.strftime(promise.DATE_OUT)


def capacity(start, end):
    mid = start + datetime.timedelta(days=2)
    return {
        'resource_type': 'physical:host', 'unit': 'hosts',
        'start_date': out(start), 'end_date': out(end),
        'timeline': [
            {'start_date': out(start), 'end_date': out(mid), 'total': 3,
             'reserved': 1, 'used': 0, 'available': 2},
            {'start_date': out(mid), 'end_date': out(end), 'total': 3,
             'reserved': 3, 'used': 1, 'available': 0},
        ],
        'min_available': 0}


def lease(name, start, end, lease_id='0b5c4e9f-8c1e-4a53-9b5e-5a1e8c3d2f10',
          status='PENDING'):
    return {'id': lease_id, 'name': name, 'status': status,
            'degraded': False, 'start_date': out(start),
            'end_date': out(end),
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 2}]}


@mock.patch.object(promise, 'utcnow', lambda: NOW)
class CapacityIndexTests(test.TestCase):

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_draws_timeline_and_leases(self):
        start = datetime.datetime(2030, 3, 4, 10, 0)
        end = start + datetime.timedelta(days=7)
        self.mock_capacity_get.return_value = capacity(start, end)
        self.mock_lease_list.return_value = [
            lease('<b>mine</b>', start + datetime.timedelta(days=1),
                  start + datetime.timedelta(days=3)),
            lease('long-ago', start - datetime.timedelta(days=30),
                  start - datetime.timedelta(days=29),
                  lease_id='11111111-2222-3333-4444-555555555555'),
        ]

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(res, 'project/promise_capacity/index.html')
        self.mock_capacity_get.assert_called_once_with(
            helpers.IsHttpRequest(), 'physical:host', start, end)
        self.mock_lease_list.assert_called_once_with(
            helpers.IsHttpRequest())
        body = res.content.decode()
        self.assertIn('<svg', body)
        self.assertIn('class="promise-capacity-chart"', body)
        # The lease name is escaped inside the SVG and the table.
        self.assertNotIn('<b>mine</b>', body)
        self.assertIn('&lt;b&gt;mine&lt;/b&gt;', body)
        # Leases outside the window are neither drawn nor listed.
        self.assertNotIn('long-ago', body)
        self.assertContains(res, 'Now: 2 of 3 hosts available')
        self.assertContains(res, 'At least 0 hosts are available')
        self.assertEqual(2, len(res.context['steps']))

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_window_from_query(self):
        start = datetime.datetime(2030, 5, 1, 8, 0)
        end = start + datetime.timedelta(days=2)
        self.mock_capacity_get.return_value = capacity(start, end)
        self.mock_lease_list.return_value = []

        res = self.client.get(INDEX_URL, {'start': '2030-05-01 08:00',
                                          'days': '2',
                                          'resource_type': 'physical:host'})

        self.mock_capacity_get.assert_called_once_with(
            helpers.IsHttpRequest(), 'physical:host', start, end)
        self.assertContains(res, 'No lease of this project overlaps')

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_shows_promise_error_for_instances(self):
        # Promise charts instance capacity too; what it can still refuse
        # is the reader (policy), in its Blazar error body.
        self.mock_capacity_get.side_effect = test.api_error(
            403, 'Policy does not allow promise:capacity:get to be '
                 'performed.')
        self.mock_lease_list.return_value = []

        res = self.client.get(INDEX_URL,
                              {'resource_type': 'virtual:instance'})

        self.assertEqual(200, res.status_code)
        self.assertEqual('virtual:instance',
                         self.mock_capacity_get.call_args[0][1])
        self.assertContains(res, 'Promise cannot show this capacity.')
        self.assertContains(
            res, 'Policy does not allow promise:capacity:get to be '
                 'performed.')
        self.assertNotContains(res, '<svg')

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_instances_with_shape(self):
        start = datetime.datetime(2030, 3, 4, 10, 0)
        end = start + datetime.timedelta(days=7)
        answer = capacity(start, end)
        answer.update(resource_type='virtual:instance', unit='instances')
        self.mock_capacity_get.return_value = answer
        self.mock_lease_list.return_value = []

        res = self.client.get(INDEX_URL, {
            'resource_type': 'virtual:instance', 'vcpus': '2',
            'memory_mb': '1024', 'disk_gb': ''})

        self.mock_capacity_get.assert_called_once_with(
            helpers.IsHttpRequest(), 'virtual:instance', start, end,
            vcpus=2, memory_mb=1024)
        self.assertContains(res, 'Now: 2 of 3 instances available')

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_floating_ips(self):
        start = datetime.datetime(2030, 3, 4, 10, 0)
        end = start + datetime.timedelta(days=7)
        answer = capacity(start, end)
        answer.update(resource_type='virtual:floatingip', unit='floatingips')
        self.mock_capacity_get.return_value = answer
        self.mock_lease_list.return_value = []

        # A shape is for instances only: it is not sent.
        res = self.client.get(INDEX_URL, {
            'resource_type': 'virtual:floatingip', 'vcpus': '2'})

        self.mock_capacity_get.assert_called_once_with(
            helpers.IsHttpRequest(), 'virtual:floatingip', start, end)
        self.assertContains(res, 'Now: 2 of 3 floating IPs available')
        self.assertContains(res, 'Floating IPs (virtual:floatingip)')

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_instances_without_shape_count_vcpus(self):
        start = datetime.datetime(2030, 3, 4, 10, 0)
        end = start + datetime.timedelta(days=7)
        per_class = {'total': 8, 'reserved': 2, 'used': 0, 'available': 6}
        self.mock_capacity_get.return_value = {
            'resource_type': 'virtual:instance',
            'start_date': out(start), 'end_date': out(end),
            'timeline': [{'start_date': out(start), 'end_date': out(end),
                          'vcpus': per_class,
                          'memory_mb': dict(per_class, total=4096),
                          'disk_gb': dict(per_class, total=100)}],
            'min_available': {'vcpus': 6, 'memory_mb': 2048,
                              'disk_gb': 90}}
        self.mock_lease_list.return_value = []

        res = self.client.get(INDEX_URL,
                              {'resource_type': 'virtual:instance'})

        self.assertContains(res, 'Now: 6 of 8 vCPUs available')
        self.assertContains(res, 'At least 6 vCPUs are available')
        self.assertContains(res, '<svg')

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_bad_window_falls_back(self):
        start = datetime.datetime(2030, 3, 4, 10, 0)
        end = start + datetime.timedelta(days=7)
        self.mock_capacity_get.return_value = capacity(start, end)
        self.mock_lease_list.return_value = []

        res = self.client.get(INDEX_URL, {'start': 'tomorrow-ish'})

        self.assertContains(res, 'The window was not understood')
        self.mock_capacity_get.assert_called_once_with(
            helpers.IsHttpRequest(), 'physical:host', start, end)

    @helpers.create_mocks({promise: ('capacity_get', 'lease_list')})
    def test_index_lease_list_error_keeps_chart(self):
        start = datetime.datetime(2030, 3, 4, 10, 0)
        self.mock_capacity_get.return_value = capacity(
            start, start + datetime.timedelta(days=7))
        self.mock_lease_list.side_effect = test.api_error(
            503, 'Promise is busy.')

        res = self.client.get(INDEX_URL)

        self.assertContains(res, 'Promise is busy.')
        self.assertContains(res, '<svg')


@mock.patch.object(promise, 'utcnow', lambda: NOW)
class ReserveTests(test.TestCase):

    def request_data(self, **changes):
        data = {'action': 'check', 'name': 'big-run',
                'start_date': '2030-03-05 09:00',
                'end_date': '2030-03-06 09:00', 'min_hosts': '2',
                'max_hosts': '2', 'hypervisor_properties': '',
                'resource_properties': ''}
        data.update(changes)
        return data

    def test_reserve_form_renders(self):
        res = self.client.get(RESERVE_URL)

        self.assertTemplateUsed(res, 'project/promise_capacity/reserve.html')
        self.assertContains(res, 'id="check-offer"')
        self.assertContains(res, 'value="2030-03-04 11:00"')
        self.assertContains(res, 'value="2030-03-05 11:00"')
        self.assertNotContains(res, 'id="commit-requested"')

    @helpers.create_mocks({promise: ('lease_check', 'lease_create')})
    def test_check_feasible_offers_commit(self):
        self.mock_lease_check.return_value = {
            'feasible': True, 'max_reservable': [3],
            'alternatives': [
                {'start_date': '2030-03-05T09:00:00.000000',
                 'end_date': '2030-03-06T09:00:00.000000'},
                {'start_date': '2030-03-07T12:30:00.000000',
                 'end_date': '2030-03-08T12:30:00.000000'}]}

        res = self.client.post(RESERVE_URL, self.request_data(
            hypervisor_properties='["==", "$hypervisor_hostname", "c1"]'))

        self.mock_lease_check.assert_called_once_with(
            helpers.IsHttpRequest(), 'big-run',
            datetime.datetime(2030, 3, 5, 9, 0),
            datetime.datetime(2030, 3, 6, 9, 0),
            [{'resource_type': 'physical:host', 'min': 2, 'max': 2,
              'hypervisor_properties':
                  '["==", "$hypervisor_hostname", "c1"]',
              'resource_properties': ''}])
        self.mock_lease_create.assert_not_called()
        self.assertContains(res, 'id="offer-feasible"')
        self.assertContains(res, 'id="commit-requested"')
        self.assertContains(res, '<strong>3</strong>')
        self.assertContains(res, 'value="2030-03-07 12:30"')
        # The requested window has its own button, not a second one.
        self.assertEqual(1, res.content.decode().count(
            'class="btn btn-default btn-sm commit-alternative"'))
        self.assertContains(res, '<tr class="alternative">', count=1)
        self.assertNotContains(res, 'id="no-alternatives"')
        self.assertNotContains(res, '<td>2030-03-05 09:00</td>')
        # The request travels in hidden inputs, HTML-escaped.
        self.assertContains(
            res, 'name="hypervisor_properties" value="[&quot;==&quot;, '
                 '&quot;$hypervisor_hostname&quot;, &quot;c1&quot;]"')

    @helpers.create_mocks({promise: ('lease_check',)})
    def test_check_without_alternatives_shows_placeholder_only(self):
        # Only the requested window fits: no alternative row, and the
        # placeholder row (which is not a window) says so.
        self.mock_lease_check.return_value = {
            'feasible': True, 'max_reservable': [2],
            'alternatives': [{'start_date': '2030-03-05T09:00:00.000000',
                              'end_date': '2030-03-06T09:00:00.000000'}]}

        res = self.client.post(RESERVE_URL, self.request_data())

        self.assertContains(res, 'id="commit-requested"')
        self.assertNotContains(res, '<tr class="alternative">')
        self.assertNotContains(res, 'commit-alternative')
        self.assertContains(res, 'id="no-alternatives"', count=1)

    @helpers.create_mocks({promise: ('lease_check',)})
    def test_check_infeasible_shows_what_fits(self):
        self.mock_lease_check.return_value = {
            'feasible': False, 'max_reservable': [1],
            'alternatives': [{'start_date': '2030-03-09T00:00:00.000000',
                              'end_date': '2030-03-10T00:00:00.000000'}]}

        res = self.client.post(RESERVE_URL, self.request_data())

        self.assertContains(res, 'id="offer-infeasible"')
        self.assertNotContains(res, 'id="commit-requested"')
        self.assertContains(res, '<strong>1</strong>')
        self.assertContains(res, 'value="2030-03-09 00:00"')

    @helpers.create_mocks({promise: ('lease_check',)})
    def test_check_error_is_shown(self):
        self.mock_lease_check.side_effect = test.api_error(
            400, 'Start date must be later than current date.')

        res = self.client.post(RESERVE_URL, self.request_data())

        self.assertContains(res, 'Start date must be later than current '
                                 'date.')
        self.assertNotContains(res, 'id="commit-requested"')

    @helpers.create_mocks({promise: ('lease_check', 'lease_create')})
    def test_invalid_request_calls_nothing(self):
        res = self.client.post(RESERVE_URL, self.request_data(
            end_date='2030-03-05 08:00', max_hosts='1',
            start_date='2030-03-05 09:00'))

        self.assertContains(res, 'The end must be later than the start.')
        self.assertContains(res, 'cannot be below')
        self.mock_lease_check.assert_not_called()
        self.mock_lease_create.assert_not_called()

    @helpers.create_mocks({promise: ('lease_check',)})
    def test_bad_date_format(self):
        res = self.client.post(RESERVE_URL, self.request_data(
            start_date='05/03/2030'))

        self.assertContains(res, 'is not a date of the form')
        self.mock_lease_check.assert_not_called()

    @helpers.create_mocks({promise: ('lease_check', 'lease_create')})
    def test_commit_creates_and_shows_timeline(self):
        self.mock_lease_create.return_value = lease(
            'big-run', datetime.datetime(2030, 3, 7, 12, 30),
            datetime.datetime(2030, 3, 8, 12, 30))

        res = self.client.post(RESERVE_URL, self.request_data(
            action='commit', start_date='2030-03-07 12:30',
            end_date='2030-03-08 12:30'))

        self.mock_lease_check.assert_not_called()
        self.mock_lease_create.assert_called_once_with(
            helpers.IsHttpRequest(), 'big-run',
            datetime.datetime(2030, 3, 7, 12, 30),
            datetime.datetime(2030, 3, 8, 12, 30),
            [{'resource_type': 'physical:host', 'min': 2, 'max': 2,
              'hypervisor_properties': '', 'resource_properties': ''}])
        self.assertEqual(302, res.status_code)
        self.assertIn(INDEX_URL, res['Location'])
        self.assertIn('lease=0b5c4e9f-8c1e-4a53-9b5e-5a1e8c3d2f10',
                      res['Location'])
        self.assertIn('start=2030-03-04+10%3A00', res['Location'])

    @helpers.create_mocks({promise: ('lease_create',)})
    def test_commit_far_lease_moves_window(self):
        self.mock_lease_create.return_value = lease(
            'later', datetime.datetime(2030, 4, 1, 0, 0),
            datetime.datetime(2030, 4, 2, 0, 0))

        res = self.client.post(RESERVE_URL, self.request_data(
            action='commit', start_date='2030-04-01 00:00',
            end_date='2030-04-02 00:00'))

        self.assertIn('start=2030-03-31+12%3A00', res['Location'])

    @helpers.create_mocks({promise: ('lease_create',)})
    def test_commit_conflict_shows_fresh_offer(self):
        self.mock_lease_create.side_effect = test.api_error(
            409, 'Not enough hosts available: 2 wanted from 2030-03-05 '
                 '09:00 to 2030-03-06 09:00, 1 free that match.',
            max_reservable=[1],
            alternatives=[{'start_date': '2030-03-10T09:00:00.000000',
                           'end_date': '2030-03-11T09:00:00.000000'}])

        res = self.client.post(RESERVE_URL, self.request_data(
            action='commit'))

        self.assertEqual(200, res.status_code)
        self.assertContains(res, 'Not enough hosts available')
        self.assertContains(res, 'id="offer-infeasible"')
        self.assertContains(res, 'value="2030-03-10 09:00"')

    @helpers.create_mocks({promise: ('lease_create',)})
    def test_commit_other_error(self):
        self.mock_lease_create.side_effect = test.api_error(
            403, 'Policy does not allow promise:leases:post to be '
                 'performed.')

        res = self.client.post(RESERVE_URL, self.request_data(
            action='commit'))

        self.assertContains(res, 'Policy does not allow')
        self.assertNotContains(res, 'id="offer-feasible"')


class ChartTests(helpers.TestCase):
    """The SVG itself, without Horizon views."""

    def test_steps_and_lanes(self):
        start = datetime.datetime(2030, 1, 1)
        end = start + datetime.timedelta(days=4)
        steps = [{'start': start, 'end': end, 'total': 4, 'reserved': 1,
                  'available': 3}]
        leases = [{'id': 'a', 'name': 'x & y', 'status': 'ACTIVE',
                   'start': start, 'end': start + datetime.timedelta(days=1),
                   'reservations': []}]
        svg = chart.render(steps, start, end, leases=leases,
                           now=start + datetime.timedelta(hours=5),
                           highlight='a')
        self.assertTrue(svg.startswith('<svg'))
        self.assertTrue(svg.endswith('</svg>'))
        self.assertIn('x &amp; y', svg)
        self.assertIn('data-lease-id="a"', svg)
        self.assertIn('<title>now</title>', svg)
        self.assertIn('total 4, reserved 1, available 3', svg)

    def test_empty_timeline(self):
        start = datetime.datetime(2030, 1, 1)
        svg = chart.render([], start, start + datetime.timedelta(hours=3))
        self.assertIn('No lease of this project in this window', svg)
