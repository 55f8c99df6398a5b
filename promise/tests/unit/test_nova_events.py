"""Nova's versioned notifications: usage and host health follow them.

The payloads have the structure of Nova's documented samples
(doc/notification_samples/instance-create-end.json,
instance-delete-end.json, service-update.json): versioned objects
serialized as {"nova_object.name", "nova_object.data": {...}}.
"""

import copy
import datetime

import fixtures
import oslo_messaging as messaging
from oslo_utils import uuidutils
import sqlalchemy as sa

from promise import context
from promise.db import api as db
from promise.db import models
from promise import exceptions
from promise.manager import health
from promise.manager import leases as lease_manager
from promise.manager import nova_events
from promise.manager import reclaim
from promise.manager import usage
from promise.plugins.hosts import plugin as host_plugin
from promise import status
from promise.tests.unit import base
from promise.tests.unit import fakes
from promise.tests.unit import test_health
from promise.tests.unit import test_offers

HOUR = datetime.timedelta(hours=1)

FLAVOR = {
    'nova_object.name': 'FlavorPayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.4',
    'nova_object.data': {
        'flavorid': 'a22d5517-147c-4147-a0d1-e698df5cd4e3',
        'name': 'test_flavor', 'root_gb': 1, 'vcpus': 1, 'ephemeral_gb': 0,
        'memory_mb': 512, 'disabled': False, 'rxtx_factor': 1.0,
        'extra_specs': {}, 'projects': None, 'swap': 0, 'is_public': True,
        'vcpu_weight': 0, 'description': None,
    },
}

INSTANCE = {
    'nova_object.name': 'InstanceCreatePayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.10',
    'nova_object.data': {
        'architecture': 'x86_64', 'availability_zone': 'nova',
        'block_devices': [], 'created_at': '2012-10-29T13:42:11Z',
        'deleted_at': None, 'display_name': 'some-server',
        'display_description': 'some-server', 'fault': None,
        'host': 'compute', 'host_name': 'some-server', 'ip_addresses': [],
        'kernel_id': '', 'key_name': 'my-key', 'keypairs': [],
        'launched_at': '2012-10-29T13:42:11Z',
        'image_uuid': '155d900f-4e14-4e4c-a73d-069cbf4541e6',
        'metadata': {}, 'locked': False, 'node': 'fake-mini',
        'os_type': None, 'progress': 0, 'ramdisk_id': '',
        'reservation_id': 'r-npxv0e40', 'state': 'active',
        'task_state': None, 'power_state': 'running',
        'tenant_id': '6f70656e737461636b20342065766572',
        'terminated_at': None, 'auto_disk_config': 'MANUAL',
        'flavor': FLAVOR, 'updated_at': '2012-10-29T13:42:11Z',
        'user_id': 'fake', 'uuid': '178b0921-8f85-4257-88b6-2e743b5a975c',
        'request_id': 'req-5b6c791d-5709-4f36-8fbe-c3e02869e35d',
        'action_initiator_user': 'fake',
        'action_initiator_project': '6f70656e737461636b20342065766572',
        'tags': ['tag'], 'trusted_image_certificates': None,
    },
}

SERVICE = {
    'nova_object.name': 'ServiceStatusPayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.1',
    'nova_object.data': {
        'host': 'host1', 'disabled': False, 'binary': 'nova-compute',
        'topic': 'compute', 'disabled_reason': None, 'forced_down': False,
        'version': 23, 'availability_zone': None,
        'uuid': 'fa69c544-906b-4a6a-a9c6-c1f7a8078c73',
        'last_seen_up': None, 'report_count': 0,
    },
}


def instance(host, node=None, flavor_id=None, uuid=None, deleted=False):
    payload = copy.deepcopy(INSTANCE)
    data = payload['nova_object.data']
    data.update(host=host, node=node if node is not None else host)
    if flavor_id is not None:
        data['flavor']['nova_object.data']['flavorid'] = flavor_id
    if uuid is not None:
        data['uuid'] = uuid
    if deleted:
        # instance.delete.end carries an InstanceActionPayload.
        payload['nova_object.name'] = 'InstanceActionPayload'
        data.update(state='deleted', power_state='pending',
                    deleted_at='2012-10-29T13:42:11Z',
                    terminated_at='2012-10-29T13:42:11Z')
    return payload


