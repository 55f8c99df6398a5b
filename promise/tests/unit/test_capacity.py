"""Capacity over time: the timeline equals a brute-force evaluation."""

import datetime
import random

from promise.common import timeline
from promise.db import api as db
from promise.db import models
from promise.plugins.hosts import capacity
from promise.tests.unit import base

T0 = datetime.datetime(2031, 3, 1, 0, 0)
MIN = datetime.timedelta(minutes=1)


class TestTimelineFunctions(base.TestCase):

    def test_count_is_exact_and_minimal(self):
        h = lambda n: T0 + datetime.timedelta(hours=n)  # noqa: E731
        steps = timeline.count(h(0), h(10), [(h(1), h(3)), (h(2), h(5)),
                                             (h(5), h(6)), (h(-1), h(1))])
        self.assertEqual([(h(0), h(2), 1), (h(2), h(3), 2), (h(3), h(6), 1),
                          (h(6), h(10), 0)], steps)

    def test_subtract_and_merge(self):
        h = lambda n: T0 + datetime.timedelta(hours=n)  # noqa: E731
        self.assertEqual([(h(1), h(6))],
                         timeline.merge([(h(2), h(5)), (h(1), h(3)),
                                         (h(5), h(6))]))
        self.assertEqual([(h(0), h(2)), (h(3), h(5))],
                         timeline.subtract([(h(0), h(10))],
                                           [(h(2), h(3)), (h(5), h(20))]))


class TestHostTimeline(base.TestCase):

    def _random_world(self, seed):
        rng = random.Random(seed)
        hosts, allocs, changes = 6, [], []
        with db.writer() as session:
            for i in range(1, hosts + 1):
                host = models.Host(
                    id=i, hypervisor_hostname='c%d' % i,
                    service_name='c%d' % i, vcpus=4, memory_mb=1024 * i,
                    local_gb=10, reservable=True,
                    generation=0)
                host.capabilities.append(models.HostCapability(
                    name='rack', value=str(i % 2)))
                session.add(host)
            lease = models.Lease(id='l', name='l', project_id='p',
                                 status='PENDING', degraded=False,
                                 start_date=T0, end_date=T0)
            session.add(lease)
            for n in range(12):
                lease.reservations.append(models.Reservation(
                    id='r%d' % n, resource_type='physical:host',
                    status='pending', missing_resources=False,
                    resources_changed=False))
            session.flush()
            for n in range(12):
                # Whole-host allocations of one host never overlap (the
                # engine's guarantee, which the timeline relies on).
                while True:
                    host_id = rng.randint(1, hosts)
                    start = T0 + rng.randint(0, 300) * MIN
                    end = start + rng.randint(1, 200) * MIN
                    if not any(h == host_id and s < end and start < e
                               for h, s, e in allocs):
                        break
                allocs.append((host_id, start, end))
                session.add(models.HostAllocation(
                    reservation_id='r%d' % n, host_id=host_id,
                    start_date=start, end_date=end))
            for n in range(3):
                host_id = rng.randint(1, hosts)
                start = T0 + rng.randint(0, 400) * MIN
                end = (None if n == 0 else
                       start + rng.randint(10, 100) * MIN)
                kind = 'unavailable' if n < 2 else 'available'
                changes.append((host_id, kind, start, end))
                session.add(models.CapacityChange(
                    id='c%d' % n, host_id=host_id, type=kind,
                    start_date=start, end_date=end))
        return hosts, allocs, changes

    @staticmethod
    def _brute(moment, hosts, allocs, changes, match):
        total = reserved = 0
        for h in range(1, hosts + 1):
            if not match(h):
                continue
            out = False
            for host_id, kind, start, end in changes:
                if host_id != h:
                    continue
                if kind == 'unavailable' and start <= moment and (
                        end is None or moment < end):
                    out = True
                if kind == 'available' and moment < start:
                    out = True
            if out:
                continue
            total += 1
            if any(host_id == h and s <= moment < e
                   for host_id, s, e in allocs):
                reserved += 1
        return total, reserved

    def test_matches_brute_force(self):
        for seed in range(5):
            with db.writer() as session:
                for table in ('capacity_changes', 'host_allocations',
                              'reservations', 'leases', 'host_capabilities',
                              'hosts'):
                    session.execute(
                        models.Base.metadata.tables[table].delete())
            hosts, allocs, changes = self._random_world(seed)
            windows = [(T0, T0 + 500 * MIN),
                       (T0 + 37 * MIN, T0 + 222 * MIN)]
            filters = [(None, None, lambda h: True),
                       (None, ['==', '$rack', '1'], lambda h: h % 2 == 1),
                       (['>=', '$memory_mb', '3072'], None,
                        lambda h: h >= 3)]
            for start, end in windows:
                for hyper, resource, match in filters:
                    with db.reader() as session:
                        steps = capacity.host_timeline(
                            session, start, end, hyper, resource)
                    # Steps tile the window and each changes something.
                    self.assertEqual(start, steps[0][0])
                    self.assertEqual(end, steps[-1][1])
                    for a, b in zip(steps, steps[1:]):
                        self.assertEqual(a[1], b[0])
                        self.assertNotEqual(a[2], b[2])
                    moment = start
                    while moment < end:
                        total, reserved = self._brute(moment, hosts, allocs,
                                                      changes, match)
                        step = next(v for s, e, v in steps
                                    if s <= moment < e)
                        self.assertEqual(
                            (total, reserved, total - reserved),
                            (step['total'], step['reserved'],
                             step['available']),
                            'seed %d at %s' % (seed, moment))
                        moment += MIN
