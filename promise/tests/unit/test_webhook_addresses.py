"""Where webhooks may go: every special-purpose address of both families is
refused, the allow list opens only what it names, the deny list wins, and
the resolver reads every IPv4 spelling as the address it is."""

from promise.notifications import addresses
from promise.tests.unit import base

REFUSED = [
    # "this host", loopback, private, shared, link-local (metadata)
    '0.0.0.0', '0.1.2.3', '127.0.0.1', '127.255.255.254', '10.0.0.1',
    '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1',
    '100.127.255.255', '169.254.169.254',
    # IETF protocol assignments, documentation, benchmarking, 6to4 relay
    '192.0.0.8', '192.0.0.170', '192.0.2.1', '198.51.100.7',
    '203.0.113.9', '198.18.0.1', '198.19.255.255', '192.88.99.1',
    # multicast, reserved, broadcast
    '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    # IPv6: unspecified, loopback, IPv4-compatible, mapped, discard,
    # unique-local, link-local, site-local, multicast, documentation,
    # ORCHIDv2, Teredo, benchmarking, SRv6, local NAT64
    '::', '::1', '::7f00:1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '::ffff:169.254.169.254', '::ffff:0.0.0.0', '100::1', 'fc00::1',
    'fd12:3456::1', 'fe80::1', 'fe80::1%lo', 'fec0::1', 'ff02::1',
    'ff0e::1', '2001:db8::1', '3fff::1', '2001:20::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:2::1', '5f00::1',
    '64:ff9b:1::a00:1',
    # IPv6 embedding a private IPv4 address: 6to4, NAT64
    '2002:7f00:1::1', '2002:a00:1::1', '2002:a9fe:a9fe::1',
    '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::a00:1',
    # outside 2000::/3, not allocated
    '4000::1', 'e000::1',
]
GLOBAL = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700::1111',
          '2a00:1450:4001::200e', '64:ff9b::808:808', '2002:808:808::1',
          '::ffff:8.8.8.8']


class TestClassification(base.TestCase):

    def test_every_special_purpose_address_is_refused(self):
        for address in REFUSED:
            self.assertIsNotNone(addresses.refused(address), address)

    def test_global_addresses_pass(self):
        for address in GLOBAL:
            self.assertIsNone(addresses.refused(address), address)

    def test_not_an_address(self):
        self.assertEqual('not an IP address',
                         addresses.refused('hooks.example.com'))

    def test_the_allow_list_opens_only_what_it_names(self):
        allowed = ['127.0.0.2/32']
        self.assertIsNone(addresses.refused('127.0.0.2', allowed))
        self.assertIsNone(addresses.refused('::ffff:127.0.0.2', allowed))
        self.assertIsNotNone(addresses.refused('127.0.0.1', allowed))
        self.assertIsNotNone(addresses.refused('::1', allowed))

    def test_never_everything_nor_this_host(self):
        for allowed in (['0.0.0.0/0'], ['::/0'], ['0.0.0.0/0', '::/0']):
            self.assertIsNotNone(addresses.refused('10.0.0.1', allowed))
            self.assertIsNotNone(addresses.refused('::1', allowed))
        for address, nets in (('0.0.0.0', ['0.0.0.0/8']),
                              ('::', ['::/128']),
                              ('::ffff:0.0.0.0', ['0.0.0.0/8'])):
            self.assertEqual('an unspecified address',
                             addresses.refused(address, nets), address)

    def test_the_deny_list_wins(self):
        self.assertEqual('in webhook_denied_networks', addresses.refused(
            '127.0.0.2', ['127.0.0.2/32'], ['127.0.0.0/8']))
        self.assertEqual('in webhook_denied_networks', addresses.refused(
            '8.8.8.8', (), ['8.8.0.0/16']))
        self.assertEqual('in webhook_denied_networks', addresses.refused(
            '::ffff:8.8.8.8', (), ['8.8.0.0/16']))

    def test_networks_are_checked_at_start(self):
        addresses.check_networks(['127.0.0.2/32'], ['8.8.0.0/16', ''])
        self.assertRaisesRegex(ValueError, 'webhook_denied_networks',
                               addresses.check_networks, [], ['nope'])

    def test_one_refused_address_refuses_the_host(self):
        targets = [(2, ('8.8.8.8', 80)), (10, ('::1', 80, 0, 0))]
        self.assertEqual(('::1', 'not a global address'),
                         addresses.first_refused(targets))
        self.assertIsNone(addresses.first_refused(targets[:1]))


class TestResolution(base.TestCase):

    def test_every_ipv4_spelling_is_the_address_it_is(self):
        # getaddrinfo reads these as inet_aton does; no DNS query.
        for host in ('2130706433', '0x7f.1', '0177.0.0.1', '127.1',
                     '0x7f000001', '017700000001', '127.0.1'):
            targets = addresses.resolve(host, 80)
            self.assertIn(targets[0][1][0], ('127.0.0.1', '127.0.1.0'),
                          host)
            self.assertIsNotNone(addresses.first_refused(targets), host)

    def test_localhost_and_literals(self):
        for host in ('localhost', '::', '0.0.0.0', '::ffff:127.0.0.1'):
            self.assertIsNotNone(addresses.first_refused(
                addresses.resolve(host, 80)), host)

    def test_url_parts(self):
        self.assertEqual(('h.test', 443),
                         addresses.host_and_port('https://h.test/x'))
        self.assertEqual(('::1', 8080),
                         addresses.host_and_port('http://[::1]:8080/'))
        for bad in ('ftp://h/', 'http://', 'http://h:port/'):
            self.assertRaises(ValueError, addresses.host_and_port, bad)