def service(host, **values):
    payload = copy.deepcopy(SERVICE)
    payload['nova_object.data'].update(host=host, **values)
    return payload


def metadata(at=None):
    # What oslo.messaging's Notifier adds: str() of a naive UTC datetime.
    return {'message_id': 'd5e0dd3a-2d9c-4c4f-9a5f-5d1f0c1fb7d1',
            'timestamp': str(at or base.utcnow())}


def created(host, at=None, **kwargs):
    return nova_events.handle(nova_events.INSTANCE_CREATED,
                              instance(host, **kwargs), metadata(at))


def deleted(host, at=None, **kwargs):
    return nova_events.handle(nova_events.INSTANCE_DELETED,
                              instance(host, deleted=True, **kwargs),
                              metadata(at))


class FakeNova:
    """What usage.reconcile asks Nova."""

    def __init__(self):
        self.on_node = {}
        self.by_flavor = {}

    def servers_on(self, node):
        return [('vm-%d' % i, None) for i in range(self.on_node.get(node,
                                                                    0))]

    def flavor_servers_by_host(self, flavor_id):
        return dict(self.by_flavor.get(flavor_id, {}))


def add_hosts(session, count=3):
    for i in range(1, count + 1):
        session.add(models.Host(
            id=i, hypervisor_hostname='compute%d' % i,
            service_name='compute%d' % i, vcpus=4, memory_mb=4096,
            local_gb=10, reservable=True, generation=0))
    session.flush()


