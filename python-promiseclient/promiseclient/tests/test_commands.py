"""The cliff commands, on a fake client."""

from unittest import mock

import fixtures
from osc_lib import exceptions as osc_exceptions
import testtools

from promiseclient import exceptions
from promiseclient.osc.v1 import capacity
from promiseclient.osc.v1 import capacity_changes
from promiseclient.osc.v1 import formatting
from promiseclient.osc.v1 import leases
from promiseclient.osc.v1 import subscriptions

T0 = '2030-01-01T00:00:00.000000'
T1 = '2030-01-02T00:00:00.000000'
T2 = '2030-01-03T00:00:00.000000'
CAPACITY = {
    'resource_type': 'physical:host', 'unit': 'hosts',
    'start_date': T0, 'end_date': T2, 'min_available': 2,
    'timeline': [
        {'start_date': T0, 'end_date': T1, 'total': 4, 'reserved': 0,
         'used': 0, 'available': 4},
        {'start_date': T1, 'end_date': T2, 'total': 4, 'reserved': 2,
         'used': 1, 'available': 2},
    ],
}


class CommandTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.logs = self.useFixture(fixtures.FakeLogger())
        self.app = mock.Mock()
        self.client = self.app.client_manager.promise

    def run_cmd(self, cls, argv):
        cmd = cls(self.app, None)
        parsed = cmd.get_parser('openstack').parse_args(argv)
        return cmd.take_action(parsed)


def as_dict(result):
    columns, values = result
    return dict(zip(columns, values))


def human(value):
    return (value.human_readable()
            if isinstance(value, formatting.columns.FormattableColumn)
            else value)


def machine(value):
    return (value.machine_readable()
            if isinstance(value, formatting.columns.FormattableColumn)
            else value)


