"""The --reservation and --threshold syntaxes."""

import datetime
import json

import testtools

from promiseclient import exceptions
from promiseclient import parsers

try:
    from blazarclient.v1.shell_commands import leases as blazar_leases
except ImportError:  # pragma: no cover - python-blazarclient is optional
    blazar_leases = None

AND_QUERY = ('["and", [">=", "$vcpus", "8"], '
             '["==", "$hypervisor_type", "QEMU"]]')


class TestParseReservation(testtools.TestCase):

    def test_host_with_defaults(self):
        self.assertEqual(
            {'resource_type': 'physical:host', 'min': 1, 'max': 2,
             'hypervisor_properties': '', 'resource_properties': ''},
            parsers.parse_reservation(
                'resource_type=physical:host,min=1,max=2'))

    def test_order_does_not_matter(self):
        self.assertEqual(
            parsers.parse_reservation(
                'resource_type=physical:host,min=1,max=2'),
            parsers.parse_reservation(
                'max=2,min=1,resource_type=physical:host'))

    def test_json_values_keep_their_commas(self):
        res = parsers.parse_reservation(
            'resource_type=physical:host,min=1,max=1,'
            'hypervisor_properties=%s,resource_properties='
            '["==", "$gpu", "true"]' % AND_QUERY)
        self.assertEqual(AND_QUERY, res['hypervisor_properties'])
        self.assertEqual(['and', ['>=', '$vcpus', '8'],
                          ['==', '$hypervisor_type', 'QEMU']],
                         json.loads(res['hypervisor_properties']))
        self.assertEqual('["==", "$gpu", "true"]',
                         res['resource_properties'])
        self.assertEqual(1, res['min'])

    def test_key_lookalike_inside_quotes_is_value(self):
        value = '["==", "$note", "a,min=5"]'
        res = parsers.parse_reservation(
            'resource_type=physical:host,min=1,max=1,'
            'resource_properties=%s' % value)
        self.assertEqual(value, res['resource_properties'])
        self.assertEqual(1, res['min'])

    def test_escaped_quote_inside_a_string(self):
        value = r'["==", "$note", "say \"hi\", min=2"]'
        res = parsers.parse_reservation(
            'resource_type=physical:host,resource_properties=%s,min=1,'
            'max=1' % value)
        self.assertEqual(value, res['resource_properties'])
        self.assertEqual(['==', '$note', 'say "hi", min=2'],
                         json.loads(res['resource_properties']))
        self.assertEqual((1, 1), (res['min'], res['max']))

    def test_comma_not_before_a_key_is_value(self):
        res = parsers.parse_reservation(
            'resource_type=physical:host,min=1,max=1,'
            'resource_properties=a,b c,before_end=snapshot')
        self.assertEqual('a,b c', res['resource_properties'])
        self.assertEqual('snapshot', res['before_end'])

    def test_empty_values(self):
        res = parsers.parse_reservation(
            'resource_type=physical:host,min=1,max=1,'
            'hypervisor_properties=,resource_properties=')
        self.assertEqual('', res['hypervisor_properties'])
        self.assertEqual('', res['resource_properties'])
        self.assertNotIn('before_end', res)

    def test_spaces_around_pairs(self):
        res = parsers.parse_reservation(
            'resource_type=physical:host, min=1, max = 3')
        self.assertEqual((1, 3), (res['min'], res['max']))

    def test_virtual_instance(self):
        self.assertEqual(
            {'resource_type': 'virtual:instance', 'amount': 2, 'vcpus': 2,
             'memory_mb': 4096, 'disk_gb': 20, 'affinity': 'False',
             'resource_properties': ''},
            parsers.parse_reservation(
                'resource_type=virtual:instance,amount=2,vcpus=2,'
                'memory_mb=4096,disk_gb=20,affinity=False'))

    def test_flavor_instance(self):
        self.assertEqual(
            {'resource_type': 'flavor:instance', 'flavor_id': 'm1.small',
             'amount': 3, 'affinity': 'None'},
            parsers.parse_reservation(
                'resource_type=flavor:instance,flavor_id=m1.small,'
                'amount=3'))

    def test_floatingip_list_value_is_json(self):
        res = parsers.parse_reservation(
            'resource_type=virtual:floatingip,network_id=net-1,amount=2,'
            'required_floatingips=["172.24.4.10","172.24.4.11"]')
        self.assertEqual(['172.24.4.10', '172.24.4.11'],
                         res['required_floatingips'])
        self.assertEqual(2, res['amount'])

    def test_floatingip_bad_list(self):
        self.assertRaises(
            exceptions.CommandError, parsers.parse_reservation,
            'resource_type=virtual:floatingip,required_floatingips=[1')

    def test_unknown_type_passes_pairs_through(self):
        self.assertEqual(
            {'resource_type': 'custom:thing', 'size': 4, 'colour': 'red'},
            parsers.parse_reservation(
                'resource_type=custom:thing,size=4,colour=red'))

    def test_resource_type_required(self):
        exc = self.assertRaises(exceptions.CommandError,
                                parsers.parse_reservation, 'min=1,max=1')
        self.assertIn('resource_type is required', str(exc))

    def test_empty(self):
        self.assertRaises(exceptions.CommandError,
                          parsers.parse_reservation, '')

    def test_unknown_key(self):
        for text in ('resource_type=physical:host,min=1,max=1,mni=2',
                     'mni=2,resource_type=physical:host,min=1,max=1'):
            exc = self.assertRaises(
                exceptions.CommandError, parsers.parse_reservation, text)
            self.assertIn("unknown key 'mni' for physical:host", str(exc))

    def test_duplicate_key(self):
        exc = self.assertRaises(
            exceptions.CommandError, parsers.parse_reservation,
            'resource_type=physical:host,min=1,max=1,min=2')
        self.assertIn('min is given twice', str(exc))

    def test_not_key_value(self):
        self.assertRaises(exceptions.CommandError,
                          parsers.parse_reservation, 'physical:host')


