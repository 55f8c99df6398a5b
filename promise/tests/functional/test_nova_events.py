"""Nova's versioned notifications reach the managers over real RabbitMQ.

The test publishes what Nova's computes publish (an oslo.messaging
Notifier with publisher ``nova-compute:<host>``, versioned payloads on the
exchange ``nova``) and watches two real promise-managers act on them:
servers counted in and out of a running host reservation, a disabled
compute's future reservation moved to another host and its owner told,
the compute back in the pool once enabled. There is no Nova here, so the
periodic passes that poll it fail and change nothing.
"""

import datetime
import glob
import re
import uuid

from oslo_config import cfg
import oslo_messaging as messaging
import sqlalchemy as sa

from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures
from promise.tests.unit import test_nova_events as samples


class NovaPublisher:
    """Sends notifications the way a nova-compute does."""

    def __init__(self, topic):
        self.topic = topic
        conf = cfg.ConfigOpts()
        conf([], project='promise-functional-tests')
        # The first transport registers the transport options; the
        # exchange must be Nova's (its control_exchange), not the default.
        messaging.get_notification_transport(
            conf, url=func_fixtures.RABBIT_URL).cleanup()
        conf.set_override('control_exchange', 'nova')
        self.transport = messaging.get_notification_transport(
            conf, url=func_fixtures.RABBIT_URL)

    def send(self, host, event_type, payload):
        notifier = messaging.Notifier(
            self.transport, publisher_id='nova-compute:%s' % host,
            driver='messagingv2', topics=[self.topic])
        notifier.info({}, event_type, payload)

    def cleanup(self):
        self.transport.cleanup()


