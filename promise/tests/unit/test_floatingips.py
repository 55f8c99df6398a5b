"""virtual:floatingip through the real API, manager and plugin on SQLite,
with Neutron stubbed (FakeNeutron records what the plugin asks of it):
registration, leases that never hold one address twice, offers, updates,
and the Neutron calls at start and end. The cloud tier proves the same
against real Neutron."""

import datetime
import urllib.parse

import fixtures
from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from promise.db import api as db
from promise.db import models
from promise import exceptions
from promise.plugins.floatingips import plugin as fip_plugin
from promise.tests.unit import base

HOUR = datetime.timedelta(hours=1)
NET = '1e17587e-a7ed-4b82-a17b-4beb32523e28'


def fmt(value):
    return value.strftime('%Y-%m-%d %H:%M')


def out(value):
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f')


class FakeNeutron:
    """172.24.4.0/24 with its allocation pool .2-.99: addresses from .100
    up can be registered."""

    def __init__(self):
        self.calls = []

    def subnet_for(self, network_id, address):
        if network_id != NET:
            raise exceptions.InvalidInput(reason='no such network')
        if int(address.rsplit('.', 1)[1]) < 100:
            raise exceptions.InvalidInput(reason='in an allocation pool')
        return 'subnet-1'

    def create_reserved(self, network_id, subnet_id, address, project_id,
                        reservation_id):
        self.calls.append(('create', address, project_id, reservation_id))

    def delete_reserved(self, network_id, address, reservation_id):
        self.calls.append(('delete', address, reservation_id))


class FloatingIPTestCase(base.TestCase):

    NEUTRON = FakeNeutron

    def setUp(self):
        super().setUp()
        self.neutron = self.NEUTRON()
        self.useFixture(fixtures.MockPatch(
            'promise.clients.neutron.client', return_value=self.neutron))
        self.plugin = fip_plugin.FloatingIPPlugin(self.neutron)
        self.set_plugins({'virtual:floatingip': self.plugin})
        self.api = self.useFixture(base.APIFixture(self.conf_fixture))
        self.t0 = base.minute(base.utcnow()) + datetime.timedelta(days=1)

    def call(self, method, path, body=None, roles='admin', project='p1'):
        req = webob.Request.blank('/v1' + path, method=method,
                                  headers={'X-Project-Id': project,
                                           'X-User-Id': 'u1',
                                           'X-Roles': roles})
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
        resp = req.get_response(self.api.app)
        return resp.status_int, (resp.json if resp.body else None)

    def register(self, address, network=NET):
        return self.call('POST', '/floatingips', {
            'floating_network_id': network, 'floating_ip_address': address})

    def lease(self, name, start, end, amount, required=None):
        res = {'resource_type': 'virtual:floatingip', 'network_id': NET,
               'amount': amount}
        if required is not None:
            res['required_floatingips'] = required
        return self.call('POST', '/leases', {
            'name': name, 'start_date': fmt(start), 'end_date': fmt(end),
            'reservations': [res], 'events': []}, roles='member')

    def rows(self):
        with db.reader() as session:
            return {t: session.execute(sa.text(
                'SELECT COUNT(*) FROM %s' % t)).scalar()
                for t in ('floatingips', 'leases', 'reservations',
                          'floatingip_reservations',
                          'floatingip_allocations')}

    def held(self):
        """{address: [(start, end)]} of every allocation."""
        with db.reader() as session:
            fip, alloc = models.FloatingIP, models.FloatingIPAllocation
            found = {}
            for address, start, end in session.execute(
                    sa.select(fip.floating_ip_address, alloc.start_date,
                              alloc.end_date)
                    .join(alloc, alloc.floatingip_id == fip.id)):
                found.setdefault(address, []).append((start, end))
            return found


