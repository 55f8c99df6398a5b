"""Host offers found in one pass agree with booking: the free counts of
promise.plugins.hosts.allocation.free_at and count_free equal what
choose() finds for every start minute tried, the alternatives with the
sweep are exactly those the window-by-window trials find, and each offered
window books. Random worlds on SQLite: whole-host and slot allocations,
planned downtimes and join dates, hosts out of the pool, property filters,
cleaning time."""

import datetime
import random

import fixtures

from promise.common import intervals
from promise.db import api as db
from promise.db import models
from promise.engine import offers
from promise import exceptions
from promise.plugins.hosts import allocation
from promise.plugins.hosts import plugin as host_plugin
from promise.tests.unit import base

T0 = datetime.datetime(2031, 3, 1, 0, 0)
MIN = datetime.timedelta(minutes=1)
HOSTS = 6
FILTERS = [(None, None), (None, ['==', '$rack', '1']),
           (['>=', '$memory_mb', '3072'], None),
           (['or', ['==', '$hypervisor_hostname', 'c2'],
             ['==', '$hypervisor_hostname', 'c5']], ['!=', '$rack', '0'])]


class TestBlocking(base.TestCase):

    def test_counter_matches_brute_force(self):
        rng = random.Random(7)
        for _ in range(200):
            duration = rng.randint(1, 60) * MIN
            hosts = []
            for _ in range(rng.randint(0, 5)):
                busy, moment = [], T0
                for _ in range(rng.randint(0, 4)):
                    moment += rng.randint(0, 90) * MIN
                    end = moment + rng.randint(1, 90) * MIN
                    busy.append((moment, end))
                    moment = end
                hosts.append(busy)
            total = len(hosts) + rng.randint(0, 3)
            counter = intervals.FreeCounter(
                total, [intervals.blocking(b, duration) for b in hosts])
            for step in range(0, 600, 3):
                t = T0 + step * MIN
                free = total - sum(
                    1 for busy in hosts if any(
                        intervals.overlaps(t, t + duration, s, e)
                        for s, e in busy))
                self.assertEqual(free, counter(t), (hosts, duration, t))


