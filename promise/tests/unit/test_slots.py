"""The slot engine: pure sweep and packing functions, and choose() on a
real (SQLite) database."""

import datetime

from promise.common import shapes
from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise.plugins.instances import slots
from promise.tests.unit import base

T0 = datetime.datetime(2031, 1, 1, 10, 0)
HOUR = datetime.timedelta(hours=1)
S = shapes.Shape


def use(start_h, end_h, count, shape=(1, 1024, 10)):
    return shapes.Usage(T0 + start_h * HOUR, T0 + end_h * HOUR, count,
                        S(*shape))


class TestSteps(base.TestCase):

    def test_no_usage_is_one_zero_step(self):
        self.assertEqual([(T0, T0 + HOUR, shapes.ZERO)],
                         slots.steps([], T0, T0 + HOUR))

    def test_steps_tile_the_window_and_clip(self):
        result = slots.steps([use(-1, 2, 1), use(1, 5, 2)], T0, T0 + 3 * HOUR)
        self.assertEqual(
            [(T0, T0 + HOUR, S(1, 1024, 10)),
             (T0 + HOUR, T0 + 2 * HOUR, S(3, 3072, 30)),
             (T0 + 2 * HOUR, T0 + 3 * HOUR, S(2, 2048, 20))], result)

    def test_half_open_back_to_back_do_not_add_up(self):
        usages = [use(0, 1, 1), use(1, 2, 1)]
        self.assertEqual(S(1, 1024, 10), slots.peak(usages, T0,
                                                    T0 + 2 * HOUR))

    def test_outside_the_window_is_ignored(self):
        self.assertEqual(shapes.ZERO, slots.peak([use(-3, 0, 5), use(2, 3, 5)],
                                                 T0, T0 + 2 * HOUR))

    def test_padding_widens_usages(self):
        usages = [use(-1, 0, 1)]
        self.assertEqual(shapes.ZERO, slots.peak(usages, T0, T0 + HOUR))
        self.assertEqual(S(1, 1024, 10),
                         slots.peak(usages, T0, T0 + HOUR, pad=30))


class TestPeak(base.TestCase):

    def test_peak_not_sum_of_disjoint_usages(self):
        # Two reservations of 3 slots at different times: peak is 3, not 6.
        usages = [use(0, 1, 3), use(2, 3, 3)]
        self.assertEqual(S(3, 3072, 30), slots.peak(usages, T0,
                                                    T0 + 3 * HOUR))

    def test_peak_of_overlapping_usages(self):
        usages = [use(0, 2, 1), use(1, 3, 2), use(2, 4, 4)]
        self.assertEqual(S(6, 6144, 60), slots.peak(usages, T0,
                                                    T0 + 4 * HOUR))

    def test_counted_per_slot_with_each_shape(self):
        usages = [use(0, 1, 2, (2, 512, 0)), use(0, 1, 1, (1, 4096, 5))]
        self.assertEqual(S(5, 5120, 5), slots.peak(usages, T0, T0 + HOUR))

    def test_each_resource_at_its_own_peak(self):
        usages = [use(0, 1, 1, (8, 100, 1)), use(1, 2, 1, (1, 900, 1))]
        self.assertEqual(S(8, 900, 1), slots.peak(usages, T0, T0 + 2 * HOUR))