class TestRegistration(FloatingIPTestCase):

    def test_register_list_show_delete_as_blazar(self):
        code, body = self.register('172.24.4.100')
        self.assertEqual(201, code, body)
        fip = body['floatingip']
        self.assertEqual({'id', 'floating_network_id', 'subnet_id',
                          'floating_ip_address', 'reservable', 'created_at',
                          'updated_at'}, set(fip))
        self.assertEqual(('172.24.4.100', NET, 'subnet-1', True),
                         (fip['floating_ip_address'],
                          fip['floating_network_id'], fip['subnet_id'],
                          fip['reservable']))
        self.assertEqual((200, {'floatingip': fip}),
                         self.call('GET', '/floatingips/' + fip['id']))
        # Members read the list (to name required_floatingips).
        self.assertEqual((200, {'floatingips': [fip]}),
                         self.call('GET', '/floatingips', roles='member'))
        self.assertEqual(204, self.call('DELETE',
                                        '/floatingips/' + fip['id'])[0])
        self.assertEqual(404, self.call('GET',
                                        '/floatingips/' + fip['id'])[0])

    def test_refusals_change_nothing(self):
        self.assertEqual(201, self.register('172.24.4.100')[0])
        before = self.rows()
        cases = [
            (409, self.register('172.24.4.100')),
            # The same address spelt otherwise is the same address.
            (409, self.register(' 172.24.4.100 ')),
            (400, self.register('172.24.4.10')),       # Neutron's pool
            (400, self.register('172.24.4.300')),      # no address
            (400, self.register('172.24.4.101', network='other')),
            (400, self.call('POST', '/floatingips',
                            {'floating_ip_address': '172.24.4.101'})),
            (400, self.call('POST', '/floatingips', {
                'floating_network_id': NET,
                'floating_ip_address': '172.24.4.101', 'extra': 1})),
            (403, self.call('POST', '/floatingips', {
                'floating_network_id': NET,
                'floating_ip_address': '172.24.4.101'}, roles='member')),
            (404, self.call('DELETE', '/floatingips/nope')),
        ]
        for expected, (code, body) in cases:
            self.assertEqual(expected, code, body)
        self.assertEqual(before, self.rows())

    def test_an_address_held_by_a_lease_stays_registered(self):
        fip = self.register('172.24.4.100')[1]['floatingip']
        code, lease = self.lease('a', self.t0, self.t0 + HOUR, 1)
        self.assertEqual(201, code, lease)
        code, body = self.call('DELETE', '/floatingips/' + fip['id'])
        self.assertEqual(409, code, body)
        self.assertIn('have not ended', body['error_message'])
        self.assertEqual(204, self.call(
            'DELETE', '/leases/' + lease['lease']['id'],
            roles='member')[0])
        self.assertEqual(204, self.call('DELETE',
                                        '/floatingips/' + fip['id'])[0])