class TestUsage(base.TestCase):
    """Instance notifications and the reconcile write the same rows."""

    def setUp(self):
        super().setUp()
        now = base.utcnow()
        with db.writer() as session:
            add_hosts(session)
            self.host_res = self._reservation(
                session, 'physical:host', now - HOUR, now + HOUR)
            session.add(models.HostAllocation(
                reservation_id=self.host_res, host_id=1,
                start_date=now - HOUR, end_date=now + HOUR))
            # compute3 is held, but only from tomorrow.
            later = self._reservation(session, 'physical:host',
                                      now + 24 * HOUR, now + 25 * HOUR,
                                      lease_status=status.PENDING)
            session.add(models.HostAllocation(
                reservation_id=later, host_id=3, start_date=now + 24 * HOUR,
                end_date=now + 25 * HOUR))
            self.inst_res = self._reservation(
                session, 'virtual:instance', now - HOUR, now + HOUR)

    def _reservation(self, session, resource_type, start, end,
                     lease_status=status.ACTIVE):
        lease = models.Lease(
            id=uuidutils.generate_uuid(), name='l', project_id='p',
            status=lease_status,
            degraded=False, start_date=start, end_date=end)
        session.add(lease)
        res = models.Reservation(
            id=uuidutils.generate_uuid(), lease_id=lease.id,
            resource_type=resource_type,
            status=(status.Reservation.ACTIVE
                    if lease_status == status.ACTIVE
                    else status.Reservation.PENDING),
            missing_resources=False, resources_changed=False)
        session.add(res)
        session.flush()
        return res.id

    def usage(self):
        with db.reader() as session:
            return {(u.reservation_id, u.host_id): u.servers
                    for u in session.scalars(sa.select(models.Usage))}

    def test_servers_on_a_reserved_host_count_in_and_out(self):
        key = (self.host_res, 1)
        self.assertEqual([key], created('compute1', uuid='vm-1'))
        self.assertEqual([key], created('compute1', uuid='vm-2'))
        self.assertEqual({key: 2}, self.usage())
        self.assertEqual([key], deleted('compute1', uuid='vm-1'))
        self.assertEqual({key: 1}, self.usage())
        self.assertEqual([key], deleted('compute1', uuid='vm-2'))
        self.assertEqual({key: 0}, self.usage())
        # A delete that was never counted does not go below zero.
        self.assertEqual([], deleted('compute1', uuid='vm-3'))
        self.assertEqual({key: 0}, self.usage())

    def test_servers_outside_active_reservations_count_nowhere(self):
        # An unreserved host; a host reserved only from tomorrow; a
        # server Nova never scheduled (no host, no node).
        self.assertEqual([], created('compute2'))
        self.assertEqual([], created('compute3'))
        self.assertEqual([], deleted(None, node=None))
        self.assertEqual({}, self.usage())

    def test_host_reservations_match_the_hypervisor_name(self):
        # The hypervisor (node) is what a host reservation holds; the
        # service host of another compute does not matter.
        self.assertEqual([(self.host_res, 1)],
                         created('other-service', node='compute1'))
        self.assertEqual([], created('compute1', node='other-node'))

    def test_instance_reservations_match_flavor_and_service_host(self):
        key = (self.inst_res, 2)
        self.assertEqual([key], created('compute2', flavor_id=self.inst_res))
        self.assertEqual({key: 1}, self.usage())
        # On a reserved host with the reservation's flavor: both count.
        self.assertEqual(sorted([(self.host_res, 1), (self.inst_res, 1)]),
                         sorted(created('compute1',
                                        flavor_id=self.inst_res)))
        self.assertEqual([key], deleted('compute2', flavor_id=self.inst_res))
        self.assertEqual({key: 0, (self.host_res, 1): 1,
                          (self.inst_res, 1): 1}, self.usage())

    def test_reconcile_counts_where_notifications_do(self):
        nova = FakeNova()
        nova.on_node = {'compute1': 3, 'compute2': 5, 'compute3': 7}
        nova.by_flavor = {self.inst_res: {'compute2': 2, 'unknown': 4}}
        counts = usage.reconcile(nova)
        self.assertEqual({(self.host_res, 1): 3, (self.inst_res, 2): 2},
                         counts)
        self.assertEqual(counts, self.usage())
        with db.reader() as session:
            holders = usage.Holders(session, base.utcnow())
        for (res_id, host_id) in counts:
            name = 'compute%d' % host_id
            flavor = res_id if res_id == self.inst_res else None
            self.assertIn((res_id, host_id),
                          holders.server(name, name, flavor))

    def test_notifications_older_than_the_reconcile_are_in_it(self):
        nova = FakeNova()
        nova.on_node = {'compute1': 1}
        seen = base.utcnow()
        usage.reconcile(nova, now=seen)
        key = (self.host_res, 1)
        # Nova had this server when the reconcile asked: not again.
        self.assertEqual([], created('compute1',
                                     at=seen - datetime.timedelta(seconds=1)))
        self.assertEqual({key: 1}, self.usage())
        # Later ones are news.
        self.assertEqual([key], created(
            'compute1', at=seen + datetime.timedelta(seconds=1)))
        self.assertEqual({key: 2}, self.usage())
        self.assertEqual([key], deleted(
            'compute1', at=seen + datetime.timedelta(seconds=2)))
        self.assertEqual({key: 1}, self.usage())
        # The next reconcile is the truth again.
        nova.on_node = {'compute1': 4}
        usage.reconcile(nova)
        self.assertEqual({key: 4}, self.usage())

    def test_rows_of_ended_reservations_go_at_the_next_reconcile(self):
        created('compute1')
        with db.writer() as session:
            session.execute(sa.update(models.Reservation)
                            .where(models.Reservation.id == self.host_res)
                            .values(status=status.Reservation.DELETED))
        self.assertEqual({}, usage.reconcile(FakeNova()))
        self.assertEqual({}, self.usage())


