"""Keystone unified limits on what a project's leases hold at once, with
oslo.limit's LimitFixture standing in for Keystone (the cloud tier uses a
real one): through the real WSGI app and ManagerService (SQLite, Nova
stubbed)."""

import datetime

from oslo_limit import fixture as limit_fixture
from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from promise.db import api as db
from promise.db import models
from promise.db import quota as quota_db
from promise.manager import quota
from promise.tests.unit import base
from promise.tests.unit import test_instance_plugin as fakes
from promise.tests.unit import test_multicloud as mc

HOUR = datetime.timedelta(hours=1)


class TestQuota(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='quota', enforce=True)
        self.flags(group='oslo_limit', endpoint_id='promise-endpoint')
        self.useFixture(limit_fixture.LimitFixture(
            {'hosts': 2, 'leases': 3, 'instance_vcpus': 4},
            {'big': {'hosts': 5}}))
        quota.reset()
        self.addCleanup(quota.reset)
        self.set_plugins(fakes.stubbed_plugins())
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app
        mc.add_hosts({i: (8, 16384, 100, None) for i in range(1, 9)})
        self.t0 = base.minute(base.utcnow()) + datetime.timedelta(days=1)

    def call(self, method, path, body=None, project='p'):
        req = webob.Request.blank(path, method=method, headers={
            'X-Project-Id': project, 'X-User-Id': 'u', 'X-Roles': 'member',
            'Accept': 'application/json'})
        if body is not None:
            req.content_type = 'application/json'
            req.body = jsonutils.dump_as_bytes(body)
        return req.get_response(self.app)

    def lease(self, reservation, start, hours, project='p', status=201):
        begin = self.t0 + start * HOUR
        resp = self.call('POST', '/v1/leases', {
            'name': 'q', 'start_date': begin.strftime('%Y-%m-%d %H:%M'),
            'end_date': (begin + hours * HOUR).strftime('%Y-%m-%d %H:%M'),
            'reservations': [reservation], 'events': []}, project)
        self.assertEqual(status, resp.status_int, resp.text)
        return resp.json

    @staticmethod
    def hosts(count):
        return {'resource_type': 'physical:host', 'min': count,
                'max': count, 'hypervisor_properties': '',
                'resource_properties': ''}

    def count_leases(self):
        with db.reader() as session:
            return session.scalar(sa.select(sa.func.count())
                                  .select_from(models.Lease))

    def test_hosts_held_at_once_over_the_window(self):
        self.lease(self.hosts(2), 0, 2)
        # Overlaps the first: 2 + 1 > 2.
        refused = self.lease(self.hosts(1), 1, 2, status=403)
        self.assertIn('Quota exceeded', refused['error_message'])
        self.assertIn('hosts: 2 held at once over the window plus 1 asked, '
                      'limit 2', refused['error_message'])
        self.assertEqual(1, self.count_leases())
        # Right after it: nothing held at once.
        later = self.lease(self.hosts(2), 2, 2)['lease']
        # Moving it back over the first is refused and changes nothing.
        resp = self.call('PUT', '/v1/leases/%s' % later['id'], {
            'start_date': (self.t0 + HOUR).strftime('%Y-%m-%d %H:%M')})
        self.assertEqual(403, resp.status_int, resp.text)
        with db.reader() as session:
            self.assertEqual(self.t0 + 2 * HOUR, session.get(
                models.Lease, later['id']).start_date)
        # Another project has its own count, and a limit of its own.
        self.lease(self.hosts(2), 0, 2, project='other')
        self.lease(self.hosts(5), 10, 1, project='big')

    @staticmethod
    def instances(amount=1, vcpus=1, memory_mb=512, disk_gb=1):
        return {'resource_type': 'virtual:instance', 'amount': amount,
                'vcpus': vcpus, 'memory_mb': memory_mb, 'disk_gb': disk_gb,
                'affinity': None}

    def test_leases_at_once_and_instance_vcpus(self):
        for start in (0, 0, 0):
            self.lease(self.instances(), start, 1)
        # A fourth lease at once: over the limit of 3 leases.
        refused = self.lease(self.instances(), 0, 1, status=403)
        self.assertIn('leases: 3 held at once', refused['error_message'])
        # vCPU: 3 held + 2 asked > 4, in another window with 1 lease.
        self.lease(self.instances(amount=4), 5, 1)
        refused = self.lease(self.instances(), 5, 1, status=403)
        self.assertIn('instance_vcpus: 4 held', refused['error_message'])
        # Memory and disk have no limit in Keystone: not limited.
        self.lease(self.instances(vcpus=4, memory_mb=16000, disk_gb=90),
                   8, 1)

    def test_off_unless_enforced(self):
        self.flags(group='quota', enforce=False)
        for _ in range(4):
            self.lease(self.hosts(2), 0, 1)

    def test_the_projects_row_is_locked_once_per_decision(self):
        self.lease(self.hosts(1), 0, 1)
        self.lease(self.hosts(1), 3, 1)
        with db.reader() as session:
            row = session.get(models.ProjectLock, 'p')
        self.assertEqual(2, row.generation)

    def test_peak_usage_is_the_most_at_once(self):
        self.flags(group='quota', enforce=False)
        self.lease(self.hosts(1), 0, 4)
        self.lease(self.hosts(2), 1, 1)
        self.lease(self.hosts(3), 3, 2)
        with db.reader() as session:
            peak = quota_db.peak_usage(session, 'p', self.t0,
                                       self.t0 + 10 * HOUR,
                                       quota_db.RESOURCES)
            early = quota_db.peak_usage(session, 'p', self.t0,
                                        self.t0 + 2 * HOUR, ('hosts',))
        self.assertEqual({'leases': 2, 'hosts': 4, 'instance_vcpus': 0,
                          'instance_memory_mb': 0, 'instance_disk_gb': 0,
                          'floatingips': 0},
                         peak)
        self.assertEqual({'hosts': 3}, early)
