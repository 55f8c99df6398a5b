"""virtual:floatingip reservations against a real Neutron
(tools/minicloud's external network ``public``, 172.24.4.0/24 with
Neutron's own pool at .2-.99).

python-blazarclient registers the addresses and books the lease; Neutron
is asked, as admin, what exists while the lease runs and after it ends.
"""

import datetime
import random
import time
import uuid

import sqlalchemy as sa

from promise.tests.cloud import test_host_reservations as hosts

utcnow = hosts.utcnow
minute = hosts.minute


class TestFloatingIPReservations(hosts.HostReservationBase):

    def public(self):
        return self.cloud.admin.network.find_network('public',
                                                     ignore_missing=False)

    def register(self, network_id, address):
        rc, fip, err = self.cli('floatingip', 'create', network_id, address,
                                '-f', 'json')
        self.assertEqual(0, rc, err)
        self.addCleanup(self.delete_until_gone,
                        '/floatingips/%s' % fip['id'])
        return fip

    def in_neutron(self, network_id, address):
        return list(self.cloud.admin.network.ips(
            floating_network_id=network_id, floating_ip_address=address))

    def test_lease_gets_the_address_in_its_project_then_gives_it_back(self):
        net = self.public()
        # Outside Neutron's pool; a random pair, so that reruns on one
        # cloud do not meet what an earlier run left.
        base = random.randrange(100, 250, 2)
        addresses = ['172.24.4.%d' % base, '172.24.4.%d' % (base + 1)]
        fips = [self.register(net.id, a) for a in addresses]
        self.assertEqual(addresses,
                         [f['floating_ip_address'] for f in fips])
        self.assertTrue(all(f['subnet_id'] for f in fips))

        # An address Neutron hands out itself cannot be reserved.
        rc, out, err = self.cli('floatingip', 'create', net.id,
                                '172.24.4.50', '-f', 'json')
        self.assertNotEqual(0, rc, out)
        self.assertIn('allocation pool', err + str(out))

        start = utcnow().replace(second=0, microsecond=0)
        end = start + datetime.timedelta(minutes=3)
        rc, lease, err = self.cli(
            'lease', 'create', '--reservation',
            'resource_type=virtual:floatingip,network_id=%s,amount=1,'
            'required_floatingips=["%s"]' % (net.id, addresses[0]),
            '--start-date', 'now', '--end-date', minute(end),
            'fip-lease-%s' % uuid.uuid4().hex[:6], '-f', 'json', who='demo')
        self.assertEqual(0, rc, err)
        self.addCleanup(self.delete_until_gone, '/leases/%s' % lease['id'],
                        who='demo')
        lease = self.wait_lease(lease['id'], 'ACTIVE')
        reservation_id = lease['reservations'][0]['id']

        demo_project = self.cloud.demo.current_project_id
        made = self.in_neutron(net.id, addresses[0])
        self.assertEqual(1, len(made), made)
        self.assertEqual(demo_project, made[0].project_id)
        self.assertIn('reservation:%s' % reservation_id, made[0].tags)
        # The demo project sees it as its own.
        self.assertIn(addresses[0], [
            ip.floating_ip_address
            for ip in self.cloud.demo.network.ips()])
        self.assertEqual([], self.in_neutron(net.id, addresses[1]))

        # Both addresses over an overlapping window: 409 with the offer
        # (one fits now; both once the first lease is over).
        later = end + datetime.timedelta(minutes=30)
        resp = self.promise('POST', '/leases', who='demo', json={
            'name': 'both', 'start_date': minute(end - datetime.timedelta(
                minutes=1)),
            'end_date': minute(later),
            'reservations': [{'resource_type': 'virtual:floatingip',
                              'network_id': net.id, 'amount': 2}],
            'events': []})
        self.assertEqual(409, resp.status_code, resp.text)
        body = resp.json()
        self.assertIn('Not enough floating IPs available',
                      body['error_message'])
        self.assertEqual([1], body['max_reservable'])
        self.assertTrue(body['alternatives'], body)
        first = datetime.datetime.strptime(
            body['alternatives'][0]['start_date'][:16], '%Y-%m-%dT%H:%M')
        self.assertGreaterEqual(first, end)

        self.wait_lease(lease['id'], 'TERMINATED', timeout=420)
        deadline = time.monotonic() + 60
        while self.in_neutron(net.id, addresses[0]):
            self.assertLess(time.monotonic(), deadline,
                            'the address outlived its lease in Neutron')
            time.sleep(1)

    def test_an_address_taken_in_neutron_is_replaced(self):
        """An admin creates by hand the address an upcoming reservation
        holds: Promise stops offering it and moves the reservation to a
        free address; once Neutron lets it go it is reservable again."""
        net = self.public()
        base = random.randrange(100, 250, 2)
        addresses = ['172.24.4.%d' % base, '172.24.4.%d' % (base + 1)]
        fips = {f['floating_ip_address']: f['id']
                for f in (self.register(net.id, a) for a in addresses)}
        start = (utcnow() + datetime.timedelta(days=1)).replace(
            second=0, microsecond=0)
        resp = self.promise('POST', '/leases', who='demo', json={
            'name': 'taken-%s' % uuid.uuid4().hex[:6],
            'start_date': minute(start),
            'end_date': minute(start + datetime.timedelta(hours=1)),
            'reservations': [{'resource_type': 'virtual:floatingip',
                              'network_id': net.id, 'amount': 1}],
            'events': []})
        self.assertEqual(201, resp.status_code, resp.text)
        lease = resp.json()['lease']
        reservation_id = lease['reservations'][0]['id']
        self.addCleanup(self.delete_until_gone, '/leases/%s' % lease['id'],
                        who='demo')
        engine = self.promise_db()

        def held():
            with engine.connect() as conn:
                return conn.execute(sa.text(
                    'SELECT f.floating_ip_address, f.reservable FROM '
                    'floatingip_allocations a JOIN floatingips f ON '
                    'f.id = a.floatingip_id WHERE a.reservation_id = :r'),
                    {'r': reservation_id}).one()

        def reservable(address):
            return self.promise('GET', '/floatingips/%s' % fips[address]
                                ).json()['floatingip']['reservable']

        first, _ = held()
        if first not in fips:
            # A free address other tests left registered came first.
            fips[first] = None
        taken = self.cloud.admin.network.create_ip(
            floating_network_id=net.id, floating_ip_address=first)
        self.addCleanup(self.cloud.admin.network.delete_ip, taken,
                        ignore_missing=True)
        deadline = time.monotonic() + 90
        while held()[0] == first:
            self.assertLess(time.monotonic(), deadline,
                            'the reservation still holds %s, which Neutron '
                            'gave to someone else' % first)
            time.sleep(1)
        now_held, now_reservable = held()
        self.assertTrue(now_reservable)
        shown = self.promise('GET', '/leases/%s' % lease['id'],
                             who='demo').json()['lease']
        self.assertFalse(shown['degraded'], shown)
        self.assertTrue(shown['reservations'][0]['resources_changed'])
        if fips[first]:
            self.assertFalse(reservable(first))

        self.cloud.admin.network.delete_ip(taken)
        if fips[first]:
            deadline = time.monotonic() + 90
            while not reservable(first):
                self.assertLess(time.monotonic(), deadline,
                                'the address stays unreservable after '
                                'Neutron let it go')
                time.sleep(1)