class TestExpiryByNotification(base.LeaseTestCase):
    """A server created through Nova is a use the expiry sees at once."""

    def started_lease(self):
        now = base.utcnow()
        lease_id = self.manager.create_view(self.context, {
            'name': 'exp', 'start_date': now,
            'end_date': now + base.hours(2),
            'reservations': [{'resource_type': fakes.RESOURCE_TYPE,
                              'expiry': 20}]})['id']
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        with db.writer() as session:
            lease = session.get(models.Lease, lease_id)
            lease.start_date = now - datetime.timedelta(minutes=30)
            res_id = lease.reservations[0].id
        return lease_id, res_id

    def setUp(self):
        super().setUp()
        now = base.utcnow()
        with db.writer() as session:
            add_hosts(session, count=2)
        self.used, used_res = self.started_lease()
        self.unused, unused_res = self.started_lease()
        with db.writer() as session:
            for res_id, host_id in ((used_res, 1), (unused_res, 2)):
                session.add(models.HostAllocation(
                    reservation_id=res_id, host_id=host_id,
                    start_date=now - HOUR, end_date=now + HOUR))
        self.used_res, self.unused_res = used_res, unused_res

    def test_first_server_keeps_the_reservation(self):
        self.assertEqual([(self.used_res, 1)], created('compute1'))
        self.assertEqual([self.unused_res], reclaim.expire_unused())
        res = self.get_lease(self.used).reservations[0]
        self.assertEqual(status.Reservation.ACTIVE, res.status)
        self.assertEqual(1, sum(u.servers for u in res.usage))


class TestHealthByNotification(base.TestCase):
    """service.update drives the transition health.check applies."""

    def setUp(self):
        super().setUp()
        self.set_plugins({'physical:host': host_plugin.HostPlugin(
            test_offers.NoNova())})
        with db.writer() as session:
            add_hosts(session)
        self.manager = lease_manager.LeaseManager()
        self.addCleanup(self.manager.shutdown)
        self.ctx = base.ctx()
        self.t0 = base.minute(base.utcnow()) + datetime.timedelta(days=1)
        self.notified = []
        self.useFixture(fixtures.MockPatch(
            'promise.notifications.notifier.notify',
            lambda ctx, event, payload, **kw: self.notified.append(
                (event, payload.get('reservation_id')))))

    def lease(self, name, count=1):
        lease_id = self.manager.create_view(self.ctx, {
            'name': name, 'start_date': self.t0,
            'end_date': self.t0 + HOUR,
            'reservations': [{'resource_type': 'physical:host',
                              'min': count, 'max': count}]})['id']
        return lease_id

    def hosts_of(self, lease_id):
        with db.reader() as session:
            res = session.get(models.Lease, lease_id).reservations[0]
            return ([a.host_id for a in res.host_allocations],
                    res.missing_resources, res.id)

    def hosts(self):
        with db.reader() as session:
            return {h.id: (h.health, h.health_reason) for h in
                    session.scalars(sa.select(models.Host))}

    def update(self, host, **values):
        return nova_events.handle('service.update', service(host, **values),
                                  metadata())

    def test_disabled_compute_moves_its_reservations_and_comes_back(self):
        first = self.lease('first')
        self.assertEqual([1], self.hosts_of(first)[0])

        outcomes = self.update('compute1', disabled=True,
                               disabled_reason='maintenance')
        self.assertEqual([(1, 2)], [(o.old_host_id, o.new_host_id)
                                    for o in outcomes])
        self.assertEqual(([2], False), self.hosts_of(first)[:2])
        self.assertEqual(('disabled', 'maintenance'), self.hosts()[1])
        self.assertEqual(('lease.update', self.hosts_of(first)[2]),
                         self.notified[-1])
        # Not reservable: two more hosts are not to be had.
        self.assertRaises(exceptions.NotEnoughHosts, self.lease, 'two', 2)
        # The same notification again changes nothing.
        self.assertEqual([], self.update('compute1', disabled=True,
                                         disabled_reason='maintenance'))

        self.assertEqual([], self.update('compute1', disabled=False))
        self.assertEqual(('up', None), self.hosts()[1])
        self.assertEqual([1, 3], sorted(self.hosts_of(self.lease(
            'two', 2))[0]))

    def test_flagged_reservation_heals_when_its_host_returns(self):
        first = self.lease('first')
        self.lease('second')
        self.lease('third')
        self.update('compute1', forced_down=True)
        self.assertEqual(('down', 'nova-compute is down'), self.hosts()[1])
        self.assertEqual(([1], True), self.hosts_of(first)[:2])
        res_id = self.hosts_of(first)[2]
        self.assertEqual(('reservation.degraded', res_id), self.notified[-1])
        outcomes = self.update('compute1')
        self.assertEqual([(res_id, None, None)],
                         [(o.reservation_id, o.old_host_id, o.new_host_id)
                          for o in outcomes])
        self.assertEqual(([1], False), self.hosts_of(first)[:2])
        self.assertEqual(('reservation.healed', res_id), self.notified[-1])

    def test_same_state_as_the_poll_gives(self):
        nova = test_health.FakeNova()
        nova.set('compute1')
        nova.set('compute2', status='disabled', reason='broken fan')
        nova.set('compute3', state='down')
        health.check(nova, context.admin_context())
        polled = self.hosts()
        with db.writer() as session:
            session.execute(sa.update(models.Host).values(
                health='up', health_reason=None))
        self.update('compute2', disabled=True, disabled_reason='broken fan')
        self.update('compute3', forced_down=True)
        self.assertEqual(polled, self.hosts())

    def test_service_deleted_counts_as_gone(self):
        nova_events.handle('service.delete', service('compute2'),
                           metadata())
        self.assertEqual(health.GONE, self.hosts()[2])

    def test_silent_compute_counts_as_down(self):
        now = base.utcnow()
        stale = (now - datetime.timedelta(seconds=120)).strftime(
            '%Y-%m-%dT%H:%M:%SZ')
        fresh = (now - datetime.timedelta(seconds=5)).strftime(
            '%Y-%m-%dT%H:%M:%SZ')
        nova_events.handle('service.update',
                           service('compute2', last_seen_up=fresh),
                           metadata(now))
        self.assertEqual(('up', None), self.hosts()[2])
        nova_events.handle('service.update',
                           service('compute2', last_seen_up=stale),
                           metadata(now))
        self.assertEqual(('down', 'nova-compute is down'), self.hosts()[2])

    def test_other_services_and_unknown_hosts_change_nothing(self):
        before = self.hosts()
        self.assertIsNone(self.update('compute1', binary='nova-scheduler',
                                      disabled=True))
        self.assertEqual([], self.update('unregistered', disabled=True))
        self.assertIsNone(nova_events.handle('instance.pause.end',
                                             instance('compute1'),
                                             metadata()))
        self.assertEqual(before, self.hosts())


