"""Two leases racing for the last reservable floating IP never both win.

Rounds of two simultaneous creates for overlapping windows on the one
registered address, on real MariaDB and PostgreSQL, through gunicorn's API
workers and two promise-manager processes over RabbitMQ. The address is
written straight into the database: the race is decided by the allocation
engine, not by Neutron (the cloud tier registers through real Neutron).
"""

import datetime
import functools

import sqlalchemy as sa

from promise.tests.functional import base

# CI's share; bench/ runs the long races.
ROUNDS = 100
T0 = datetime.datetime(2032, 3, 1, 8, 0)
NET = '5a1b0c3e-0000-4000-8000-00000000f1f1'


class _FloatingIPRace:

    DEPLOYMENT = {'api_workers': 2}
    TIMEOUT = 600

    def setUp(self):
        super().setUp()
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text('DELETE FROM floatingip_allocations'))
            conn.execute(sa.text('DELETE FROM leases'))
            conn.execute(sa.text('DELETE FROM floatingips'))
        self.insert_floatingip('fip-1', NET, '172.24.4.100')

    def _body(self, name, start, end):
        return {'name': name, 'start_date': base.api_date(start),
                'end_date': base.api_date(end), 'events': [],
                'reservations': [{'resource_type': 'virtual:floatingip',
                                  'network_id': NET, 'amount': '1'}]}

    def test_last_address_is_never_double_booked(self):
        outcomes = []
        for i in range(ROUNDS):
            day = T0 + datetime.timedelta(days=i)
            bodies = [self._body('a%d' % i, day,
                                 day + datetime.timedelta(hours=2)),
                      self._body('b%d' % i, day + datetime.timedelta(hours=1),
                                 day + datetime.timedelta(hours=3))]
            responses = self.simultaneously(*[
                functools.partial(self.request, 'POST', '/v1/leases',
                                  json=body) for body in bodies])
            outcomes.append(sorted(r.status_code for r in responses))
            for r in responses:
                if r.status_code == 409:
                    self.assertIn('Not enough floating IPs available',
                                  r.text)
        self.assertEqual([[201, 409]] * ROUNDS, outcomes)

        # The database agrees: no two allocations of the address overlap.
        with self.deployment.db.engine.connect() as conn:
            overlaps = conn.execute(sa.text(
                'SELECT a.id, b.id FROM floatingip_allocations a '
                'JOIN floatingip_allocations b ON a.floatingip_id = '
                'b.floatingip_id AND a.id < b.id AND a.start_date < '
                'b.end_date AND b.start_date < a.end_date')).fetchall()
            count = conn.execute(sa.text(
                'SELECT COUNT(*) FROM floatingip_allocations')).scalar()
        self.assertEqual([], overlaps)
        self.assertEqual(ROUNDS, count)


class TestFloatingIPRaceMySQL(base.MySQLMixin, _FloatingIPRace,
                              base.FunctionalTestCase):
    pass


class TestFloatingIPRacePostgreSQL(base.PostgreSQLMixin, _FloatingIPRace,
                                   base.FunctionalTestCase):
    pass
