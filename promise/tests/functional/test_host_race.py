"""Two leases racing for the last free host never both win.

Real promise-api and two promise-manager processes over RabbitMQ, on real
MariaDB and PostgreSQL. The host is written straight into the database:
the race is decided by the allocation engine, not by Nova.
"""

import datetime
import threading

import sqlalchemy as sa

from promise.tests.functional import base

ROUNDS = 200
T0 = datetime.datetime(2031, 6, 1, 8, 0)


class _HostRace:

    def setUp(self):
        super().setUp()
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text('DELETE FROM host_allocations'))
            conn.execute(sa.text('DELETE FROM leases'))
            conn.execute(sa.text('DELETE FROM hosts'))
            conn.execute(sa.text(
                "INSERT INTO hosts (id, hypervisor_hostname, service_name, "
                "vcpus, memory_mb, local_gb, reservable, generation, "
                "created_at) VALUES (1, 'compute1', 'compute1', 8, 8192, "
                "100, :t, 0, :now)"), {'t': True, 'now': base.utcnow()})

    def _body(self, name, start, end):
        return {'name': name, 'start_date': base.api_date(start),
                'end_date': base.api_date(end), 'events': [],
                'reservations': [{'resource_type': 'physical:host',
                                  'min': '1', 'max': '1',
                                  'hypervisor_properties': '',
                                  'resource_properties': ''}]}

    def test_last_host_is_never_double_booked(self):
        outcomes = []
        for i in range(ROUNDS):
            day = T0 + datetime.timedelta(days=i)
            # Overlapping, not identical, windows.
            bodies = [self._body('a%d' % i, day, day + datetime.timedelta(
                hours=2)),
                self._body('b%d' % i, day + datetime.timedelta(hours=1),
                           day + datetime.timedelta(hours=3))]
            statuses = [None, None]
            barrier = threading.Barrier(2)

            def fire(k):
                barrier.wait()
                resp = self.request('POST', '/v1/leases', json=bodies[k])
                statuses[k] = (resp.status_code, resp.text)

            threads = [threading.Thread(target=fire, args=(k,))
                       for k in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            outcomes.append(sorted(s[0] for s in statuses))
            for code, text in statuses:
                if code == 409:
                    self.assertIn('Not enough hosts available', text)
        self.assertEqual([[201, 409]] * ROUNDS, outcomes)

        # The database agrees: no two allocations of the host overlap.
        with self.deployment.db.engine.connect() as conn:
            overlaps = conn.execute(sa.text(
                'SELECT a.id, b.id FROM host_allocations a '
                'JOIN host_allocations b ON a.host_id = b.host_id '
                'AND a.id < b.id AND a.start_date < b.end_date '
                'AND b.start_date < a.end_date')).fetchall()
            count = conn.execute(sa.text(
                'SELECT COUNT(*) FROM host_allocations')).scalar()
        self.assertEqual([], overlaps)
        self.assertEqual(ROUNDS, count)
        # Both managers decided some of the races.
        for manager in self.deployment.managers:
            with open(manager.log_path) as log:
                self.assertIn('created for project', log.read(),
                              manager.tag)


class TestHostRaceMySQL(base.MySQLMixin, _HostRace, base.FunctionalTestCase):
    pass


class TestHostRacePostgreSQL(base.PostgreSQLMixin, _HostRace,
                             base.FunctionalTestCase):
    pass
