"""/v1/capacity on a real cloud equals a brute-force evaluation.

Leases (a host lease and instance leases) are made through the API on the
cloud's registered computes; the brute force reads the raw rows of
Promise's database (hosts, allocations, planned changes) and evaluates
every minute of several windows with its own simple code.
"""

import datetime
import json

import sqlalchemy as sa

from promise.tests.cloud import test_instance_reservations as instances

MIN = datetime.timedelta(minutes=1)


def out(value):
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f')


class TestCapacityTimeline(instances.InstanceReservationBase):

    def setUp(self):
        super().setUp()
        self.engine = self.promise_db()

    def rows(self):
        with self.engine.connect() as conn:
            hosts = {r.id: r for r in conn.execute(sa.text(
                'SELECT id, capacity_vcpus, capacity_memory_mb, '
                'capacity_disk_gb, reservable, health FROM hosts'))}
            whole = conn.execute(sa.text(
                'SELECT host_id, start_date, end_date FROM '
                'host_allocations')).all()
            slots = conn.execute(sa.text(
                'SELECT host_id, start_date, end_date, slots, vcpus, '
                'memory_mb, disk_gb FROM instance_allocations')).all()
            changes = conn.execute(sa.text(
                'SELECT host_id, type, start_date, end_date FROM '
                'capacity_changes')).all()
        return hosts, whole, slots, changes

    @staticmethod
    def brute(moment, hosts, whole, slots, changes):
        host_unit = [0, 0]
        res = {'vcpus': [0, 0], 'memory_mb': [0, 0], 'disk_gb': [0, 0]}
        for host_id, host in hosts.items():
            if not host.reservable or host.health != 'up':
                continue
            if any(c.host_id == host_id and (
                    (c.type == 'unavailable' and c.start_date <= moment and
                     (c.end_date is None or moment < c.end_date)) or
                    (c.type == 'available' and moment < c.start_date))
                   for c in changes):
                continue
            held_whole = any(a.host_id == host_id and
                             a.start_date <= moment < a.end_date
                             for a in whole)
            used = [0, 0, 0]
            for a in slots:
                if a.host_id == host_id and a.start_date <= moment < \
                        a.end_date:
                    used = [u + a.slots * x for u, x in
                            zip(used, (a.vcpus, a.memory_mb, a.disk_gb))]
            host_unit[0] += 1
            if held_whole or any(used):
                host_unit[1] += 1
            if held_whole or host.capacity_vcpus is None:
                continue
            caps = (host.capacity_vcpus, host.capacity_memory_mb,
                    host.capacity_disk_gb)
            for name, cap, u in zip(('vcpus', 'memory_mb', 'disk_gb'), caps,
                                    used):
                res[name][0] += cap
                res[name][1] += u
        return host_unit, res

    def capacity(self, query):
        resp = self.promise('GET', '/capacity?' + query, who='demo')
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['capacity']

    def test_timeline_matches_brute_force(self):
        base = (instances.utcnow() + datetime.timedelta(days=3)).replace(
            second=0, microsecond=0)
        self.create_lease({'resource_type': 'physical:host', 'min': 1,
                           'max': 1}, start=base + 60 * MIN, minutes=120)
        for offset, amount in ((90, 3), (150, 2)):
            self.create_lease({
                'resource_type': 'virtual:instance', 'amount': amount,
                'vcpus': 2, 'memory_mb': 1024, 'disk_gb': 10,
                'affinity': None, 'resource_properties': ''},
                start=base + offset * MIN, minutes=100)
        hosts, whole, slots, changes = self.rows()
        windows = [(base, base + 300 * MIN),
                   (base + 75 * MIN, base + 160 * MIN)]
        for start, end in windows:
            span = 'start_date=%s&end_date=%s' % (
                instances.minute(start), instances.minute(end))
            host_cap = self.capacity('resource_type=physical:host&' + span)
            inst_cap = self.capacity('resource_type=virtual:instance&' +
                                     span)
            self.assertEqual(out(start), host_cap['timeline'][0][
                'start_date'])
            self.assertEqual(out(end), host_cap['timeline'][-1]['end_date'])
            moment = start
            while moment < end:
                host_unit, res = self.brute(moment, hosts, whole, slots,
                                            changes)
                stamp = out(moment)
                step = next(s for s in host_cap['timeline']
                            if s['start_date'] <= stamp < s['end_date'])
                self.assertEqual(
                    (host_unit[0], host_unit[1],
                     host_unit[0] - host_unit[1]),
                    (step['total'], step['reserved'], step['available']),
                    'hosts at %s' % moment)
                step = next(s for s in inst_cap['timeline']
                            if s['start_date'] <= stamp < s['end_date'])
                for name, (total, reserved) in res.items():
                    self.assertEqual(
                        (total, reserved, total - reserved),
                        (step[name]['total'], step[name]['reserved'],
                         step[name]['available']),
                        '%s at %s' % (name, moment))
                moment += 5 * MIN
        # A filter that matches no host gives zeros throughout.
        empty = self.capacity('resource_type=physical:host&'
                              'resource_properties=' +
                              json.dumps(['==', '$nothing', 'x']))
        self.assertEqual([0], sorted({s['total']
                                      for s in empty['timeline']}))
