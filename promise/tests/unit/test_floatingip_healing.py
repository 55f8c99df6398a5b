"""An address Neutron holds for something other than its reservation:
the address stops being reservable, upcoming reservations move to a free
address of the network (or are flagged), and all is back once Neutron
lets it go. Through the real API, manager and the periodic pass on
SQLite, with Neutron stubbed (what it holds is set by the test)."""

import types

import sqlalchemy as sa

from promise.db import api as db
from promise.db import models
from promise.manager import addresses
from promise.tests.unit import test_floatingips as base

HOUR = base.HOUR


class HoldingNeutron(base.FakeNeutron):
    """What Neutron holds on the network, by address."""

    def __init__(self):
        super().__init__()
        self.held = {}

    def on_network(self, network_id):
        return [types.SimpleNamespace(floating_ip_address=address,
                                      description=description, tags=[])
                for address, description in self.held.items()]


class TestAddressHealth(base.FloatingIPTestCase):

    NEUTRON = HoldingNeutron

    def setUp(self):
        super().setUp()
        for last in (100, 101):
            self.assertEqual(201, self.register('172.24.4.%d' % last)[0])

    def reservable(self):
        with db.reader() as session:
            return dict(session.execute(sa.select(
                models.FloatingIP.floating_ip_address,
                models.FloatingIP.reservable)).all())

    def flags(self, lease_id):
        code, body = self.call('GET', '/leases/' + lease_id, roles='member')
        lease = body['lease']
        return lease['degraded'], lease['reservations'][0][
            'missing_resources']

    def test_taken_address_moves_upcoming_reservations(self):
        t0 = self.t0
        # The first free address by address order: .100.
        code, body = self.lease('a', t0, t0 + HOUR, 1)
        lease_id = body['lease']['id']
        self.assertEqual({'172.24.4.100': [(t0, t0 + HOUR)]}, self.held())
        self.neutron.held['172.24.4.100'] = 'made by hand'
        outcomes = addresses.check(self.neutron)
        self.assertEqual(1, len(outcomes))
        self.assertEqual({'172.24.4.101': [(t0, t0 + HOUR)]}, self.held())
        self.assertEqual({'172.24.4.100': False, '172.24.4.101': True},
                         self.reservable())
        self.assertEqual((False, False), self.flags(lease_id))
        # Nothing else can have it meanwhile.
        self.assertEqual(409, self.lease('b', t0, t0 + HOUR, 1)[0])
        # Neutron lets it go: reservable again.
        del self.neutron.held['172.24.4.100']
        addresses.check(self.neutron)
        self.assertEqual({'172.24.4.100': True, '172.24.4.101': True},
                         self.reservable())
        self.assertEqual(201, self.lease('b', t0, t0 + HOUR, 1)[0])

    def test_nowhere_to_go_is_flagged_then_healed(self):
        t0 = self.t0
        code, body = self.lease('a', t0, t0 + HOUR, 1)
        first = body['lease']['id']
        self.assertEqual(201, self.lease('b', t0, t0 + HOUR, 1)[0])
        self.neutron.held['172.24.4.100'] = 'made by hand'
        addresses.check(self.neutron)
        self.assertEqual((True, True), self.flags(first))
        del self.neutron.held['172.24.4.100']
        addresses.check(self.neutron)
        self.assertEqual((False, False), self.flags(first))
        self.assertEqual({'172.24.4.100': [(t0, t0 + HOUR)],
                          '172.24.4.101': [(t0, t0 + HOUR)]}, self.held())

    def test_a_required_address_is_not_swapped_for_another(self):
        t0 = self.t0
        code, body = self.lease('a', t0, t0 + HOUR, 1, ['172.24.4.100'])
        self.neutron.held['172.24.4.100'] = 'made by hand'
        addresses.check(self.neutron)
        # .101 is free, but the lease asked for .100 by name.
        self.assertEqual((True, True), self.flags(body['lease']['id']))
        self.assertEqual({'172.24.4.100': [(t0, t0 + HOUR)]}, self.held())

    def test_the_reservations_own_address_is_not_taken(self):
        now = base.base.minute(base.base.utcnow())
        code, body = self.lease('a', now, now + HOUR, 1, ['172.24.4.100'])
        res_id = body['lease']['reservations'][0]['id']
        self.neutron.held['172.24.4.100'] = 'Promise reservation %s' % res_id
        self.assertEqual([], addresses.check(self.neutron))
        self.assertEqual({'172.24.4.100': True, '172.24.4.101': True},
                         self.reservable())

    def test_an_ended_reservations_address_on_its_way_out_is_not_taken(self):
        # The end removes the address a moment after the end time: until
        # then Neutron still holds it for that reservation.
        now = base.base.minute(base.base.utcnow())
        with db.writer() as session:
            lease = models.Lease(
                id='ended', name='ended', project_id='p1', status='ACTIVE',
                start_date=now - 2 * HOUR, end_date=now - HOUR / 60)
            res = models.Reservation(
                id='ended-res', resource_type='virtual:floatingip',
                status='active', missing_resources=False,
                resources_changed=False)
            res.floatingip = models.FloatingIPReservation(
                network_id=base.NET, amount=1, required_floatingips='[]')
            lease.reservations.append(res)
            session.add(lease)
            session.flush()
            fip = session.scalars(sa.select(models.FloatingIP).where(
                models.FloatingIP.floating_ip_address ==
                '172.24.4.100')).one()
            session.add(models.FloatingIPAllocation(
                reservation_id='ended-res', floatingip_id=fip.id,
                start_date=now - 2 * HOUR, end_date=now - HOUR / 60))
        self.neutron.held['172.24.4.100'] = 'Promise reservation ended-res'
        self.assertEqual([], addresses.check(self.neutron))
        self.assertEqual({'172.24.4.100': True, '172.24.4.101': True},
                         self.reservable())
