"""One ledger, as a property: random sequences of host leases, instance
leases, floating IP leases, SOL003 grants, grant releases, planned
downtimes, host failures and lease deletions, through the real WSGI app
and ManagerService (fake transport, SQLite; Nova, Placement and Neutron
stubbed, as they decide nothing here). After every step the database is
read back whole and checked: over every stretch of time, no host is held
whole twice, a host held whole holds no slot and no live grant hold, the
slots and holds on a host never exceed its capacity, and no address is
held twice. A fixed hypothesis budget keeps the unit
tier's time bounded."""

import collections
import datetime
import itertools

import hypothesis
from hypothesis import strategies as st
from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from promise.common import dates
from promise.db import api as db
from promise.db import models
from promise.manager import health
from promise.plugins.floatingips import plugin as fip_plugin
from promise import status
from promise.tests.unit import base
from promise.tests.unit import test_floatingips
from promise.tests.unit import test_grants_api as tacker
from promise.tests.unit import test_instance_plugin as fakes
from promise.tests.unit import test_multicloud as mc

HOUR = datetime.timedelta(hours=1)
# Four hosts of 8 vCPU / 16 GB / 100 GB.
CAPACITY = (8, 16384, 100)
HOSTS = (1, 2, 3, 4)
SIZES = ((2, 2048, 10), (4, 8192, 40))
GRANT_SHAPE = (2, 2048, 10)
# Three reservable floating IPs of one network.
ADDRESSES = ('172.24.4.100', '172.24.4.101', '172.24.4.102')

hours = st.integers(min_value=0, max_value=3)
OPERATIONS = st.one_of(
    st.tuples(st.just('hosts'), st.integers(1, 3), hours, hours),
    st.tuples(st.just('instances'), st.integers(1, 4),
              st.sampled_from(SIZES), st.sampled_from([None, True, False]),
              hours, hours),
    st.tuples(st.just('grant'), st.integers(1, 5)),
    st.tuples(st.just('release'), st.integers(0, 7)),
    st.tuples(st.just('downtime'), st.sampled_from(HOSTS), hours, hours),
    st.tuples(st.just('failure'), st.sampled_from(HOSTS)),
    st.tuples(st.just('delete'), st.integers(0, 7)),
    st.tuples(st.just('fips'), st.integers(1, 3),
              st.sampled_from([None] + list(ADDRESSES)), hours, hours),
)


