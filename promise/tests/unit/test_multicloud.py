"""ONAP Multicloud check_vim_capacity v0 / v1 against the capacity model:
requests just under and just over what is free, now and in a future window
where a reservation takes capacity; Memory and Storage in GB."""

import datetime

from oslo_serialization import jsonutils
import webob

from promise.common import dates
from promise.db import api as db
from promise.db import models
from promise.engine import net_value
from promise.plugins.instances import capacity
from promise.tests.unit import base

MIN = datetime.timedelta(minutes=1)
# host id: (vcpus, memory_mb, disk_gb, availability zone)
HOSTS = {1: (8, 16384, 100, 'az1'), 2: (4, 8192, 50, None)}
V0_ID = 'onap_RegionOne'
V1_ID = {'cloud-owner': 'onap', 'cloud-region-id': 'RegionOne'}


def add_hosts(hosts=HOSTS, used=None):
    with db.writer() as session:
        for host_id, (vcpus, mem, disk, zone) in hosts.items():
            host = models.Host(
                id=host_id, hypervisor_hostname='c%d' % host_id,
                service_name='c%d' % host_id, vcpus=vcpus, memory_mb=mem,
                local_gb=disk, reservable=True, generation=0,
                availability_zone=zone)
            host.capacity_vcpus, host.capacity_memory_mb = vcpus, mem
            host.capacity_disk_gb = disk
            if used and host_id in used:
                (host.used_vcpus, host.used_memory_mb,
                 host.used_disk_gb) = used[host_id]
            session.add(host)


def add_slots(host_id, start, end, count, shape):
    """A virtual:instance reservation holding ``count`` slots."""
    with db.writer() as session:
        lease = models.Lease(id='l', name='l', project_id='p',
                             status='PENDING', degraded=False,
                             start_date=start, end_date=end)
        session.add(lease)
        lease.reservations.append(models.Reservation(
            id='r', resource_type='virtual:instance', status='pending',
            missing_resources=False, resources_changed=False))
        session.flush()
        session.add(models.InstanceAllocation(
            reservation_id='r', host_id=host_id, slots=count,
            vcpus=shape[0], memory_mb=shape[1], disk_gb=shape[2],
            start_date=start, end_date=end))


def fmt(moment):
    return moment.strftime('%Y-%m-%d %H:%M')


class MulticloudTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='multicloud', cloud_owner='onap',
                   cloud_region_id='RegionOne')
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app
        # A reservation tomorrow: 2 slots of 2 vCPU / 2 GB / 10 GB on az1.
        self.t1 = base.minute(base.utcnow()) + base.hours(24)
        self.t2 = self.t1 + base.hours(2)

    def post(self, path, body, roles='reader'):
        req = webob.Request.blank(path, method='POST', headers={
            'X-Project-Id': 'p', 'X-User-Id': 'u', 'X-Roles': roles})
        req.content_type = 'application/json'
        req.body = jsonutils.dump_as_bytes(body)
        resp = req.get_response(self.app)
        return resp.status_int, jsonutils.loads(resp.body)

    def v0(self, **body):
        body.setdefault('VIMs', [V0_ID])
        code, answer = self.post('/api/multicloud/v0/check_vim_capacity',
                                 body)
        self.assertEqual(200, code, answer)
        return answer['VIMs']

    def v1(self, **body):
        body.setdefault('VIMs', [V1_ID])
        code, answer = self.post('/api/multicloud/v1/check_vim_capacity',
                                 body)
        self.assertEqual(200, code, answer)
        return answer['VIMs']

    def future(self):
        return {'start_date': fmt(self.t1 - base.hours(1)),
                'end_date': fmt(self.t1 + base.hours(1))}


