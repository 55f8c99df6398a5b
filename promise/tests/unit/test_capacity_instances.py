"""virtual:instance capacity over time equals a brute-force evaluation,
and the API serves it."""

import datetime
import random

from oslo_serialization import jsonutils
import webob

from promise.common import shapes
from promise.db import api as db
from promise.db import models
from promise.plugins.instances import capacity
from promise.tests.unit import base

T0 = datetime.datetime(2031, 5, 1, 0, 0)
MIN = datetime.timedelta(minutes=1)
CAPS = {1: (8, 16384, 100), 2: (4, 8192, 50), 3: (16, 4096, 200)}


class TestInstanceTimeline(base.TestCase):

    def setUp(self):
        super().setUp()
        rng = random.Random(7)
        self.slot_allocs, self.whole, self.down = [], [], []
        with db.writer() as session:
            for host_id, (vcpus, mem, disk) in CAPS.items():
                host = models.Host(
                    id=host_id, hypervisor_hostname='c%d' % host_id,
                    service_name='c%d' % host_id, vcpus=vcpus,
                    memory_mb=mem, local_gb=disk, reservable=True,
                    generation=0)
                host.capacity_vcpus, host.capacity_memory_mb = vcpus, mem
                host.capacity_disk_gb = disk
                host.capabilities.append(models.HostCapability(
                    name='ssd', value='true' if host_id != 2 else 'false'))
                session.add(host)
            lease = models.Lease(id='l', name='l', project_id='p',
                                 status='PENDING', degraded=False,
                                 start_date=T0, end_date=T0)
            session.add(lease)
            for n in range(10):
                lease.reservations.append(models.Reservation(
                    id='r%d' % n, resource_type='virtual:instance',
                    status='pending', missing_resources=False,
                    resources_changed=False))
            session.flush()
            for n in range(9):
                host_id = rng.choice(list(CAPS))
                start = T0 + rng.randint(0, 200) * MIN
                end = start + rng.randint(5, 150) * MIN
                shape = (rng.choice([1, 2]), rng.choice([512, 1024]),
                         rng.choice([1, 10]))
                count = rng.randint(1, 2)
                self.slot_allocs.append((host_id, start, end, count, shape))
                session.add(models.InstanceAllocation(
                    reservation_id='r%d' % n, host_id=host_id, slots=count,
                    vcpus=shape[0], memory_mb=shape[1], disk_gb=shape[2],
                    start_date=start, end_date=end))
            # Host 3 is held whole for a while, host 2 planned down.
            self.whole.append((3, T0 + 50 * MIN, T0 + 90 * MIN))
            session.add(models.HostAllocation(
                reservation_id='r9', host_id=3, start_date=T0 + 50 * MIN,
                end_date=T0 + 90 * MIN))
            self.down.append((2, T0 + 120 * MIN, T0 + 140 * MIN))
            session.add(models.CapacityChange(
                id='c', host_id=2, type='unavailable',
                start_date=T0 + 120 * MIN, end_date=T0 + 140 * MIN))

    def brute(self, moment, hosts, shape=None):
        per = {'vcpus': [0, 0], 'memory_mb': [0, 0], 'disk_gb': [0, 0]}
        total_fit = free_fit = 0
        for host_id in hosts:
            if any(h == host_id and s <= moment < e
                   for h, s, e in self.whole + self.down):
                continue
            cap = CAPS[host_id]
            used = [0, 0, 0]
            for h, s, e, count, sh in self.slot_allocs:
                if h == host_id and s <= moment < e:
                    used = [u + count * x for u, x in zip(used, sh)]
            for i, name in enumerate(('vcpus', 'memory_mb', 'disk_gb')):
                per[name][0] += cap[i]
                per[name][1] += used[i]
            if shape:
                total_fit += min(c // s for c, s in zip(cap, shape) if s)
                free_fit += min((c - u) // s
                                for c, u, s in zip(cap, used, shape) if s)
        return per, total_fit, free_fit

    def test_resources_and_shapes_match_brute_force(self):
        windows = [(T0, T0 + 360 * MIN), (T0 + 47 * MIN, T0 + 133 * MIN)]
        for start, end in windows:
            for query, hosts in ((None, (1, 2, 3)),
                                 (['==', '$ssd', 'true'], (1, 3))):
                with db.reader() as session:
                    plain = capacity.instance_timeline(session, start, end,
                                                       query)
                    shaped = capacity.instance_timeline(
                        session, start, end, query, shapes.Shape(2, 1024, 10))
                for steps in (plain, shaped):
                    self.assertEqual((start, end),
                                     (steps[0][0], steps[-1][1]))
                    for a, b in zip(steps, steps[1:]):
                        self.assertEqual(a[1], b[0])
                        self.assertNotEqual(a[2], b[2])
                moment = start
                while moment < end:
                    per, total_fit, free_fit = self.brute(
                        moment, hosts, (2, 1024, 10))
                    step = next(v for s, e, v in plain if s <= moment < e)
                    for name, (total, reserved) in per.items():
                        self.assertEqual(
                            (total, reserved, total - reserved),
                            (step[name]['total'], step[name]['reserved'],
                             step[name]['available']), (name, moment))
                    step = next(v for s, e, v in shaped if s <= moment < e)
                    self.assertEqual((total_fit, free_fit),
                                     (step['total'], step['available']),
                                     moment)
                    moment += MIN

    def test_api(self):
        app = self.useFixture(base.APIFixture(self.conf_fixture)).app

        def get(query):
            req = webob.Request.blank('/v1/capacity?' + query, headers={
                'X-Project-Id': 'p', 'X-User-Id': 'u', 'X-Roles': 'reader'})
            resp = req.get_response(app)
            return resp.status_int, jsonutils.loads(resp.body)

        window = 'start_date=2031-05-01 00:00&end_date=2031-05-01 06:00'
        code, body = get('resource_type=virtual:instance&' + window +
                         '&vcpus=2&memory_mb=1024&disk_gb=10')
        self.assertEqual(200, code, body)
        self.assertEqual('instances', body['capacity']['unit'])
        first = body['capacity']['timeline'][0]
        self.assertEqual('2031-05-01T00:00:00.000000', first['start_date'])
        code, body = get('resource_type=virtual:instance&' + window)
        self.assertEqual(200, code, body)
        self.assertEqual({'vcpus', 'memory_mb', 'disk_gb'},
                         set(body['capacity']['min_available']))
        for bad in ('resource_type=virtual:instance&vcpus=x',
                    'resource_type=virtual:instance&vcpus=0',
                    'resource_type=physical:host&vcpus=1',
                    'resource_type=thing'):
            self.assertEqual(400, get(bad)[0], bad)
