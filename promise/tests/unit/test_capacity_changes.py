"""Planned capacity changes re-home or flag the reservations they hit."""

import datetime

from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from promise.db import api as db
from promise.db import models
from promise.plugins.hosts import plugin as host_plugin
from promise.tests.unit import base
from promise.tests.unit import test_offers

HOUR = datetime.timedelta(hours=1)
fmt = test_offers.fmt


class TestCapacityChanges(base.TestCase):

    def setUp(self):
        super().setUp()
        self.set_plugins({'physical:host': host_plugin.HostPlugin(
            test_offers.NoNova())})
        self.api = self.useFixture(base.APIFixture(self.conf_fixture))
        with db.writer() as session:
            for i in (1, 2, 3):
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=4, memory_mb=4096,
                    local_gb=10, reservable=True, generation=0))
        self.t0 = base.minute(base.utcnow()) + datetime.timedelta(days=1)

    def call(self, method, path, body=None, roles='admin'):
        req = webob.Request.blank('/v1' + path, method=method,
                                  headers={'X-Project-Id': 'p1',
                                           'X-User-Id': 'u1',
                                           'X-Roles': roles})
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
        resp = req.get_response(self.api.app)
        return resp.status_int, (resp.json if resp.body else None)

    def lease(self, name, count, start=None, hours=2):
        start = start or self.t0
        code, body = self.call('POST', '/leases', {
            'name': name, 'start_date': fmt(start),
            'end_date': fmt(start + hours * HOUR),
            'reservations': [{'resource_type': 'physical:host',
                              'min': count, 'max': count}]})
        self.assertEqual(201, code, body)
        return body['lease']

    def hosts_of(self, lease_id):
        with db.reader() as session:
            return sorted(session.execute(sa.text(
                'SELECT a.host_id FROM host_allocations a JOIN reservations '
                'r ON r.id = a.reservation_id WHERE r.lease_id = :l'),
                {'l': lease_id}).scalars())

    def test_downtime_rehomes_then_flags(self):
        first = self.lease('first', 1)
        self.assertEqual([1], self.hosts_of(first['id']))
        code, body = self.call('POST', '/capacity-changes', {
            'host_id': '1', 'type': 'unavailable',
            'start_date': fmt(self.t0 + HOUR / 2), 'end_date': None,
            'reason': 'disk replacement'})
        self.assertEqual(201, code, body)
        change = body['capacity_change']
        [affected] = change['affected_reservations']
        self.assertEqual(('moved', '1', '2'), (affected['outcome'],
                                               affected['old_host_id'],
                                               affected['new_host_id']))
        self.assertEqual([2], self.hosts_of(first['id']))
        res = self.call('GET', '/leases/%s' % first['id'])[1]['lease']
        self.assertTrue(res['reservations'][0]['resources_changed'])
        self.assertFalse(res['degraded'])

        # Host 3 goes to another lease; a downtime of host 2 now leaves
        # nowhere to go.
        second = self.lease('second', 1)
        self.assertEqual([3], self.hosts_of(second['id']))
        code, body = self.call('POST', '/capacity-changes', {
            'host_id': 'compute2', 'type': 'unavailable',
            'start_date': fmt(self.t0), 'end_date': fmt(self.t0 + HOUR)})
        self.assertEqual(201, code, body)
        [affected] = body['capacity_change']['affected_reservations']
        self.assertEqual('missing', affected['outcome'])
        res = self.call('GET', '/leases/%s' % first['id'])[1]['lease']
        self.assertTrue(res['degraded'])
        self.assertTrue(res['reservations'][0]['missing_resources'])

        # The pool shrank: a new lease in that window finds no host.
        code, body = self.call('POST', '/leases/check', {
            'name': 'x', 'start_date': fmt(self.t0),
            'end_date': fmt(self.t0 + HOUR),
            'reservations': [{'resource_type': 'physical:host',
                              'min': 1, 'max': 1}]})
        self.assertFalse(body['feasible'])

        code, body = self.call('GET', '/capacity-changes')
        self.assertEqual(2, len(body['capacity_changes']))
        code, body = self.call('GET', '/capacity?start_date=%s&end_date=%s'
                               % (fmt(self.t0), fmt(self.t0 + HOUR)))
        self.assertEqual(200, code, body)
        steps = body['capacity']['timeline']
        # Host 1 leaves at t0+30m, host 2 is down for the hour, host 3 is
        # held by the second lease; the flagged lease on host 2 does not
        # count against the pool.
        self.assertEqual([(2, 1, 1), (1, 1, 0)],
                         [(s['total'], s['reserved'], s['available'])
                          for s in steps])
        self.assertEqual(0, body['capacity']['min_available'])

    def test_future_join_keeps_host_out_until_then(self):
        code, body = self.call('POST', '/capacity-changes', {
            'host_id': '3', 'type': 'available',
            'start_date': fmt(self.t0 + 10 * HOUR)})
        self.assertEqual(201, code, body)
        for name in ('a', 'b'):
            self.lease(name, 1)
        code, body = self.call('POST', '/leases', {
            'name': 'c', 'start_date': fmt(self.t0),
            'end_date': fmt(self.t0 + HOUR),
            'reservations': [{'resource_type': 'physical:host',
                              'min': 1, 'max': 1}]})
        self.assertEqual(409, code)
        later = self.lease('d', 1, start=self.t0 + 10 * HOUR)
        self.assertEqual([1], self.hosts_of(later['id']))

        change_id = self.call('GET', '/capacity-changes')[1][
            'capacity_changes'][0]['id']
        self.assertEqual(204, self.call(
            'DELETE', '/capacity-changes/%s' % change_id)[0])
        self.assertEqual(404, self.call(
            'GET', '/capacity-changes/%s' % change_id)[0])
        self.lease('e', 1)

    def test_bad_input_and_policy(self):
        cases = [
            ({'host_id': '1', 'type': 'broken', 'start_date': 'now'}, 400),
            ({'host_id': '9', 'type': 'unavailable', 'start_date': 'now'},
             404),
            ({'host_id': '1', 'type': 'available', 'start_date': 'now',
              'end_date': fmt(self.t0)}, 400),
            ({'host_id': '1', 'type': 'unavailable',
              'start_date': fmt(self.t0), 'end_date': fmt(self.t0)}, 400),
            ({'host_id': '1', 'type': 'unavailable', 'start_date': 'x'},
             400),
        ]
        for body, status in cases:
            self.assertEqual(status, self.call('POST', '/capacity-changes',
                                               body)[0], body)
        self.assertEqual(403, self.call('GET', '/capacity-changes',
                                        roles='member')[0])
        self.assertEqual([], self.call('GET', '/capacity-changes')[1][
            'capacity_changes'])
