"""Infeasible host leases: 409 with max_reservable and alternatives, and
the check that writes nothing — through the real API, manager and host
plugin on SQLite."""

import datetime

from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from promise.db import api as db
from promise.db import models
from promise.plugins.hosts import plugin as host_plugin
from promise.tests.unit import base

HOUR = datetime.timedelta(hours=1)


class NoNova:
    """Nova is not needed for deciding; prepare() failing is logged."""

    def __getattr__(self, name):
        raise RuntimeError('no Nova in unit tests')


def fmt(value):
    return value.strftime('%Y-%m-%d %H:%M')


def out(value):
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f')


class TestOffers(base.TestCase):

    def setUp(self):
        super().setUp()
        self.set_plugins({'physical:host': host_plugin.HostPlugin(NoNova())})
        self.api = self.useFixture(base.APIFixture(self.conf_fixture))
        with db.writer() as session:
            for i in (1, 2):
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=4, memory_mb=4096,
                    local_gb=10, reservable=True, generation=0))
        self.t0 = base.minute(base.utcnow()) + datetime.timedelta(days=1)

    def call(self, method, path, body=None):
        req = webob.Request.blank('/v1' + path, method=method,
                                  headers={'X-Project-Id': 'p1',
                                           'X-User-Id': 'u1',
                                           'X-Roles': 'member'})
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
        resp = req.get_response(self.api.app)
        return resp.status_int, (resp.json if resp.body else None)

    def lease(self, name, start, end, count):
        return {'name': name, 'start_date': fmt(start), 'end_date': fmt(end),
                'reservations': [{'resource_type': 'physical:host',
                                  'min': str(count), 'max': str(count),
                                  'hypervisor_properties': '',
                                  'resource_properties': ''}],
                'events': []}

    def rows(self):
        with db.reader() as session:
            return {t: session.execute(sa.text(
                'SELECT COUNT(*) FROM %s' % t)).scalar()
                for t in ('leases', 'reservations', 'events',
                          'host_allocations', 'host_reservations')}

    def test_infeasible_create_offers_max_and_alternatives(self):
        t0 = self.t0
        self.assertEqual(201, self.call('POST', '/leases', self.lease(
            'a', t0, t0 + 2 * HOUR, 1))[0])
        self.assertEqual(201, self.call('POST', '/leases', self.lease(
            'b', t0 + HOUR, t0 + 3 * HOUR, 1))[0])
        before = self.rows()

        code, body = self.call('POST', '/leases', self.lease(
            'c', t0, t0 + 2 * HOUR, 2))
        self.assertEqual(409, code)
        self.assertIn('Not enough hosts available', body['error_message'])
        # Host 2 is free from t0 to t0+1h only: no host fits all 2h.
        self.assertEqual([0], body['max_reservable'])
        # Both hosts are free once lease b ends at t0+3h.
        self.assertEqual([{'start_date': out(t0 + 3 * HOUR),
                           'end_date': out(t0 + 5 * HOUR)}],
                         body['alternatives'])
        self.assertEqual(before, self.rows())

        # Booking the offered alternative right away succeeds.
        alt = self.lease('c', t0 + 3 * HOUR, t0 + 5 * HOUR, 2)
        self.assertEqual(201, self.call('POST', '/leases', alt)[0])

    def test_alternatives_are_earliest_first_and_at_most_three(self):
        t0 = self.t0
        for i in range(5):
            start = t0 + i * HOUR
            self.assertEqual(201, self.call('POST', '/leases', self.lease(
                'busy%d' % i, start, start + HOUR, 2))[0])
        code, body = self.call('POST', '/leases', self.lease(
            'x', t0, t0 + HOUR, 1))
        self.assertEqual(409, code)
        self.assertEqual([0], body['max_reservable'])
        self.assertEqual([out(t0 + 5 * HOUR)],
                         [a['start_date'] for a in body['alternatives']])

        # A shorter horizon finds nothing.
        self.flags(group='manager', search_horizon_days=1)
        self.flags(group='manager', max_alternatives=3)
        code, body = self.call('POST', '/leases', self.lease(
            'y', t0 + 10 * HOUR, t0 + 11 * HOUR, 3))
        self.assertEqual(409, code)
        self.assertEqual([2], body['max_reservable'])
        self.assertEqual([], body['alternatives'])

    def test_check_writes_nothing_and_says_feasible(self):
        t0 = self.t0
        self.call('POST', '/leases', self.lease('a', t0, t0 + HOUR, 2))
        before = self.rows()
        code, body = self.call('POST', '/leases/check', self.lease(
            'q', t0, t0 + HOUR, 1))
        self.assertEqual(200, code)
        self.assertFalse(body['feasible'])
        self.assertEqual([0], body['max_reservable'])
        self.assertEqual(out(t0 + HOUR), body['alternatives'][0][
            'start_date'])
        # Capacity frees up once, so there is one alternative.
        self.assertEqual(1, len(body['alternatives']))

        code, body = self.call('POST', '/leases/check', self.lease(
            'q', t0 + HOUR, t0 + 2 * HOUR, 2))
        self.assertEqual(200, code)
        self.assertTrue(body['feasible'])
        self.assertEqual([2], body['max_reservable'])
        self.assertEqual(before, self.rows())
        with db.reader() as session:
            gens = session.execute(sa.text(
                'SELECT generation FROM hosts ORDER BY id')).scalars().all()
        # Only the one real create claimed the hosts.
        self.assertEqual([1, 1], gens)

    def test_check_validates_like_create(self):
        code, body = self.call('POST', '/leases/check', {'name': 'x'})
        self.assertEqual(400, code)
        self.assertEqual('Missing parameter end_date', body['error_message'])