class TestCapacity(CommandTestCase):

    def test_show(self):
        self.client.get_capacity.return_value = CAPACITY
        data = as_dict(self.run_cmd(capacity.ShowCapacity, [
            '--start-date', '2030-01-01 00:00',
            '--end-date', '2030-01-03 00:00',
            '--hypervisor-properties', '[">=", "$vcpus", "8"]']))
        self.client.get_capacity.assert_called_once_with(
            resource_type=None, start_date='2030-01-01 00:00',
            end_date='2030-01-03 00:00',
            hypervisor_properties='[">=", "$vcpus", "8"]',
            resource_properties=None, vcpus=None, memory_mb=None,
            disk_gb=None)
        self.assertEqual(2, data['min_available'])
        self.assertNotIn('timeline_chart', data)
        self.assertEqual(CAPACITY['timeline'], machine(data['timeline']))
        table = human(data['timeline']).splitlines()
        self.assertEqual(['start_date', 'end_date', 'total', 'reserved',
                          'used', 'available'], table[0].split())
        self.assertEqual(['2030-01-02', '00:00', '2030-01-03', '00:00', '4',
                          '2', '1', '2'], table[3].split())

    def test_first_columns(self):
        self.client.get_capacity.return_value = CAPACITY
        columns, _ = self.run_cmd(capacity.ShowCapacity, [])
        self.assertEqual(('resource_type', 'unit', 'start_date', 'end_date',
                          'min_available', 'timeline'), columns)

    def test_chart(self):
        self.client.get_capacity.return_value = CAPACITY
        data = as_dict(self.run_cmd(capacity.ShowCapacity, [
            '--timeline-chart']))
        lines = human(data['timeline_chart']).splitlines()
        self.assertEqual(2, len(lines))
        self.assertIn('|' + '#' * 40 + '| 4/4', lines[0])
        self.assertIn('|' + '#' * 20 + '.' * 20 + '| 2/4', lines[1])
        self.assertTrue(lines[1].startswith(
            '2030-01-02 00:00 -> 2030-01-03 00:00'))
        self.assertEqual('\n'.join(lines), machine(data['timeline_chart']))

    def test_chart_scales_to_largest_total(self):
        steps = [{'start_date': T0, 'end_date': T1, 'total': 2,
                  'available': 1},
                 {'start_date': T1, 'end_date': T2, 'total': 4,
                  'available': 0}]
        lines = formatting.timeline_chart(steps, width=8).splitlines()
        self.assertIn('|##..    | 1/2', lines[0])
        self.assertIn('|........| 0/4', lines[1])

    def test_instance_breakdown(self):
        steps = [{'start_date': T0, 'end_date': T1,
                  'vcpus': {'total': 8, 'reserved': 2, 'used': 0,
                            'available': 6},
                  'memory_mb': {'total': 4096, 'reserved': 0, 'used': 0,
                                'available': 4096}}]
        table = formatting.TimelineColumn(steps).human_readable()
        self.assertEqual(['start_date', 'end_date', 'vcpus', 'memory_mb'],
                         table.splitlines()[0].split())
        self.assertIn('6/8', table)
        self.assertIn('|###############', formatting.timeline_chart(steps))

    def test_shape_options(self):
        self.client.get_capacity.return_value = CAPACITY
        self.run_cmd(capacity.ShowCapacity, [
            '--resource-type', 'virtual:instance', '--vcpus', '2',
            '--memory-mb', '2048', '--disk-gb', '10'])
        kwargs = self.client.get_capacity.call_args[1]
        self.assertEqual(('virtual:instance', 2, 2048, 10),
                         (kwargs['resource_type'], kwargs['vcpus'],
                          kwargs['memory_mb'], kwargs['disk_gb']))

    def test_floating_ip_capacity(self):
        self.client.get_capacity.return_value = CAPACITY
        query = '["==", "$floating_network_id", "net-1"]'
        self.run_cmd(capacity.ShowCapacity, [
            '--resource-type', 'virtual:floatingip',
            '--resource-properties', query])
        kwargs = self.client.get_capacity.call_args[1]
        self.assertEqual(('virtual:floatingip', query),
                         (kwargs['resource_type'],
                          kwargs['resource_properties']))

    def test_quota_use_is_shown_against_its_limits(self):
        self.client.get_capacity.return_value = dict(CAPACITY, quota={
            'project_id': 'p1', 'limits': {'leases': None, 'hosts': 2},
            'timeline': [{'start_date': T0, 'end_date': T1, 'leases': 1,
                          'hosts': 2}]})
        columns, values = self.run_cmd(capacity.ShowCapacity, [])
        cell = values[columns.index('quota')]
        text = cell.human_readable()
        self.assertIn('project p1', text)
        row = text.splitlines()[-1].split()
        # Unlimited leases as a count, hosts against their limit.
        self.assertEqual(['1', '2/2'], row[-2:])
        self.assertEqual('p1', cell.machine_readable()['project_id'])

    def test_bad_date_is_refused_before_sending(self):
        self.assertRaises(exceptions.CommandError, self.run_cmd,
                          capacity.ShowCapacity, ['--end-date', 'tomorrow'])
        self.assertFalse(self.client.get_capacity.called)


class TestLeaseCheck(CommandTestCase):

    def test_check(self):
        self.client.check_lease.return_value = {
            'feasible': False, 'max_reservable': [1, 0],
            'alternatives': [{'start_date': T1, 'end_date': T2}]}
        data = as_dict(self.run_cmd(leases.CheckLease, [
            'my-lease', '--start-date', '2030-01-01 00:00',
            '--end-date', '2030-01-02 00:00',
            '--reservation', 'resource_type=physical:host,min=2,max=2,'
            'hypervisor_properties=["and", ["==", "$a", "1"], '
            '["==", "$b", "2"]]',
            '--reservation', 'resource_type=physical:host,min=1,max=1']))
        name, start, end, reservations = (
            self.client.check_lease.call_args[0])
        self.assertEqual(('my-lease', '2030-01-01 00:00',
                          '2030-01-02 00:00'), (name, start, end))
        self.assertEqual(
            '["and", ["==", "$a", "1"], ["==", "$b", "2"]]',
            reservations[0]['hypervisor_properties'])
        self.assertEqual(2, len(reservations))
        self.assertIs(False, data['feasible'])
        self.assertEqual('1, 0', human(data['max_reservable']))
        self.assertEqual([1, 0], machine(data['max_reservable']))
        self.assertEqual('2030-01-02 00:00 -> 2030-01-03 00:00',
                         human(data['alternatives']))

    def test_default_end_is_a_day_after_start(self):
        self.client.check_lease.return_value = {
            'feasible': True, 'max_reservable': [3], 'alternatives': []}
        self.run_cmd(leases.CheckLease, [
            'l', '--start-date', '2030-01-01 06:30',
            '--reservation', 'resource_type=physical:host,min=1,max=1'])
        self.assertEqual('2030-01-02 06:30',
                         self.client.check_lease.call_args[0][2])

    def test_reservation_required(self):
        cmd = leases.CheckLease(self.app, None)
        parser = cmd.get_parser('openstack')
        with mock.patch('sys.stderr'):
            self.assertRaises(SystemExit, parser.parse_args, ['l'])