class TestOneLedger(base.TestCase):

    def setUp(self):
        super().setUp()
        # Holds long enough to meet the leases of the next hours.
        self.flags(group='nfv', grant_hold_seconds=3 * 3600,
                   vdu_flavors={'vnfd-1:VDU1': 'm1.small'},
                   vim_connection_id='vim-1')
        self.flags(group='net_value', flavor_shapes={
            'm1.small': '%d/%d/%d' % GRANT_SHAPE})
        self.set_plugins(dict(
            fakes.stubbed_plugins(), **{'virtual:floatingip':
                                        fip_plugin.FloatingIPPlugin(
                                            test_floatingips.FakeNeutron())}))
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app

    def call(self, method, path, body=None, roles='member,admin'):
        req = webob.Request.blank(path, method=method, headers={
            'X-Project-Id': 'p', 'X-User-Id': 'u', 'X-Roles': roles,
            'Accept': 'application/json', 'Version': '1.4.0'})
        if body is not None:
            req.content_type = 'application/json'
            req.body = jsonutils.dump_as_bytes(body)
        resp = req.get_response(self.app)
        # A decision is an answer; anything else is a bug this finds too.
        self.assertLess(resp.status_int, 500, resp.text)
        return resp

    def reset(self):
        with db.writer() as session:
            for table in ('deliveries', 'usage', 'grant_holds', 'grants',
                          'capacity_changes', 'floatingip_allocations',
                          'floatingip_reservations', 'floatingips',
                          'host_allocations',
                          'instance_allocations', 'host_reservations',
                          'instance_reservations', 'events',
                          'reservations', 'leases', 'host_capabilities',
                          'hosts'):
                session.execute(sa.text('DELETE FROM %s' % table))
        mc.add_hosts({host_id: CAPACITY + (None,) for host_id in HOSTS})
        with db.writer() as session:
            for n, address in enumerate(ADDRESSES):
                session.add(models.FloatingIP(
                    id='fip-%d' % n, floating_network_id=test_floatingips.NET,
                    subnet_id='s', floating_ip_address=address,
                    reservable=True, generation=0))

    # -- the operations -----------------------------------------------------

    def window(self, offset, length):
        start = base.minute(base.utcnow()) + offset * HOUR + \
            datetime.timedelta(minutes=1)
        return {'start_date': start.strftime('%Y-%m-%d %H:%M'),
                'end_date': (start + (length + 1) * HOUR).strftime(
                    '%Y-%m-%d %H:%M')}

    def lease(self, reservation, offset, length):
        body = dict(self.window(offset, length), name='l',
                    reservations=[reservation], events=[])
        resp = self.call('POST', '/v1/leases', body)
        self.assertIn(resp.status_int, (201, 409), resp.text)
        if resp.status_int == 201:
            self.leases.append(resp.json['lease']['id'])

    def apply(self, operation):
        kind, args = operation[0], operation[1:]
        if kind == 'hosts':
            count, offset, length = args
            self.lease({'resource_type': 'physical:host', 'min': count,
                        'max': count, 'hypervisor_properties': '',
                        'resource_properties': ''}, offset, length)
        elif kind == 'instances':
            amount, (vcpus, mem, disk), affinity, offset, length = args
            self.lease({'resource_type': 'virtual:instance',
                        'amount': amount, 'vcpus': vcpus,
                        'memory_mb': mem, 'disk_gb': disk,
                        'affinity': affinity}, offset, length)
        elif kind == 'fips':
            amount, required, offset, length = args
            self.lease({'resource_type': 'virtual:floatingip',
                        'network_id': test_floatingips.NET, 'amount': amount,
                        'required_floatingips': [required] if required
                        else []}, offset, length)
        elif kind == 'grant':
            vnf = 'vnf-%d' % next(self.names)
            resp = self.call('POST', '/grant/v1/grants', tacker.tacker_request(
                'INSTANTIATE', vnf, [('VDU1', args[0])]))
            self.assertIn(resp.status_int, (201, 403), resp.text)
            if resp.status_int == 201:
                self.vnfs.append(vnf)
        elif kind == 'release' and self.vnfs:
            vnf = self.vnfs.pop(args[0] % len(self.vnfs))
            resp = self.call('POST', '/grant/v1/grants', tacker.tacker_request(
                'TERMINATE', vnf))
            self.assertEqual(201, resp.status_int, resp.text)
        elif kind == 'downtime':
            host_id, offset, length = args
            resp = self.call('POST', '/v1/capacity-changes', dict(
                self.window(offset, length), host_id=str(host_id),
                type='unavailable', reason='test'), roles='admin')
            self.assertEqual(201, resp.status_int, resp.text)
        elif kind == 'failure':
            health.service_changed('c%d' % args[0], status.Health.DOWN,
                                   'test')
        elif kind == 'delete' and self.leases:
            lease_id = self.leases.pop(args[0] % len(self.leases))
            resp = self.call('DELETE', '/v1/leases/%s' % lease_id)
            self.assertEqual(204, resp.status_int, resp.text)

    # -- the invariant ------------------------------------------------------

    def assertOneLedger(self, history):
        now = dates.utcnow()
        per_host = collections.defaultdict(list)
        with db.reader() as session:
            for a in session.scalars(sa.select(models.HostAllocation)):
                per_host[a.host_id].append((a.start_date, a.end_date,
                                            'whole', None))
            for a in session.scalars(sa.select(models.InstanceAllocation)):
                per_host[a.host_id].append((
                    a.start_date, a.end_date, 'slots',
                    tuple(n * a.slots for n in (a.vcpus, a.memory_mb,
                                                a.disk_gb))))
            for h in session.scalars(sa.select(models.GrantHold).where(
                    models.GrantHold.expires_at > now,
                    models.GrantHold.reservation_id.is_(None))):
                per_host[h.host_id].append((
                    now, h.expires_at, 'hold',
                    (h.vcpus, h.memory_mb, h.disk_gb)))
            addresses = collections.defaultdict(list)
            for a in session.scalars(
                    sa.select(models.FloatingIPAllocation)):
                addresses[a.floatingip_id].append((a.start_date,
                                                   a.end_date))
        for fip_id, windows in addresses.items():
            windows.sort()
            for (_, end), (start, _) in zip(windows, windows[1:]):
                self.assertLessEqual(end, start, 'address %s after %s'
                                     % (fip_id, history))
        for host_id, items in per_host.items():
            moments = sorted({t for s, e, _, _ in items for t in (s, e)})
            for lo, hi in zip(moments, moments[1:]):
                live = [i for i in items if i[0] < hi and i[1] > lo]
                wholes = [i for i in live if i[2] == 'whole']
                where = 'host %d over [%s, %s) after %s' % (
                    host_id, lo, hi, history)
                self.assertLessEqual(len(wholes), 1, where)
                if wholes:
                    self.assertEqual(wholes, live, where)
                    continue
                used = [sum(i[3][k] for i in live) for k in range(3)]
                for k in range(3):
                    self.assertLessEqual(used[k], CAPACITY[k],
                                         (where, live))

    @hypothesis.settings(max_examples=40, deadline=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck),
                         database=None)
    @hypothesis.given(st.lists(OPERATIONS, min_size=1, max_size=12))
    def test_nothing_is_promised_twice(self, operations):
        self.reset()
        self.leases, self.vnfs, self.names = [], [], itertools.count()
        for step, operation in enumerate(operations):
            self.apply(operation)
            self.assertOneLedger(operations[:step + 1])