class TestHostOfferSweep(base.TestCase):

    def _world(self, rng):
        with db.writer() as session:
            for table in ('capacity_changes', 'host_allocations',
                          'instance_allocations', 'reservations', 'leases',
                          'host_capabilities', 'hosts'):
                session.execute(models.Base.metadata.tables[table].delete())
            for i in range(1, HOSTS + 1):
                host = models.Host(
                    id=i, hypervisor_hostname='c%d' % i,
                    service_name='c%d' % i, vcpus=4, memory_mb=1024 * i,
                    local_gb=10, reservable=rng.random() > 0.1,
                    health='up' if rng.random() > 0.1 else 'down',
                    generation=0)
                host.capabilities.append(models.HostCapability(
                    name='rack', value=str(i % 2)))
                session.add(host)
            session.flush()
            lease = models.Lease(id='l', name='l', project_id='p',
                                 status='PENDING', degraded=False,
                                 start_date=T0, end_date=T0)
            session.add(lease)
            for n in range(14):
                lease.reservations.append(models.Reservation(
                    id='r%d' % n, resource_type='physical:host',
                    status='pending', missing_resources=False,
                    resources_changed=False))
            busy = []
            for n in range(12):
                while True:
                    host_id = rng.randint(1, HOSTS)
                    start = T0 + rng.randint(0, 400) * MIN
                    end = start + rng.randint(1, 200) * MIN
                    if not any(h == host_id and s < end and start < e
                               for h, s, e in busy):
                        break
                busy.append((host_id, start, end))
                session.add(models.HostAllocation(
                    reservation_id='r%d' % n, host_id=host_id,
                    start_date=start, end_date=end))
            for n in (12, 13):
                start = T0 + rng.randint(0, 400) * MIN
                session.add(models.InstanceAllocation(
                    reservation_id='r%d' % n, host_id=rng.randint(1, HOSTS),
                    slots=1, vcpus=1, memory_mb=256, disk_gb=1,
                    start_date=start,
                    end_date=start + rng.randint(10, 100) * MIN))
            for n in range(3):
                start = T0 + rng.randint(0, 400) * MIN
                session.add(models.CapacityChange(
                    id='c%d' % n, host_id=rng.randint(1, HOSTS),
                    type='unavailable' if n < 2 else 'available',
                    start_date=start,
                    end_date=(None if n == 0 else
                              start + rng.randint(10, 100) * MIN)))

    @staticmethod
    def _choose(count, hyper, resource):
        def reserve(session, start, end):
            allocation.choose(session, start, end, count, count, hyper,
                              resource)
        return reserve

    @staticmethod
    def _free(session, start, end, hyper, resource):
        """What choose() finds: every free host, matched one by one."""
        try:
            return len(allocation.choose(session, start, end, 1, HOSTS,
                                         hyper, resource))
        except exceptions.NotEnoughHosts as exc:
            return int(exc.kwargs['free'])

    def test_sweep_equals_trials_and_books(self):
        self._sweep_equals_trials_and_books(range(6))

    def test_sweep_read_in_chunks(self):
        # Busy intervals read 37 minutes of start times at a time.
        self.useFixture(fixtures.MonkeyPatch(
            'promise.plugins.hosts.allocation.CHUNK', 37 * MIN))
        self._sweep_equals_trials_and_books(range(10, 14))

    def _sweep_equals_trials_and_books(self, seeds):
        for seed in seeds:
            rng = random.Random(seed)
            self.flags(cleaning_time=rng.choice([0, 0, 7]))
            self._world(rng)
            for hyper, resource in FILTERS:
                start = T0 + rng.randint(0, 300) * MIN
                duration = rng.randint(10, 150) * MIN
                count = rng.randint(1, 3)
                until = start + 600 * MIN
                with db.writer() as session:
                    free = allocation.free_at(session, start, until,
                                              duration, hyper, resource)
                    for step in range(0, 600, 11):
                        t = start + step * MIN
                        savepoint = session.begin_nested()
                        expected = self._free(session, t, t + duration,
                                              hyper, resource)
                        savepoint.rollback()
                        self.assertEqual(expected, free(t),
                                         (seed, hyper, resource, t))
                        # max_reservable's count, by the database.
                        self.assertEqual(expected, allocation.count_free(
                            session, t, t + duration, hyper, resource))
                self._compare_alternatives(start, duration, count, hyper,
                                           resource, seed)

    def test_counted_refusal_says_what_reading_finds(self):
        # choose() counts before reading when many hosts are wanted.
        for seed in range(4):
            rng = random.Random(100 + seed)
            self._world(rng)
            for step in range(0, 500, 13):
                t = T0 + step * MIN
                duration = rng.randint(10, 150) * MIN
                with db.writer() as session:
                    savepoint = session.begin_nested()
                    read = self._free(session, t, t + duration, None, None)
                    savepoint.rollback()
                    self.useFixture(fixtures.MonkeyPatch(
                        'promise.plugins.hosts.allocation.BIG', 0))
                    exc = self.assertRaises(
                        exceptions.NotEnoughHosts, allocation.choose,
                        session, t, t + duration, read + 1, read + 1)
                    self.assertEqual(read, exc.kwargs['free'])
                    if read:
                        savepoint = session.begin_nested()
                        self.assertEqual(read, len(allocation.choose(
                            session, t, t + duration, read, read)))
                        savepoint.rollback()
                    self.useFixture(fixtures.MonkeyPatch(
                        'promise.plugins.hosts.allocation.BIG', 32))

    def test_filtered_pages_choose_as_one_read(self):
        # Enough hosts for several pages of 2 * count_max.
        self.useFixture(fixtures.MonkeyPatch(__name__ + '.HOSTS', 40))
        for seed in range(4):
            rng = random.Random(200 + seed)
            self._world(rng)
            # Queries the database cannot narrow: hosts are dropped here.
            for hyper, resource in FILTERS + [
                    (None, ['not', ['==', '$rack', '0']]),
                    (['not', ['==', '$hypervisor_hostname', 'c3']],
                     ['>', '$rack', 0])]:
                t = T0 + rng.randint(0, 400) * MIN
                end = t + rng.randint(10, 150) * MIN
                count_max = rng.randint(2, 4)
                answers = []
                for page in (1000, 1, 2):
                    self.useFixture(fixtures.MonkeyPatch(
                        'promise.plugins.hosts.allocation.PAGE', page))
                    with db.writer() as session:
                        savepoint = session.begin_nested()
                        try:
                            answers.append([h.id for h in allocation.choose(
                                session, t, end, 1, count_max, hyper,
                                resource)])
                        except exceptions.NotEnoughHosts as exc:
                            answers.append(exc.kwargs['free'])
                        savepoint.rollback()
                self.assertEqual([answers[0]] * 3, answers,
                                 (seed, hyper, resource))

    def _compare_alternatives(self, start, duration, count, hyper,
                              resource, seed):
        request = {'resource_type': 'physical:host', 'min': count,
                   'max': count, 'hypervisor_properties': hyper,
                   'resource_properties': resource}
        reserve = self._choose(count, hyper, resource)
        plugin = host_plugin.HostPlugin(nova=object())
        answers = []
        for sweep in (True, False):
            def plugins(_, sweep=sweep):
                return plugin if sweep else _TrialsOnly(plugin)
            with db.writer() as session:
                answers.append(offers.alternatives(
                    session, plugins, reserve, start, start + duration,
                    [request], horizon=datetime.timedelta(hours=10),
                    limit=3, max_trials=1000))
        self.assertEqual(answers[1], answers[0], (seed, request))
        for window_start, window_end in answers[0]:
            # Each offered window books (choose() raises if not).
            with db.writer() as session:
                savepoint = session.begin_nested()
                reserve(session, window_start, window_end)
                savepoint.rollback()


class _TrialsOnly:
    """The host plugin without its sweep: every candidate window is
    booked on trial, as the engine does for types that cannot tell."""

    def __init__(self, plugin):
        self._plugin = plugin

    def fits_at(self, *args):
        return None

    def __getattr__(self, name):
        return getattr(self._plugin, name)