class TestCheckVimCapacity(MulticloudTestCase):

    def setUp(self):
        super().setUp()
        add_hosts()
        add_slots(1, self.t1, self.t2, 2, (2, 2048, 10))

    def test_v0_now_just_under_and_over(self):
        # Free now: 12 vCPU, 24 GB, 150 GB.
        self.assertEqual([V0_ID], self.v0(vCPU=12, Memory=24, Storage=150))
        self.assertEqual([V0_ID], self.v0())  # missing fields are 0
        self.assertEqual([], self.v0(vCPU=13))
        self.assertEqual([], self.v0(Memory=25))
        self.assertEqual([], self.v0(Memory=24.01))
        self.assertEqual([], self.v0(Storage=151))

    def test_v0_future_window_with_reservation(self):
        window = self.future()
        # Tomorrow the reservation takes 4 vCPU, 4 GB, 20 GB.
        self.assertEqual([V0_ID], self.v0(vCPU=8, Memory=20, Storage=130,
                                          **window))
        self.assertEqual([], self.v0(vCPU=9, **window))
        self.assertEqual([], self.v0(Memory=21, **window))
        self.assertEqual([], self.v0(Storage=131, **window))
        # Before the reservation starts everything is free.
        before = {'start_date': fmt(self.t1 - base.hours(2)),
                  'end_date': fmt(self.t1)}
        self.assertEqual([V0_ID], self.v0(vCPU=12, **before))
        # The default window is now: the reservation is not there yet.
        self.assertEqual([V0_ID], self.v0(vCPU=12))

    def test_v0_answers_only_for_its_region(self):
        self.assertEqual([], self.v0(VIMs=['other_RegionOne', 'onap_R2']))
        self.assertEqual([V0_ID], self.v0(VIMs=['x_y', V0_ID, V0_ID]))
        self.assertEqual([], self.v0(VIMs=[]))

    def test_v1_figures_per_zone(self):
        vims = self.v1(vCPU=8, Memory=20, Storage=130, **self.future())
        self.assertEqual(1, len(vims))
        self.assertEqual('onap', vims[0]['cloud-owner'])
        self.assertEqual('RegionOne', vims[0]['cloud-region-id'])
        self.assertEqual([
            {'availability-zone-name': 'az1', 'vCPUAvail': 4,
             'MemoryAvail': 12, 'StorageAvail': 80, 'vCPUTotal': 8,
             'MemoryTotal': 16, 'StorageTotal': 100},
            {'availability-zone-name': 'nova', 'vCPUAvail': 4,
             'MemoryAvail': 8, 'StorageAvail': 50, 'vCPUTotal': 4,
             'MemoryTotal': 8, 'StorageTotal': 50}], vims[0]['AZs'])
        self.assertEqual([], self.v1(vCPU=9, **self.future()))
        self.assertEqual([], self.v1(Memory=21, **self.future()))
        self.assertEqual([], self.v1(Storage=131, **self.future()))
        now = self.v1(vCPU=12, Memory=24, Storage=150)
        self.assertEqual(8, now[0]['AZs'][0]['vCPUAvail'])
        self.assertEqual([], self.v1(vCPU=13))

    def test_v1_answers_only_for_its_region(self):
        other = [{'cloud-owner': 'onap', 'cloud-region-id': 'R2'},
                 {'cloud-owner': 'x', 'cloud-region-id': 'RegionOne'}]
        self.assertEqual([], self.v1(VIMs=other))
        vims = self.v1(VIMs=other + [V1_ID])
        self.assertEqual([('onap', 'RegionOne')],
                         [(v['cloud-owner'], v['cloud-region-id'])
                          for v in vims])

    def test_errors_not_guesses(self):
        path = '/api/multicloud/v0/check_vim_capacity'
        past = base.minute(base.utcnow()) - base.hours(3)
        for body in ({'vCPU': -1, 'VIMs': [V0_ID]},
                     {'vCPU': 'ten', 'VIMs': [V0_ID]},
                     {'vCPU': 1},
                     {'vCPU': 1, 'VIMs': [V0_ID], 'cpu': 1},
                     {'VIMs': [V0_ID], 'start_date': 'tomorrow'},
                     dict(self.future(), VIMs=[V0_ID],
                          end_date=fmt(self.t1 - base.hours(2))),
                     {'VIMs': [V0_ID], 'start_date': fmt(past),
                      'end_date': fmt(past + base.hours(1))},
                     {'VIMs': [V0_ID], 'start_date': fmt(self.t1),
                      'end_date': fmt(self.t1 + base.hours(24 * 400))}):
            code, answer = self.post(path, body)
            self.assertEqual(400, code, (body, answer))
            self.assertIn('error_message', answer)
        code, answer = self.post('/api/multicloud/v1/check_vim_capacity',
                                 {'VIMs': [{'cloud-owner': 'onap'}]})
        self.assertEqual(400, code, answer)

    def test_not_configured_is_an_error(self):
        self.flags(group='multicloud', cloud_region_id=None)
        for version, vims in (('v0', [V0_ID]), ('v1', [V1_ID])):
            code, answer = self.post(
                '/api/multicloud/%s/check_vim_capacity' % version,
                {'VIMs': vims})
            self.assertEqual(503, code, answer)
            self.assertIn('cloud_region_id', answer['error_message'])

    def test_policy(self):
        code, answer = self.post('/api/multicloud/v0/check_vim_capacity',
                                 {'VIMs': [V0_ID]}, roles='observer')
        self.assertEqual(403, code, answer)

    def test_start_now_keyword(self):
        self.assertEqual([V0_ID], self.v0(vCPU=12, start_date='now'))