class TestCapacityChanges(CommandTestCase):

    CHANGE = {'id': 'c1', 'host_id': '3', 'type': 'unavailable',
              'start_date': T0, 'end_date': None, 'reason': 'retire',
              'created_at': '2030-01-01 00:00:00', 'updated_at': None}

    def test_create(self):
        self.client.create_capacity_change.return_value = dict(
            self.CHANGE, affected_reservations=[
                {'reservation_id': 'r1', 'lease_id': 'l1',
                 'old_host_id': '3', 'new_host_id': '4',
                 'outcome': 'moved'}])
        columns, values = self.run_cmd(
            capacity_changes.CreateCapacityChange, [
                '--host', 'compute-3', '--type', 'unavailable',
                '--start-date', 'now', '--reason', 'retire'])
        self.client.create_capacity_change.assert_called_once_with(
            'compute-3', 'unavailable', 'now', end_date=None,
            reason='retire')
        self.assertEqual('id', columns[0])
        data = dict(zip(columns, values))
        table = human(data['affected_reservations']).splitlines()
        self.assertEqual(['reservation_id', 'lease_id', 'old_host_id',
                          'new_host_id', 'outcome'], table[0].split())
        self.assertEqual(['r1', 'l1', '3', '4', 'moved'], table[2].split())

    def test_create_type_checked(self):
        cmd = capacity_changes.CreateCapacityChange(self.app, None)
        with mock.patch('sys.stderr'):
            self.assertRaises(SystemExit, cmd.get_parser('x').parse_args,
                              ['--host', '1', '--type', 'gone',
                               '--start-date', 'now'])

    def test_list(self):
        self.client.list_capacity_changes.return_value = [self.CHANGE]
        columns, rows = self.run_cmd(capacity_changes.ListCapacityChanges,
                                     ['--host', '3'])
        self.client.list_capacity_changes.assert_called_once_with(
            host_id='3')
        self.assertEqual(capacity_changes.LIST_COLUMNS, columns)
        self.assertEqual([('c1', '3', 'unavailable', T0, None, 'retire')],
                         list(rows))

    def test_show(self):
        self.client.get_capacity_change.return_value = self.CHANGE
        data = as_dict(self.run_cmd(capacity_changes.ShowCapacityChange,
                                    ['c1']))
        self.assertEqual('retire', data['reason'])

    def test_delete_goes_on_past_failures(self):
        self.client.delete_capacity_change.side_effect = [
            None, exceptions.NotFound(404, 'not found'), None]
        exc = self.assertRaises(
            osc_exceptions.CommandError, self.run_cmd,
            capacity_changes.DeleteCapacityChange, ['a', 'b', 'c'])
        self.assertEqual(3, self.client.delete_capacity_change.call_count)
        self.assertIn('1 of 3', str(exc))
        self.assertIn('Failed to delete capacity change b: not found',
                      self.logs.output)