class TestFreeSlots(base.TestCase):

    def test_fit(self):
        self.assertEqual(4, slots.fit(S(8, 8192, 100), shapes.ZERO,
                                      S(2, 1024, 10)))
        # Memory is the tightest.
        self.assertEqual(2, slots.fit(S(8, 2048, 100), shapes.ZERO,
                                      S(1, 1024, 0)))
        # Zero disk asks nothing of disk.
        self.assertEqual(8, slots.fit(S(8, 8192, 0), shapes.ZERO,
                                      S(1, 1024, 0)))
        self.assertEqual(0, slots.fit(S(8, 8192, 100), S(9, 0, 0),
                                      S(1, 1, 0)))
        self.assertRaises(ValueError, slots.fit, S(1, 1, 1), shapes.ZERO,
                          shapes.ZERO)

    def test_free_is_the_fullest_step(self):
        cap = S(10, 10240, 100)
        usages = [use(0, 1, 4), use(1, 2, 7), use(2, 3, 1)]
        self.assertEqual(3, slots.free_slots(cap, usages, T0, T0 + 3 * HOUR,
                                             S(1, 1024, 10)))
        self.assertEqual(6, slots.free_slots(cap, usages, T0, T0 + HOUR,
                                             S(1, 1024, 10)))
        self.assertEqual(9, slots.free_slots(cap, usages, T0 + 2 * HOUR,
                                             T0 + 3 * HOUR, S(1, 1024, 10)))

    def test_min_over_time_not_independent_peaks(self):
        # vcpus peak at hour 0, memory peak at hour 1: a 1 vCPU / 1 GB slot
        # fits in both steps, though not in "peak vcpus and peak memory".
        cap = S(4, 4096, 0)
        usages = [use(0, 1, 1, (3, 0, 0)), use(1, 2, 1, (0, 3072, 0))]
        self.assertEqual(1, slots.free_slots(cap, usages, T0, T0 + 2 * HOUR,
                                             S(1, 1024, 0)))
        self.assertEqual(S(3, 3072, 0), slots.peak(usages, T0,
                                                   T0 + 2 * HOUR))


class TestPlace(base.TestCase):

    FREE = {1: 3, 2: 1, 3: 0, 4: 5}

    def test_any_packing_fills_hosts_in_order(self):
        self.assertEqual({1: 3, 2: 1, 4: 2},
                         slots.place(self.FREE, 6, None))
        self.assertEqual({1: 2}, slots.place(self.FREE, 2, None))
        self.assertIsNone(slots.place(self.FREE, 10, None))
        self.assertEqual({1: 3, 2: 1, 4: 5}, slots.place(self.FREE, 9, None))

    def test_affinity_puts_all_on_one_host(self):
        self.assertEqual({1: 3}, slots.place(self.FREE, 3, True))
        self.assertEqual({4: 4}, slots.place(self.FREE, 4, True))
        self.assertIsNone(slots.place(self.FREE, 6, True))

    def test_anti_affinity_one_per_host(self):
        self.assertEqual({1: 1, 2: 1, 4: 1},
                         slots.place(self.FREE, 3, False))
        self.assertIsNone(slots.place(self.FREE, 4, False))

    def test_prefer(self):
        self.assertEqual({4: 2}, slots.place(self.FREE, 2, None,
                                             prefer=[4]))
        self.assertEqual({4: 1, 1: 1}, slots.place(self.FREE, 2, False,
                                                   prefer=[4]))

    def test_held_slots_count_and_stay(self):
        # Growing 2 -> 4 with the two held on host 2 (any packing).
        self.assertEqual({2: 3, 1: 1},
                         slots.place(self.FREE, 4, None, held={2: 2}))
        # Affinity: growth only on the held host.
        self.assertEqual({4: 4}, slots.place(self.FREE, 4, True,
                                             held={4: 1}))
        self.assertIsNone(slots.place(self.FREE, 7, True, held={4: 1}))
        # Anti-affinity: growth only on new hosts.
        self.assertEqual({2: 1, 1: 1, 4: 1},
                         slots.place(self.FREE, 3, False, held={2: 1}))
        self.assertIsNone(slots.place(self.FREE, 4, False, held={2: 1}))
        # Shrinking is not placing.
        self.assertIsNone(slots.place(self.FREE, 1, None, held={1: 2}))

    def test_max_amount(self):
        self.assertEqual(5, slots.max_amount(self.FREE, True))
        self.assertEqual(3, slots.max_amount(self.FREE, False))
        self.assertEqual(9, slots.max_amount(self.FREE, None))
        self.assertEqual(0, slots.max_amount({}, True))