class TestLeases(FloatingIPTestCase):

    def setUp(self):
        super().setUp()
        for last in (100, 101):
            self.assertEqual(201, self.register('172.24.4.%d' % last)[0])

    def test_reservation_view_is_blazars(self):
        code, body = self.lease('a', self.t0, self.t0 + HOUR, 1,
                                ['172.24.4.101'])
        self.assertEqual(201, code, body)
        res = body['lease']['reservations'][0]
        self.assertEqual(('virtual:floatingip', NET, 1, ['172.24.4.101']),
                         (res['resource_type'], res['network_id'],
                          res['amount'], res['required_floatingips']))
        self.assertEqual({'172.24.4.101': [(self.t0, self.t0 + HOUR)]},
                         self.held())

    def test_no_address_is_held_twice_and_the_409_offers(self):
        t0 = self.t0
        self.assertEqual(201, self.lease('a', t0, t0 + 2 * HOUR, 1)[0])
        before = self.rows()
        code, body = self.lease('b', t0 + HOUR, t0 + 3 * HOUR, 2)
        self.assertEqual(409, code, body)
        self.assertIn('Not enough floating IPs available',
                      body['error_message'])
        self.assertEqual([1], body['max_reservable'])
        # Both addresses are free once lease a ends (and its cleaning
        # time has passed: none by default).
        self.assertEqual(out(t0 + 2 * HOUR),
                         body['alternatives'][0]['start_date'])
        self.assertEqual(before, self.rows())
        # The other address fits the same window.
        self.assertEqual(201, self.lease('c', t0 + HOUR, t0 + 3 * HOUR,
                                         1)[0])
        # Back to back with c is no overlap; across a and c it is.
        self.assertEqual(201, self.lease('d', t0, t0 + HOUR, 1)[0])
        code, body = self.lease('e', t0 + HOUR / 2, t0 + 3 * HOUR / 2, 1)
        self.assertEqual(409, code, body)
        held = self.held()
        self.assertEqual(3, sum(len(w) for w in held.values()))
        for windows in held.values():
            windows.sort()
            for (_, end), (start, _) in zip(windows, windows[1:]):
                self.assertLessEqual(end, start)

    def test_required_addresses(self):
        t0 = self.t0
        self.assertEqual(201, self.lease('a', t0, t0 + HOUR, 1,
                                         ['172.24.4.100'])[0])
        before = self.rows()
        # Held: 409 although another address is free.
        self.assertEqual(409, self.lease('b', t0, t0 + HOUR, 1,
                                         ['172.24.4.100'])[0])
        for required, amount in ((['172.24.4.200'], 1),     # unregistered
                                 (['172.24.4.101'] * 2, 2),  # twice
                                 (['172.24.4.101'], 0),      # > amount
                                 (['not-an-ip'], 1)):
            code, body = self.lease('b', t0, t0 + HOUR, amount, required)
            self.assertEqual(400, code, body)
        code, body = self.call('POST', '/leases', {
            'name': 'b', 'start_date': fmt(t0), 'end_date': fmt(t0 + HOUR),
            'reservations': [{'resource_type': 'virtual:floatingip',
                              'network_id': NET, 'amount': 1,
                              'expiry': 30}], 'events': []}, roles='member')
        self.assertEqual(400, code, body)
        self.assertIn('expiry applies to', body['error_message'])
        self.assertEqual(before, self.rows())

    def test_update_before_start_and_while_active(self):
        t0 = self.t0
        code, body = self.lease('a', t0, t0 + HOUR, 1)
        lease = body['lease']
        res_id = lease['reservations'][0]['id']
        code, body = self.call('PUT', '/leases/' + lease['id'], {
            'reservations': [{'id': res_id, 'amount': 2}]}, roles='member')
        self.assertEqual(200, code, body)
        self.assertEqual(2, len(self.held()))
        code, body = self.call('PUT', '/leases/' + lease['id'], {
            'reservations': [{'id': res_id, 'network_id': 'other'}]},
            roles='member')
        self.assertEqual(400, code, body)
        # A third address does not exist.
        code, body = self.call('PUT', '/leases/' + lease['id'], {
            'reservations': [{'id': res_id, 'amount': 3}]}, roles='member')
        self.assertEqual(409, code, body)
        self.assertEqual(2, len(self.held()))

    def test_start_and_end_create_and_remove_in_neutron(self):
        code, body = self.lease('a', self.t0, self.t0 + HOUR, 2)
        with db.reader() as session:
            lease = session.get(models.Lease, body['lease']['id'])
            res = lease.reservations[0]
        ctx = base.ctx(project_id='p1')
        self.plugin.on_start(ctx, lease, res)
        self.plugin.on_end(ctx, lease, res)
        self.assertEqual(
            [('create', '172.24.4.100', 'p1', res.id),
             ('create', '172.24.4.101', 'p1', res.id),
             ('delete', '172.24.4.100', res.id),
             ('delete', '172.24.4.101', res.id)],
            self.neutron.calls)

    def test_capacity_over_time(self):
        t0 = self.t0
        self.assertEqual(201, self.lease('a', t0, t0 + 2 * HOUR, 1,
                                         ['172.24.4.101'])[0])
        window = '&start_date=%s&end_date=%s' % (
            fmt(t0 - HOUR).replace(' ', '%20'),
            fmt(t0 + 3 * HOUR).replace(' ', '%20'))
        code, body = self.call(
            'GET', '/capacity?resource_type=virtual:floatingip' + window,
            roles='member')
        self.assertEqual(200, code, body)
        cap = body['capacity']
        self.assertEqual(('floatingips', 1), (cap['unit'],
                                              cap['min_available']))
        self.assertEqual(
            [(out(t0 - HOUR), 2, 0, 2), (out(t0), 2, 1, 1),
             (out(t0 + 2 * HOUR), 2, 0, 2)],
            [(s['start_date'], s['total'], s['reserved'], s['available'])
             for s in cap['timeline']])
        # One address by its fields: the free one is free throughout.
        query = '["==", "$floating_ip_address", "172.24.4.100"]'
        code, body = self.call(
            'GET', '/capacity?resource_type=virtual:floatingip' + window +
            '&resource_properties=' + urllib.parse.quote(query),
            roles='member')
        self.assertEqual(200, code, body)
        self.assertEqual([(1, 0)], [(s['total'], s['reserved'])
                                    for s in body['capacity']['timeline']])
        code, body = self.call(
            'GET', '/capacity?resource_type=virtual:floatingip&vcpus=2',
            roles='member')
        self.assertEqual(400, code, body)

    def test_capacity_shows_the_projects_quota_use(self):
        t0 = self.t0
        self.assertEqual(201, self.lease('a', t0, t0 + 2 * HOUR, 1)[0])
        path = ('/capacity?resource_type=virtual:floatingip&start_date=%s'
                '&end_date=%s' % (fmt(t0 - HOUR).replace(' ', '%20'),
                                  fmt(t0 + 3 * HOUR).replace(' ', '%20')))
        code, body = self.call('GET', path, roles='member')
        self.assertNotIn('quota', body['capacity'])

        self.flags(group='quota', enforce=True)
        asked = []

        def of_project(project_id, resources):
            asked.append((project_id, tuple(resources)))
            return {'floatingips': 2}
        self.useFixture(fixtures.MockPatch(
            'promise.clients.limits.of_project', side_effect=of_project))
        code, body = self.call('GET', path, roles='member')
        self.assertEqual(200, code, body)
        quota = body['capacity']['quota']
        self.assertEqual([('p1', ('leases', 'floatingips'))], asked)
        self.assertEqual(('p1', {'leases': None, 'floatingips': 2}),
                         (quota['project_id'], quota['limits']))
        self.assertEqual(
            [(out(t0 - HOUR), 0, 0), (out(t0), 1, 1),
             (out(t0 + 2 * HOUR), 0, 0)],
            [(s['start_date'], s['leases'], s['floatingips'])
             for s in quota['timeline']])
        # Another project's use is its own: nothing.
        code, body = self.call('GET', path, roles='member', project='p2')
        self.assertEqual([(0, 0)], [
            (s['leases'], s['floatingips'])
            for s in body['capacity']['quota']['timeline']])
