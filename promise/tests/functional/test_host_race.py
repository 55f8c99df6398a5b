"""Two leases racing for the last free host never both win.

Rounds of two simultaneous creates for overlapping windows on the one host,
on real MariaDB and PostgreSQL, with two promise-manager processes over
RabbitMQ deciding them. PROMISE_RACE_ROUNDS rounds (150 by default, what CI
runs); ``bench/cluster.py`` runs 1,000 rounds on a single node and on Galera.

The API runs the way operators deploy the WSGI application: gunicorn with
four worker processes on one port serving ``promise.wsgi.api:application``.
Each worker is a separate process with its own RPC client and database
pool, so the two requests of a round reach different API processes (a
sync gunicorn worker serves one request at a time) and, through the RPC
topic, either the same manager or two different ones. gunicorn's access log
shows that every worker served requests.

The host is written straight into the database: the race is decided by the
allocation engine, not by Nova.
"""

import datetime
import functools
import os

import sqlalchemy as sa

from promise.tests.functional import base

ROUNDS = int(os.environ.get('PROMISE_RACE_ROUNDS', '150'))
API_WORKERS = 4
T0 = datetime.datetime(2031, 6, 1, 8, 0)


class _HostRace:

    DEPLOYMENT = {'api_workers': API_WORKERS}
    # Well above what 1,000 rounds take on a busy two-core machine.
    TIMEOUT = max(900, ROUNDS)

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
            responses = self.simultaneously(*[
                functools.partial(self.request, 'POST', '/v1/leases',
                                  json=body) for body in bodies])
            statuses = [(r.status_code, r.text) for r in responses]
            outcomes.append(sorted(s[0] for s in statuses))
            for code, text in statuses:
                if code == 409:
                    self.assertIn('Not enough hosts available', text)
        self.assertEqual([[201, 409]] * ROUNDS, outcomes)

        # The database agrees: no two allocations of the host overlap.
        with self.deployment.db.engine.connect() as conn:
            overlaps = self.overlapping_host_allocations(conn)
            count = conn.execute(sa.text(
                'SELECT COUNT(*) FROM host_allocations')).scalar()
        self.assertEqual([], overlaps)
        self.assertEqual(ROUNDS, count)
        # Every gunicorn worker served its share of the requests.
        served = self.deployment.api_worker_pids('POST', '/v1/leases')
        self.assertEqual(API_WORKERS, len(served), served)
        self.assertEqual(2 * ROUNDS, sum(served.values()), served)
        for pid, count in served.items():
            self.assertGreater(count, ROUNDS // (4 * API_WORKERS),
                               'worker %s: %s' % (pid, served))
        # Both managers decided some of the races.
        self.assertEveryManagerLogged('created for project')


class TestHostRaceMySQL(base.MySQLMixin, _HostRace, base.FunctionalTestCase):
    pass


class TestHostRacePostgreSQL(base.PostgreSQLMixin, _HostRace,
                             base.FunctionalTestCase):
    pass