class TestBlazarCompatibility(testtools.TestCase):
    """Where python-blazarclient's `lease create` can parse a value, the
    result is the same."""

    CASES = [
        'resource_type=physical:host,min=1,max=2',
        'resource_type=physical:host,min=1,max=1,hypervisor_properties=,'
        'resource_properties=',
        'resource_type=physical:host,min=1,max=1,hypervisor_properties='
        + AND_QUERY + ',resource_properties=["==", "$gpu", "true"]',
        'resource_type=physical:host,min=2,max=3,before_end=snapshot',
        'resource_type=virtual:instance,amount=2,vcpus=2,memory_mb=4096,'
        'disk_gb=20,affinity=False',
        'resource_type=flavor:instance,flavor_id=abc,amount=1',
        'resource_type=virtual:floatingip,network_id=n,amount=2,'
        'required_floatingips=["1.2.3.4", "1.2.3.5"]',
    ]

    def setUp(self):
        super().setUp()
        if blazar_leases is None:
            self.fail('python-blazarclient must be installed: this test '
                      'checks that both CLI plugins coexist')

    def _blazar(self, text):
        for rtype, keys in blazar_leases.CREATE_RESERVATION_KEYS.items():
            if rtype in text:
                defaults = keys
                break
        cmd = blazar_leases.CreateLeaseBase.__new__(
            blazar_leases.CreateLeaseBase)
        cmd.log = blazar_leases.CreateLeaseBase.log
        return cmd._parse_params(text, defaults, 'bad')

    def test_same_as_blazarclient(self):
        for text in self.CASES:
            self.assertEqual(self._blazar(text),
                             parsers.parse_reservation(text), text)


class TestParseThreshold(testtools.TestCase):

    def test_positional(self):
        self.assertEqual({'metric': 'available', 'op': 'lt', 'value': 5},
                         parsers.parse_threshold('available,lt,5'))

    def test_named(self):
        self.assertEqual({'metric': 'available', 'op': 'ge', 'value': 0},
                         parsers.parse_threshold(
                             'op=ge, metric=available, value=0'))

    def test_errors(self):
        for text in ('available,lt', 'available,lt,5,6', 'available,<,5',
                     'available,lt,five', 'available,lt,-1',
                     'available,lt,1.5', ',lt,5', 'metric=available,op=lt',
                     ''):
            self.assertRaises(exceptions.CommandError,
                              parsers.parse_threshold, text)


class TestDates(testtools.TestCase):

    def test_parse_date(self):
        self.assertEqual('2030-01-02 03:04',
                         parsers.parse_date('2030-01-02 03:04', '--x'))
        self.assertEqual('now', parsers.parse_date('now', '--x', True))
        self.assertRaises(exceptions.CommandError, parsers.parse_date,
                          'now', '--x')
        exc = self.assertRaises(exceptions.CommandError, parsers.parse_date,
                                '2030-01-02', '--end-date')
        self.assertIn('--end-date', str(exc))

    def test_end_after(self):
        self.assertEqual('2030-01-03 03:04',
                         parsers.end_after('2030-01-02 03:04'))
        end = datetime.datetime.strptime(parsers.end_after('now'),
                                         parsers.DATE_FORMAT)
        expected = parsers.utcnow() + datetime.timedelta(hours=24)
        self.assertLess(abs((end - expected).total_seconds()), 120)