class TestOrdinaryUsage(MulticloudTestCase):
    """What Placement shows ordinary servers using counts now, as when the
    allocation engine places slots, and not in a future window."""

    def setUp(self):
        super().setUp()
        add_hosts(used={2: (3, 4096, 5)})

    def test_now_and_future(self):
        self.assertEqual([V0_ID], self.v0(vCPU=9, Memory=20, Storage=145))
        self.assertEqual([], self.v0(vCPU=10))
        self.assertEqual([], self.v0(Memory=21))
        self.assertEqual([], self.v0(Storage=146))
        self.assertEqual([V0_ID], self.v0(vCPU=12, **self.future()))
        zones = self.v1()[0]['AZs']
        self.assertEqual(('nova', 1, 4, 4, 8),
                         (zones[1]['availability-zone-name'],
                          zones[1]['vCPUAvail'], zones[1]['vCPUTotal'],
                          zones[1]['MemoryAvail'], zones[1]['MemoryTotal']))


class TestNoHosts(MulticloudTestCase):

    def test_nothing_fits_but_zero(self):
        self.assertEqual([V0_ID], self.v0())
        self.assertEqual([], self.v0(vCPU=1))
        self.assertEqual([{'cloud-owner': 'onap',
                           'cloud-region-id': 'RegionOne', 'AZs': []}],
                         self.v1())


class TestZoneTimelines(base.TestCase):
    """The zones add up to capacity.instance_timeline."""

    def test_zones_sum_to_the_instance_timeline(self):
        add_hosts({1: (8, 16384, 100, 'a'), 2: (4, 8192, 50, None),
                   3: (16, 4096, 200, 'a')})
        t0 = datetime.datetime(2031, 5, 1)
        add_slots(3, t0 + 10 * MIN, t0 + 50 * MIN, 3, (1, 512, 10))
        start, end = t0, t0 + 90 * MIN
        now = dates.utcnow()
        with db.reader() as session:
            plain = capacity.instance_timeline(session, start, end)
            zones = net_value.zone_timelines(session, start, end, 'nova',
                                             now=now)
            region = net_value.region_timeline(session, start, end, now=now)
        self.assertEqual({'a', 'nova'}, set(zones))
        moment = start
        while moment < end:
            want = next(v for s, e, v in plain if s <= moment < e)
            got = next(v for s, e, v in region if s <= moment < e)
            for name in net_value.RESOURCES:
                self.assertEqual(want[name], got[name], (name, moment))
                self.assertEqual(
                    want[name]['available'],
                    sum(next(v for s, e, v in steps if s <= moment < e)
                        [name]['available'] for steps in zones.values()))
            moment += 5 * MIN