class SlotEngineTestCase(base.TestCase):
    """choose() against hosts and allocations in SQLite."""

    CAPACITY = {1: (4, 4096, 40), 2: (8, 8192, 80), 3: (2, 2048, 20)}

    def setUp(self):
        super().setUp()
        with db.writer() as session:
            for i, (vcpus, mem, disk) in self.CAPACITY.items():
                host = models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=vcpus,
                    memory_mb=mem, local_gb=disk, reservable=True,
                    generation=0, capacity_vcpus=vcpus,
                    capacity_memory_mb=mem, capacity_disk_gb=disk,
                    used_vcpus=0, used_memory_mb=0, used_disk_gb=0)
                host.capabilities.append(models.HostCapability(
                    name='ssd', value='true' if i != 2 else 'false'))
                session.add(host)
            lease = models.Lease(id='l1', name='l1', project_id='p',
                                 status='PENDING', degraded=False,
                                 start_date=T0, end_date=T0 + HOUR)
            for rid in ('r1', 'r2', 'h1'):
                lease.reservations.append(models.Reservation(
                    id=rid, resource_type='virtual:instance',
                    status='pending', missing_resources=False,
                    resources_changed=False))
            session.add(lease)

    def _slots(self, host_id, start, end, count, shape=(1, 1024, 10),
               reservation='r1'):
        with db.writer() as session:
            session.add(models.InstanceAllocation(
                reservation_id=reservation, host_id=host_id, slots=count,
                vcpus=shape[0], memory_mb=shape[1], disk_gb=shape[2],
                start_date=start, end_date=end))

    def _host_hold(self, host_id, start, end):
        with db.writer() as session:
            session.add(models.HostAllocation(
                reservation_id='h1', host_id=host_id, start_date=start,
                end_date=end))

    def _choose(self, amount, shape=(1, 1024, 10), affinity=None,
                start=T0, end=T0 + HOUR, **kw):
        with db.writer() as session:
            return slots.choose(session, start, end, amount, shape,
                                affinity, **kw)

    def test_packs_in_host_order(self):
        self.assertEqual({1: 4, 2: 2}, self._choose(6))
        self.assertEqual({1: 1, 2: 1, 3: 1}, self._choose(3,
                                                          affinity=False))
        self.assertEqual({2: 5}, self._choose(5, affinity=True))

    def test_other_reservations_counted_per_slot(self):
        # r1 holds 3 of host 1's 4 slots and all of host 3's.
        self._slots(1, T0, T0 + HOUR, 3)
        self._slots(3, T0, T0 + HOUR, 2)
        self.assertEqual({1: 1, 2: 8}, self._choose(9))
        self.assertRaises(exceptions.Conflict, self._choose, 10)

    def test_peak_over_the_window(self):
        # Host 2: 6 slots used for the first half hour only.
        half = datetime.timedelta(minutes=30)
        self._slots(2, T0, T0 + half, 6)
        self.assertEqual({2: 2}, self._choose(2, affinity=True,
                                              prefer=[2]))
        exc = self.assertRaises(exceptions.Conflict, self._choose, 3,
                                affinity=True, resource_query=[
                                    '==', '$hypervisor_hostname',
                                    'compute2'])
        self.assertEqual(409, exc.code)
        self.assertIn('at most 2 fit', exc.message)
        # After the busy half hour, host 2 is free again.
        self.assertEqual({2: 8}, self._choose(8, affinity=True,
                                              start=T0 + half))

    def test_host_reservations_exclude_the_host(self):
        self._host_hold(2, T0, T0 + HOUR)
        self.assertEqual({1: 4, 3: 2}, self._choose(6))
        self.assertRaises(exceptions.Conflict, self._choose, 7)
        # Back to back with the host reservation: host 2 is usable.
        self.assertEqual({2: 8}, self._choose(8, affinity=True,
                                              start=T0 + HOUR,
                                              end=T0 + 2 * HOUR))

    def test_cleaning_time(self):
        self._slots(2, T0 - HOUR, T0, 8)
        self.assertEqual({2: 8}, self._choose(8, affinity=True))
        self.flags(cleaning_time=10)
        self.assertRaises(exceptions.Conflict, self._choose, 8,
                          affinity=True)

    def test_resource_properties_match_capabilities(self):
        self.assertEqual({1: 4, 3: 2}, self._choose(
            6, resource_query=['==', '$ssd', 'true']))

    def test_ordinary_usage_counts_only_when_window_includes_now(self):
        with db.writer() as session:
            session.get(models.Host, 2).used_vcpus = 6
        now = T0 + datetime.timedelta(minutes=5)
        self.assertRaises(exceptions.Conflict, self._choose, 3,
                          affinity=True, now=now, prefer=[2],
                          resource_query=['==', '$id', 2])
        self.assertEqual({2: 2}, self._choose(2, affinity=True, now=now,
                                              resource_query=['==', '$id',
                                                              2]))
        # A future window does not see today's ordinary usage.
        self.assertEqual({2: 8}, self._choose(
            8, affinity=True, now=T0 - HOUR,
            resource_query=['==', '$id', 2]))

    def test_unhealthy_hosts_give_no_slots(self):
        with db.writer() as session:
            session.get(models.Host, 1).health = 'down'
        self.assertEqual({2: 8, 3: 2}, self._choose(10))

    def test_unknown_capacity_gives_no_slots(self):
        with db.writer() as session:
            session.get(models.Host, 1).capacity_vcpus = None
        self.assertEqual({2: 8, 3: 2}, self._choose(10))

    def test_held_slots_must_stay_free(self):
        self._slots(1, T0, T0 + HOUR, 1, reservation='r2')
        # r1 held 2 on host 1; it grows to 4 with anti... any packing.
        self.assertEqual({1: 3, 2: 1}, self._choose(
            4, held={1: 2}, exclude_reservation='r1'))
        # Someone else took host 1 after r1's window: a longer window fails.
        self._slots(1, T0 + HOUR, T0 + 2 * HOUR, 4, reservation='r2')
        exc = self.assertRaises(exceptions.Conflict, self._choose, 2,
                                held={1: 2}, exclude_reservation='r1',
                                end=T0 + 2 * HOUR)
        self.assertIn('cannot change', exc.message)

    def test_choose_claims_the_chosen_hosts(self):
        self._choose(5)
        with db.reader() as session:
            gens = {h.id: h.generation for h in
                    session.query(models.Host).all()}
        self.assertEqual({1: 1, 2: 1, 3: 0}, gens)

    def test_stale_decision_is_refused(self):
        # Decision A reads host 3 free; decision B commits slots on it;
        # A's claim must fail.
        with db.writer() as session:
            hosts, free = slots.free_by_host(session, T0, T0 + HOUR,
                                             S(1, 1024, 10))
            stale = [h for h in hosts if h.id == 3]
            session.expunge_all()
        self._choose(2, affinity=True, resource_query=['==', '$id', 3])
        with db.writer() as session:
            self.assertRaises(exceptions.ConcurrentUpdate, host_db.claim,
                              session, stale)

    def test_release_times(self):
        self._slots(1, T0, T0 + HOUR, 1)
        self._slots(2, T0, T0 + 3 * HOUR, 1)
        self._host_hold(3, T0, T0 + 2 * HOUR)
        with db.reader() as session:
            self.assertEqual({T0 + HOUR, T0 + 2 * HOUR},
                             slots.release_times(session, T0,
                                                 T0 + 2 * HOUR))
            self.flags(cleaning_time=30)
            half = datetime.timedelta(minutes=30)
            self.assertEqual({T0 + HOUR + half, T0 + 2 * HOUR + half,
                              T0 + 3 * HOUR + half},
                             slots.release_times(session, T0,
                                                 T0 + 4 * HOUR))