class TestSubscriptions(CommandTestCase):

    SUB = {'id': 's1', 'event_types': ['lease.*', 'capacity.change'],
           'lease_id': None, 'resource_type': None,
           'threshold': {'metric': 'available', 'op': 'lt', 'value': 2},
           'url': 'https://hook.test/', 'all_projects': False,
           'project_id': 'p', 'user_id': 'u', 'created_at': 'x',
           'updated_at': None}

    def test_create(self):
        self.client.create_subscription.return_value = self.SUB
        data = as_dict(self.run_cmd(subscriptions.CreateSubscription, [
            '--event-type', 'lease.*', '--event-type', 'capacity.change',
            '--threshold', 'available,lt,2', '--url', 'https://hook.test/',
            '--secret', 'k']))
        self.client.create_subscription.assert_called_once_with(
            ['lease.*', 'capacity.change'], 'https://hook.test/',
            lease_id=None, resource_type=None,
            threshold={'metric': 'available', 'op': 'lt', 'value': 2},
            secret='k', all_projects=None)
        self.assertFalse(self.client.get_lease.called)
        self.assertEqual('lease.*, capacity.change',
                         human(data['event_types']))
        self.assertEqual(['lease.*', 'capacity.change'],
                         machine(data['event_types']))
        self.assertEqual('metric=available, op=lt, value=2',
                         human(data['threshold']))

    def test_create_resolves_a_lease_name(self):
        self.client.get_lease.return_value = {
            'id': '11111111-2222-3333-4444-555555555555'}
        self.client.create_subscription.return_value = self.SUB
        self.run_cmd(subscriptions.CreateSubscription, [
            '--event-type', 'lease.*', '--lease', 'my-lease',
            '--url', 'http://h/'])
        self.client.get_lease.assert_called_once_with('my-lease')
        self.assertEqual('11111111-2222-3333-4444-555555555555',
                         self.client.create_subscription.call_args[1][
                             'lease_id'])

    def test_create_keeps_a_lease_id(self):
        self.client.create_subscription.return_value = self.SUB
        self.run_cmd(subscriptions.CreateSubscription, [
            '--event-type', 'lease.*', '--lease',
            '11111111-2222-3333-4444-555555555555', '--url', 'http://h/'])
        self.assertFalse(self.client.get_lease.called)

    def test_bad_threshold(self):
        self.assertRaises(exceptions.CommandError, self.run_cmd,
                          subscriptions.CreateSubscription, [
                              '--event-type', 'capacity.change',
                              '--threshold', 'available<5',
                              '--url', 'http://h/'])
        self.assertFalse(self.client.create_subscription.called)

    def test_a_secret_promise_made_is_shown_at_create(self):
        self.client.create_subscription.return_value = dict(
            self.SUB, secret='whsec_made')
        data = as_dict(self.run_cmd(subscriptions.CreateSubscription, [
            '--event-type', 'lease.*', '--url', 'https://h/']))
        self.assertEqual('whsec_made', data['secret'])

    def test_a_secret_the_caller_gave_is_not_echoed(self):
        self.client.create_subscription.return_value = dict(self.SUB,
                                                            secret='k')
        data = as_dict(self.run_cmd(subscriptions.CreateSubscription, [
            '--event-type', 'lease.*', '--url', 'https://h/',
            '--secret', 'k']))
        self.assertEqual('******', data['secret'])

    def test_secret_is_never_shown(self):
        self.client.get_subscription.return_value = dict(self.SUB,
                                                         secret='k')
        data = as_dict(self.run_cmd(subscriptions.ShowSubscription,
                                    ['s1']))
        self.assertEqual('******', data['secret'])

    def test_list(self):
        self.client.list_subscriptions.return_value = [self.SUB]
        columns, rows = self.run_cmd(subscriptions.ListSubscriptions, [])
        rows = list(rows)
        self.assertEqual(subscriptions.LIST_COLUMNS, columns)
        self.assertEqual('s1', rows[0][0])
        self.assertEqual(['lease.*', 'capacity.change'],
                         machine(rows[0][1]))

    def test_delete(self):
        self.run_cmd(subscriptions.DeleteSubscription, ['s1', 's2'])
        self.assertEqual([mock.call('s1'), mock.call('s2')],
                         self.client.delete_subscription.call_args_list)

    def test_deliveries(self):
        self.client.list_deliveries.return_value = [
            {'id': 'd1', 'subscription_id': 's1', 'event_type': 'lease.create',
             'status': 'failed', 'attempts': 5, 'response_code': 500,
             'error': 'HTTP 500', 'next_attempt_at': None,
             'delivered_at': None, 'created_at': T0, 'updated_at': T1}]
        columns, rows = self.run_cmd(subscriptions.ListDeliveries,
                                     ['s1', '--status', 'failed'])
        self.client.list_deliveries.assert_called_once_with(
            's1', status='failed', limit=None)
        self.assertEqual(subscriptions.DELIVERY_COLUMNS, columns)
        self.assertEqual(('d1', 'lease.create', 'failed', 5, 500,
                          'HTTP 500', None, None, T0), list(rows)[0])
        columns, _ = self.run_cmd(subscriptions.ListDeliveries,
                                  ['s1', '--long'])
        self.assertEqual(('subscription_id', 'updated_at'), columns[-2:])
