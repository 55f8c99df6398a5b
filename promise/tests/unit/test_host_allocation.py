"""The host allocation engine on a real (SQLite) database."""

import datetime

from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise.plugins.hosts import allocation
from promise.tests.unit import base

T0 = datetime.datetime(2031, 1, 1, 10, 0)
HOUR = datetime.timedelta(hours=1)


class EngineTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        with db.writer() as session:
            for i, (mem, gpu) in enumerate(
                    [(1024, 'true'), (4096, 'false'), (16384, 'true')], 1):
                host = models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=8, memory_mb=mem,
                    local_gb=100, reservable=True, generation=0)
                host.capabilities.append(models.HostCapability(
                    name='gpu', value=gpu))
                session.add(host)
            lease = models.Lease(id='l1', name='l1', project_id='p',
                                 status='PENDING', degraded=False,
                                 start_date=T0, end_date=T0 + HOUR)
            lease.reservations.append(models.Reservation(
                id='r1', resource_type='physical:host', status='pending',
                missing_resources=False, resources_changed=False))
            session.add(lease)

    def _hold(self, host_id, start, end, reservation='r1'):
        with db.writer() as session:
            session.add(models.HostAllocation(
                reservation_id=reservation, host_id=host_id,
                start_date=start, end_date=end))

    def _choose(self, start, end, count_min, count_max, **kw):
        with db.writer() as session:
            return [h.id for h in allocation.choose(
                session, start, end, count_min, count_max, **kw)]

    def test_half_open_windows_do_not_conflict(self):
        self._hold(1, T0, T0 + HOUR)
        self._hold(2, T0, T0 + HOUR)
        # Starts exactly when the others end: host 1 and 2 are free.
        self.assertEqual([1, 2, 3], self._choose(T0 + HOUR, T0 + 2 * HOUR,
                                                 3, 3))
        # Overlapping by one minute: only host 3.
        self.assertEqual([3], self._choose(
            T0 + HOUR - datetime.timedelta(minutes=1), T0 + 2 * HOUR, 1, 3))

    def test_cleaning_time_pads_both_sides(self):
        self._hold(1, T0, T0 + HOUR)
        self.flags(cleaning_time=30)
        self.assertEqual([2, 3], self._choose(
            T0 + HOUR + datetime.timedelta(minutes=20), T0 + 3 * HOUR,
            1, 3))
        self.assertEqual([1, 2, 3], self._choose(
            T0 + HOUR + datetime.timedelta(minutes=30), T0 + 3 * HOUR,
            1, 3))

    def test_min_max_and_not_enough(self):
        self._hold(3, T0, T0 + HOUR)
        self.assertEqual([1, 2], self._choose(T0, T0 + HOUR, 1, 5))
        exc = self.assertRaises(exceptions.NotEnoughHosts, self._choose,
                                T0, T0 + HOUR, 3, 3)
        self.assertEqual(409, exc.code)
        self.assertIn('2 free', exc.message)

    def test_properties_filter_numerically(self):
        chosen = self._choose(T0, T0 + HOUR, 1, 3,
                              hypervisor_query=['>=', '$memory_mb', '4096'],
                              resource_query=['==', '$gpu', 'true'])
        self.assertEqual([3], chosen)

    def test_prefer_and_only(self):
        self.assertEqual([3, 1], self._choose(T0, T0 + HOUR, 2, 2,
                                              prefer=[3]))
        self.assertEqual([2], self._choose(T0, T0 + HOUR, 1, 3, only={2}))

    def test_exclude_own_reservation(self):
        self._hold(1, T0, T0 + HOUR)
        self.assertEqual([1], self._choose(T0, T0 + 2 * HOUR, 1, 1,
                                           exclude_reservation='r1',
                                           only={1}))

    def test_choose_bumps_generation(self):
        self._choose(T0, T0 + HOUR, 1, 1)
        with db.reader() as session:
            gens = {h.id: h.generation for h in
                    session.query(models.Host).all()}
        self.assertEqual({1: 1, 2: 0, 3: 0}, gens)

    def test_claim_of_a_stale_host_fails(self):
        with db.writer() as session:
            stale = session.get(models.Host, 2)
            session.expunge(stale)
        # Another transaction claims host 2 in the meantime.
        self._choose(T0, T0 + HOUR, 1, 1, only={2})
        with db.writer() as session:
            self.assertRaises(exceptions.ConcurrentUpdate, host_db.claim,
                              session, [stale])