class _NovaEvents:

    @classmethod
    def setUpClass(cls):
        # A topic and pool of the class's own: deployments of other test
        # classes on the same broker must not take its notifications.
        suffix = uuid.uuid4().hex[:10]
        cls.topic = 'nova-func-%s' % suffix
        cls.pool = 'promise-func-pool-%s' % suffix
        cls.DEPLOYMENT = {
            'manager.plugins': 'physical:host',
            'nova_notifications.topics': cls.topic,
            'nova_notifications.pool': cls.pool,
            # The backstops poll a Nova that is not there, often: they
            # must fail without undoing what the notifications did.
            'manager.usage_interval': 2,
            'manager.health_interval': 2,
        }
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        # oslo.messaging leaves the pool's queue behind, and the one its
        # Notifier declares so that nothing sent is lost.
        func_fixtures.delete_queues(cls.pool, '%s.info' % cls.topic)

    def setUp(self):
        super().setUp()
        with self.deployment.db.engine.begin() as conn:
            for table in ('usage', 'host_allocations', 'leases', 'hosts'):
                # sa.table quotes the name: USAGE is a MySQL keyword.
                conn.execute(sa.delete(sa.table(table)))
            for i in (1, 2, 3):
                conn.execute(sa.text(
                    "INSERT INTO hosts (id, hypervisor_hostname, "
                    "service_name, vcpus, memory_mb, local_gb, reservable, "
                    "generation, health, created_at) VALUES (:id, :name, "
                    ":name, 8, 8192, 100, :t, 0, 'up', :now)"),
                    {'id': i, 'name': 'compute%d' % i, 't': True,
                     'now': base.utcnow()})
        # Both managers listen before anything is published: a
        # notification sent to no queue is lost.
        func_fixtures.wait_for(
            lambda: func_fixtures.consumer_count(self.pool) == 2, 60,
            what='two managers in pool %s' % self.pool)
        self.nova = NovaPublisher(self.topic)
        self.addCleanup(self.nova.cleanup)

    def host_lease(self, count=1, start=None, who=None):
        start = start or base.utcnow() + datetime.timedelta(days=1)
        body = {'name': 'lease-' + uuid.uuid4().hex[:8],
                'start_date': base.api_date(start),
                'end_date': base.api_date(start + datetime.timedelta(
                    hours=2)),
                'events': [],
                'reservations': [{'resource_type': 'physical:host',
                                  'min': str(count), 'max': str(count),
                                  'hypervisor_properties': '',
                                  'resource_properties': ''}]}
        return self.request('POST', '/v1/leases', who=who, json=body)

    def allocated(self, lease_id):
        with self.deployment.db.engine.connect() as conn:
            return sorted(h for (h,) in conn.execute(sa.text(
                'SELECT a.host_id FROM host_allocations a JOIN '
                'reservations r ON r.id = a.reservation_id '
                'WHERE r.lease_id = :l'), {'l': lease_id}))

    def health(self, host_id):
        with self.deployment.db.engine.connect() as conn:
            return tuple(conn.execute(sa.text(
                'SELECT health, health_reason FROM hosts WHERE id = :h'),
                {'h': host_id}).one())

    def start_now(self, lease_id):
        """What the start event leaves behind, without Nova: the lease
        and its reservation active since an hour ago."""
        past = base.utcnow() - datetime.timedelta(hours=1)
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text(
                "UPDATE leases SET status = 'ACTIVE', start_date = :p "
                "WHERE id = :l"), {'p': past, 'l': lease_id})
            conn.execute(sa.text(
                "UPDATE reservations SET status = 'active' "
                "WHERE lease_id = :l"), {'l': lease_id})
            conn.execute(sa.text(
                "UPDATE host_allocations SET start_date = :p WHERE "
                "reservation_id IN (SELECT id FROM reservations WHERE "
                "lease_id = :l)"), {'p': past, 'l': lease_id})
            conn.execute(sa.text(
                "UPDATE events SET status = 'DONE' WHERE lease_id = :l "
                "AND event_type = 'start_lease'"), {'l': lease_id})

    def used(self, lease_id):
        return self.get_lease(lease_id)['reservations'][0]['used']

    def wait_used(self, lease_id, value):
        func_fixtures.wait_for(lambda: self.used(lease_id) == value, 30,
                               interval=0.2,
                               what='used == %d' % value)

    def hosts_used(self):
        resp = self.request('GET', '/v1/capacity?resource_type=physical:host',
                            roles='admin')
        self.assertEqual(200, resp.status_code, resp.text)
        # The window starts a moment before the API reads the usage, so
        # the first step can be a few microseconds long: take the most.
        return max(step['used']
                   for step in resp.json()['capacity']['timeline'])

    def manager_logs(self):
        text = ''
        for path in glob.glob(self.deployment.directory +
                              '/promise-manager-*.log'):
            with open(path) as log:
                text += log.read()
        return text

    def wait_poll(self, name):
        """Until both managers' periodic pass ``name`` ran (and was
        skipped: no [nova] credentials) once more."""
        line = 'Periodic task %s skipped' % name
        before = self.manager_logs().count(line)
        func_fixtures.wait_for(
            lambda: self.manager_logs().count(line) >= before + 2, 30,
            interval=0.2, what='two more %s passes' % name)

    def handled_by(self, event_type, subject):
        """Manager logs that handled this notification."""
        pattern = re.compile(r'Nova notification %s about %s '
                             % (re.escape(event_type), re.escape(subject)))
        found = []
        for path in glob.glob(self.deployment.directory +
                              '/promise-manager-*.log'):
            with open(path) as log:
                found += [path] * len(pattern.findall(log.read()))
        return found

    def test_servers_are_counted_in_and_out_of_a_running_reservation(self):
        resp = self.host_lease()
        self.assertEqual(201, resp.status_code, resp.text)
        lease_id = resp.json()['lease']['id']
        self.assertEqual([1], self.allocated(lease_id))
        self.start_now(lease_id)
        self.assertEqual(0, self.used(lease_id))

        servers = [str(uuid.uuid4()) for _ in range(10)]
        # One on a host nobody reserved counts nowhere.
        self.nova.send('compute2', 'instance.create.end',
                       samples.instance('compute2'))
        for server in servers:
            self.nova.send('compute1', 'instance.create.end',
                           samples.instance('compute1', uuid=server))
        self.wait_used(lease_id, 10)
        # /v1/capacity counts compute1 as used now.
        self.assertEqual(1, self.hosts_used())

        # Each notification was handled once, and the two managers shared
        # them.
        logs = []
        for server in servers:
            handled = self.handled_by('instance.create.end', server)
            self.assertEqual(1, len(handled), (server, handled))
            logs += handled
        self.assertEqual(2, len(set(logs)), logs)
        self.wait_poll('usage')
        self.assertEqual(10, self.used(lease_id))

        for server in servers:
            self.nova.send('compute1', 'instance.delete.end',
                           samples.instance('compute1', uuid=server,
                                            deleted=True))
        self.wait_used(lease_id, 0)
        self.assertEqual(0, self.hosts_used())

    def test_disabled_compute_loses_its_reservations_until_enabled(self):
        collector = self.useFixture(func_fixtures.NotificationCollector(
            self.deployment.config.notification_topic))
        resp = self.host_lease()
        self.assertEqual(201, resp.status_code, resp.text)
        lease_id = resp.json()['lease']['id']
        self.assertEqual([1], self.allocated(lease_id))

        seen = base.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ')
        self.nova.send('compute1', 'service.update', samples.service(
            'compute1', disabled=True, disabled_reason='maintenance',
            last_seen_up=seen))
        func_fixtures.wait_for(lambda: self.allocated(lease_id) == [2], 30,
                               interval=0.2, what='the lease on compute2')
        self.assertEqual(('disabled', 'maintenance'), self.health(1))
        lease = self.get_lease(lease_id)
        self.assertTrue(lease['reservations'][0]['resources_changed'])
        self.assertFalse(lease['degraded'])
        # The owner is told.
        func_fixtures.wait_for(
            lambda: [n for n in collector.events('lease.update')
                     if n['payload']['lease_id'] == lease_id], 30,
            interval=0.2, what='lease.update for %s' % lease_id)
        # compute1 is out of the pool: two more hosts are not to be had.
        resp = self.host_lease(count=2)
        self.assertEqual(409, resp.status_code, resp.text)
        self.wait_poll('health')
        self.assertEqual(('disabled', 'maintenance'), self.health(1))
        self.assertEqual([2], self.allocated(lease_id))

        self.nova.send('compute1', 'service.update', samples.service(
            'compute1', disabled=False, last_seen_up=seen))
        func_fixtures.wait_for(lambda: self.health(1) == ('up', None), 30,
                               interval=0.2, what='compute1 up again')
        resp = self.host_lease(count=2)
        self.assertEqual(201, resp.status_code, resp.text)
        self.assertEqual([1, 3], self.allocated(resp.json()['lease']['id']))
        self.assertEqual([2], self.allocated(lease_id))


class TestNovaEventsMySQL(base.MySQLMixin, _NovaEvents,
                          base.FunctionalTestCase):
    pass


class TestNovaEventsPostgreSQL(base.PostgreSQLMixin, _NovaEvents,
                               base.FunctionalTestCase):
    pass
