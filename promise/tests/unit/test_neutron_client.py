"""promise.clients.neutron on a stand-in openstacksdk network proxy: the
checks of a registered address, idempotent creation, and deletion that
only ever touches what a reservation made."""

import types

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
import testtools

from promise.clients import neutron
from promise import exceptions

NET = 'net-1'


def _fip(**fields):
    fields.setdefault('tags', [])
    fields.setdefault('port_id', None)
    fields.setdefault('description', '')
    return types.SimpleNamespace(**fields)


class FakeNetwork:
    """172.24.4.0/24, gateway .1, pool .2-.99; and fd00::/64, pool
    fd00::2-fd00::ff."""

    def __init__(self, external=True):
        self.external = external
        self.fips = []
        self.calls = []
        self.fail = None
        self.port_holds = False

    def get_network(self, network_id):
        if network_id != NET:
            raise sdk_exc.NotFoundException('no network')
        return types.SimpleNamespace(is_router_external=self.external)

    def subnets(self, network_id):
        v4 = types.SimpleNamespace(
            id='v4', cidr='172.24.4.0/24', gateway_ip='172.24.4.1',
            allocation_pools=[{'start': '172.24.4.2', 'end': '172.24.4.99'}])
        v6 = types.SimpleNamespace(
            id='v6', cidr='fd00::/64', gateway_ip=None,
            allocation_pools=[{'start': 'fd00::2', 'end': 'fd00::ff'}])
        return [v4, v6]

    def ips(self, floating_network_id, floating_ip_address):
        if self.fail:
            raise self.fail
        return [f for f in self.fips
                if f.floating_ip_address == floating_ip_address]

    def create_ip(self, **fields):
        self.calls.append(('create', fields['floating_ip_address']))
        if self.port_holds:
            raise sdk_exc.ConflictException('IpAddressAlreadyAllocated')
        fip = _fip(id='fip-%d' % len(self.fips), **fields)
        self.fips.append(fip)
        return fip

    def set_tags(self, fip, tags):
        self.calls.append(('tags', fip.id))
        fip.tags = list(tags)

    def update_ip(self, fip, port_id):
        self.calls.append(('detach', fip.id))
        fip.port_id = port_id

    def delete_ip(self, fip, ignore_missing):
        self.calls.append(('delete', fip.id))
        self.fips.remove(fip)


class TestNeutronClient(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.network = FakeNetwork()
        self.client = neutron.NeutronClient(
            connection=types.SimpleNamespace(network=self.network))

    def test_registrable_addresses(self):
        self.assertEqual('v4', self.client.subnet_for(NET, '172.24.4.100'))
        self.assertEqual('v6', self.client.subnet_for(NET, 'fd00::1:0'))
        for address, reason in (('172.24.4.50', 'allocation pool'),
                                ('fd00::10', 'allocation pool'),
                                ('172.24.4.1', 'gateway'),
                                ('10.0.0.1', 'No subnet'),
                                ('172.24.4.300', 'not an IP address')):
            exc = self.assertRaises(exceptions.InvalidInput,
                                    self.client.subnet_for, NET, address)
            self.assertIn(reason, str(exc))
        exc = self.assertRaises(exceptions.InvalidInput,
                                self.client.subnet_for, 'other', '1.2.3.4')
        self.assertIn('no network other', str(exc))
        self.network.external = False
        exc = self.assertRaises(exceptions.InvalidInput,
                                self.client.subnet_for, NET, '172.24.4.100')
        self.assertIn('not an external network', str(exc))

    def test_create_is_idempotent_and_tags(self):
        first = self.client.create_reserved(NET, 'v4', '172.24.4.100', 'p1',
                                            'r1')
        # A start run again (after a crash) keeps what it made.
        again = self.client.create_reserved(NET, 'v4', '172.24.4.100', 'p1',
                                            'r1')
        self.assertEqual(first, again)
        [fip] = self.network.fips
        self.assertEqual(('p1', ['promise', 'reservation:r1']),
                         (fip.project_id, fip.tags))
        self.assertEqual([('create', '172.24.4.100'), ('tags', first)],
                         self.network.calls)

    def test_made_but_not_yet_tagged_is_still_its_own(self):
        self.network.fips.append(_fip(
            id='half', floating_ip_address='172.24.4.100',
            description='Promise reservation r1'))
        self.assertEqual('half', self.client.create_reserved(
            NET, 'v4', '172.24.4.100', 'p1', 'r1'))
        self.assertEqual([('tags', 'half')], self.network.calls)

    def test_someone_elses_address_is_a_conflict_and_never_deleted(self):
        self.network.fips.append(_fip(id='theirs',
                                      floating_ip_address='172.24.4.100',
                                      port_id='port-x'))
        self.assertRaises(exceptions.Conflict, self.client.create_reserved,
                          NET, 'v4', '172.24.4.100', 'p1', 'r1')
        self.client.delete_reserved(NET, '172.24.4.100', 'r1')
        self.assertEqual([], self.network.calls)
        self.assertEqual(1, len(self.network.fips))

    def test_delete_detaches_first_and_tolerates_nothing(self):
        fip_id = self.client.create_reserved(NET, 'v4', '172.24.4.100', 'p1',
                                             'r1')
        self.network.fips[0].port_id = 'port-1'
        self.network.calls.clear()
        self.client.delete_reserved(NET, '172.24.4.100', 'r1')
        self.assertEqual([('detach', fip_id), ('delete', fip_id)],
                         self.network.calls)
        self.client.delete_reserved(NET, '172.24.4.100', 'r1')
        self.assertEqual(2, len(self.network.calls))

    def test_neutron_failure_is_503_without_its_words(self):
        self.network.fail = sdk_exc.HttpException(
            'secret internal endpoint http://10.1.2.3:9696 exploded')
        exc = self.assertRaises(exceptions.ServiceUnavailable,
                                self.client.find, NET, '172.24.4.100')
        self.assertIn('Neutron cannot be reached', str(exc))
        self.assertNotIn('10.1.2.3', str(exc))

    def test_ipv6_is_asked_in_neutron_s_spelling(self):
        fip_id = self.client.create_reserved(NET, 'v6', 'FD00::0100', 'p1',
                                             'r1')
        self.assertEqual('fd00::100',
                         self.network.fips[0].floating_ip_address)
        self.assertEqual(fip_id, self.client.find(NET, 'fd00:0::100').id)

    def test_address_taken_by_a_port_is_a_conflict(self):
        self.network.port_holds = True
        exc = self.assertRaises(
            exceptions.Conflict, self.client.create_reserved,
            NET, 'v4', '172.24.4.100', 'p1', 'r1')
        self.assertIn('in use by something else', str(exc))
        self.assertNotIn('IpAddressAlreadyAllocated', str(exc))

    def test_tags_users_added_are_kept(self):
        self.network.fips.append(_fip(
            id='half', floating_ip_address='172.24.4.100',
            description='Promise reservation r1', tags=['mine']))
        self.client.create_reserved(NET, 'v4', '172.24.4.100', 'p1', 'r1')
        self.assertEqual(['mine', 'promise', 'reservation:r1'],
                         self.network.fips[0].tags)

    def test_keystone_failure_is_503(self):
        self.network.fail = ks_exc.ConnectFailure('keystone at 10.9.9.9')
        exc = self.assertRaises(exceptions.ServiceUnavailable,
                                self.client.find, NET, '172.24.4.100')
        self.assertNotIn('10.9.9.9', str(exc))
        self.assertIn('10.9.9.9', exc.detail)
