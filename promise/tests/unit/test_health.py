"""Host health from Nova's services: re-home, flag, recover, heal."""

import datetime

import fixtures
import sqlalchemy as sa

from promise import context
from promise.db import api as db
from promise.db import models
from promise.db.models import subscriptions as sub_models
from promise import exceptions
from promise.manager import health
from promise.manager import leases as lease_manager
from promise.plugins.hosts import plugin as host_plugin
from promise.tests.unit import base
from promise.tests.unit import test_offers

HOUR = datetime.timedelta(hours=1)


class Service:

    def __init__(self, host, state='up', status='enabled', reason=None):
        self.host, self.state, self.status = host, state, status
        self.disabled_reason = reason


class FakeNova:
    """Only what health.check reads: nova.services.list()."""

    def __init__(self):
        self.by_host = {}
        self.nova = self
        self.services = self

    def set(self, host, **kwargs):
        self.by_host[host] = Service(host, **kwargs)

    def list(self, binary):
        assert binary == 'nova-compute'
        return list(self.by_host.values())


class TestHealth(base.TestCase):

    def setUp(self):
        super().setUp()
        self.set_plugins({'physical:host': host_plugin.HostPlugin(
            test_offers.NoNova())})
        self.nova = FakeNova()
        with db.writer() as session:
            for i in (1, 2, 3):
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=4, memory_mb=4096,
                    local_gb=10, reservable=True, generation=0))
                self.nova.set('compute%d' % i)
        self.manager = lease_manager.LeaseManager()
        self.addCleanup(self.manager.shutdown)
        self.ctx = base.ctx()
        self.t0 = base.minute(base.utcnow()) + datetime.timedelta(days=1)

    def lease(self, name):
        return self.manager.create_view(self.ctx, {
            'name': name, 'start_date': self.t0,
            'end_date': self.t0 + HOUR,
            'reservations': [{'resource_type': 'physical:host',
                              'min': 1, 'max': 1}]})['id']

    def state(self, lease_id):
        with db.reader() as session:
            lease = session.get(models.Lease, lease_id)
            res = lease.reservations[0]
            return (lease.degraded, res.missing_resources,
                    [a.host_id for a in res.host_allocations])

    def host_health(self):
        with db.reader() as session:
            return dict(session.execute(sa.select(models.Host.id,
                                                  models.Host.health)).all())

    def test_disabled_host_is_left_and_flagged_then_healed(self):
        first = self.lease('first')
        self.assertEqual((False, False, [1]), self.state(first))

        self.nova.set('compute1', status='disabled', reason='maintenance')
        outcomes = health.check(self.nova, context.admin_context())
        self.assertEqual([(1, 2)], [(o.old_host_id, o.new_host_id)
                                    for o in outcomes])
        self.assertEqual((False, False, [2]), self.state(first))
        self.assertEqual({1: 'disabled', 2: 'up', 3: 'up'},
                         self.host_health())

        # Nothing changes on a second pass.
        self.assertEqual([], health.check(self.nova))

        second = self.lease('second')
        self.assertEqual([3], self.state(second)[2])
        self.nova.set('compute2', state='down')
        outcomes = health.check(self.nova)
        self.assertEqual([(2, None)], [(o.old_host_id, o.new_host_id)
                                       for o in outcomes])
        self.assertEqual((True, True, [2]), self.state(first))

        # A disabled or down host takes no new lease either.
        self.assertRaises(exceptions.NotEnoughHosts, self.lease, 'third')

        # compute1 comes back: the flagged reservation moves there.
        self.nova.set('compute1')
        outcomes = health.check(self.nova)
        self.assertEqual([(2, 1)], [(o.old_host_id, o.new_host_id)
                                    for o in outcomes])
        self.assertEqual((False, False, [1]), self.state(first))

    def test_flag_clears_when_its_own_host_returns(self):
        first = self.lease('first')
        self.lease('second')
        self.lease('third')
        self.nova.set('compute1', state='down')
        health.check(self.nova)
        self.assertEqual((True, True, [1]), self.state(first))
        self.nova.set('compute1')
        outcomes = health.check(self.nova)
        self.assertEqual([(None, None)], [(o.old_host_id, o.new_host_id)
                                          for o in outcomes])
        self.assertEqual((False, False, [1]), self.state(first))

    def test_unknown_service_counts_as_down(self):
        del self.nova.by_host['compute3']
        health.check(self.nova)
        self.assertEqual('down', self.host_health()[3])

    def test_webhooks_are_recorded_with_the_change(self):
        """A manager that dies right after healing commits (before it
        sends anything) still leaves the owners' webhooks in the outbox."""
        from promise.manager import healing
        from promise.notifications import subscriptions
        subscriptions.SubscriptionManager().create(self.ctx, {
            'event_types': ['lease.update', 'reservation.*'],
            'url': 'http://127.0.0.1:9/hook'})
        first = self.lease('first')
        self.lease('second')
        self.lease('third')

        def crash(*args):
            raise RuntimeError('manager died after the commit')
        self.useFixture(fixtures.MockPatchObject(healing, 'follow',
                                                 side_effect=crash))
        self.nova.set('compute1', state='down')
        self.assertRaises(RuntimeError, health.check, self.nova)
        self.assertEqual((True, True, [1]), self.state(first))
        self.nova.set('compute1')
        self.assertRaises(RuntimeError, health.check, self.nova)
        d = sub_models.Delivery
        with db.reader() as session:
            recorded = [r.event_type for r in session.scalars(
                sa.select(d).where(d.event_type != 'lease.create')
                .order_by(d.created_at))]
        self.assertEqual(['reservation.degraded', 'reservation.healed'],
                         recorded)
