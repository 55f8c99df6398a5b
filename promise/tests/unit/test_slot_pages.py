"""Instance slots placed from the first pages of candidate hosts are the
placement all hosts give, and hosts the database leaves out (too small for
the shape, not matching the query) are never hosts with free slots.
Random worlds on SQLite, checked against a scan of every host."""

import datetime
import random

import fixtures

from promise.common import properties
from promise.common import shapes
from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise.plugins.instances import slots
from promise.tests.unit import base

T0 = datetime.datetime(2031, 5, 1, 0, 0)
MIN = datetime.timedelta(minutes=1)
HOSTS = 30
QUERIES = [None, ['==', '$ssd', 'true'], ['>=', '$memory_mb', 4096],
           ['or', ['==', '$rack', '1'], ['<', '$vcpus', 8]],
           ['not', ['==', '$ssd', 'true']]]


class TestSlotPages(base.TestCase):

    def _world(self, rng):
        with db.writer() as session:
            for table in ('instance_allocations', 'host_allocations',
                          'reservations', 'leases', 'host_capabilities',
                          'hosts'):
                session.execute(models.Base.metadata.tables[table].delete())
            for i in range(1, HOSTS + 1):
                vcpus = rng.choice([1, 2, 4, 8, 16])
                host = models.Host(
                    id=i, hypervisor_hostname='c%d' % i,
                    service_name='c%d' % i, vcpus=vcpus,
                    memory_mb=1024 * vcpus, local_gb=10 * vcpus,
                    reservable=rng.random() > 0.1, generation=0,
                    capacity_vcpus=(None if rng.random() < 0.05 else vcpus),
                    capacity_memory_mb=1024 * vcpus,
                    capacity_disk_gb=10 * vcpus,
                    used_vcpus=rng.choice([0, 0, 1, 2]),
                    used_memory_mb=rng.choice([0, 512, 2048]),
                    used_disk_gb=0)
                host.capabilities.append(models.HostCapability(
                    name='ssd', value=rng.choice(['true', 'false'])))
                host.capabilities.append(models.HostCapability(
                    name='rack', value=str(i % 3)))
                session.add(host)
            session.flush()
            lease = models.Lease(id='l', name='l', project_id='p',
                                 status='PENDING', degraded=False,
                                 start_date=T0, end_date=T0)
            session.add(lease)
            for n in range(20):
                lease.reservations.append(models.Reservation(
                    id='r%d' % n, resource_type='virtual:instance',
                    status='pending', missing_resources=False,
                    resources_changed=False))
            session.flush()
            for n in range(20):
                start = T0 + rng.randint(0, 300) * MIN
                end = start + rng.randint(10, 300) * MIN
                if n < 3:
                    session.add(models.HostAllocation(
                        reservation_id='r%d' % n,
                        host_id=rng.randint(1, HOSTS),
                        start_date=start, end_date=end))
                    continue
                session.add(models.InstanceAllocation(
                    reservation_id='r%d' % n, host_id=rng.randint(1, HOSTS),
                    slots=rng.randint(1, 3), vcpus=rng.choice([1, 2]),
                    memory_mb=1024, disk_gb=10, start_date=start,
                    end_date=end))

    @staticmethod
    def _every_host(session, start, end, shape, query, now):
        """Free slots on every candidate host, matched one by one."""
        includes_now = start <= now < end
        free = {}
        for host in slots.candidate_hosts(session, start, end):
            hyper, resource = host_db.host_properties(host)
            if not properties.matches(query, dict(hyper, **resource)):
                continue
            usages = slots.usages_by_host(session, [host.id], start, end,
                                          now=now)[host.id]
            free[host.id] = slots.free_slots(
                slots.host_capacity(host, includes_now), usages, start, end,
                shape)
        return free

    def test_pages_place_as_all_hosts_do(self):
        now = base.utcnow()
        for seed in range(8):
            rng = random.Random(seed)
            self._world(rng)
            for query in QUERIES:
                shape = shapes.Shape(rng.choice([1, 2, 4]),
                                     rng.choice([512, 2048, 8192]),
                                     rng.choice([0, 10]))
                start = T0 + rng.randint(0, 300) * MIN
                # Now and then a window through now: ordinary usage counts.
                if rng.random() < 0.2:
                    start = now - 5 * MIN
                end = start + rng.randint(10, 200) * MIN
                with db.reader() as session:
                    every = self._every_host(session, start, end, shape,
                                             query, now)
                    _, free = slots.free_by_host(session, start, end, shape,
                                                 query, now=now)
                # The database may leave out only hosts with no free slot.
                self.assertEqual({h: n for h, n in every.items() if n},
                                 {h: n for h, n in free.items() if n},
                                 (seed, query, shape))
                for affinity in (None, True, False):
                    amount = rng.randint(1, 12)
                    expected = slots.place(every, amount, affinity)
                    for page in (1, 3, 64):
                        self.useFixture(fixtures.MonkeyPatch(
                            'promise.plugins.instances.slots.PAGE', page))
                        got = self._choose(start, end, amount, shape,
                                           affinity, query, now)
                        self.assertEqual(expected, got,
                                         (seed, query, affinity, page))

    @staticmethod
    def _choose(start, end, amount, shape, affinity, query, now):
        with db.writer() as session:
            savepoint = session.begin_nested()
            try:
                return slots.choose(session, start, end, amount, shape,
                                    affinity, query, now=now)
            except exceptions.CapacityConflict:
                return None
            finally:
                savepoint.rollback()