class TestEndpoint(base.TestCase):

    def test_filter_takes_only_the_handled_event_types(self):
        rule = nova_events.Endpoint.filter_rule
        for event_type in ('instance.create.end', 'instance.delete.end',
                           'service.create', 'service.update',
                           'service.delete'):
            self.assertTrue(rule.match({}, 'nova-compute:c1', event_type,
                                       {}, {}), event_type)
        for event_type in ('instance.create.start', 'instance.update',
                           'instance.delete.start', 'service.updated',
                           'aggregate.create.end'):
            self.assertFalse(rule.match({}, 'nova-compute:c1', event_type,
                                        {}, {}), event_type)

    def test_a_failing_notification_is_logged_not_requeued(self):
        self.useFixture(fixtures.MockPatch(
            'promise.manager.nova_events.handle',
            side_effect=RuntimeError('boom')))
        logs = self.useFixture(fixtures.FakeLogger())
        result = nova_events.Endpoint().info(
            {}, 'nova-compute:c1', 'instance.create.end', instance('c1'),
            metadata())
        self.assertEqual(messaging.NotificationResult.HANDLED, result)
        self.assertIn('Handling instance.create.end from nova-compute:c1 '
                      'failed', logs.output)

    def test_disabled_listener_does_not_listen(self):
        self.flags(group='nova_notifications', enabled=False)
        listener = nova_events.Listener()
        listener.start()
        self.assertIsNone(listener._listener)
        listener.stop()
        listener.wait()
