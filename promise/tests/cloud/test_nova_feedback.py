"""What Nova really does feeds back into reservations (real cloud):

* a reservation with ``expiry`` that nobody boots into is released at its
  deadline and its owner told; one that is used is kept;
* a compute service disabled in Nova moves an upcoming reservation off its
  host and the subscriber hears of it; enabled again, the host is
  reservable again;
* a preemptible server borrowing a free host is removed when a
  reservation of that host starts, and the hinted boot then lands there.

Webhooks go to a receiver in this process (the minicloud's Promise allows
loopback receivers); every body's signature is checked.
"""

import datetime
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid


from promise.tests.cloud import fixture
from promise.tests.cloud import test_host_reservations as base
from promise.tests.unit import test_subscriptions_outbox as outbox

SECRET = 'cloud-webhook-secret'
COMPUTE = {'service_type': 'compute', 'interface': 'public'}


def parse_out_date(value):
    """A date as the API answers it (Blazar's format)."""
    return datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%S.%f')


def only(*names):
    return json.dumps(['or'] + [['==', '$hypervisor_hostname', n]
                                for n in names])


class FeedbackBase(base.HostReservationBase):

    def setUp(self):
        super().setUp()
        self.receiver = outbox.Receiver().start()
        self.addCleanup(self.receiver.stop)

    def subscribe(self, event_types, who='demo', **body):
        body.update(event_types=event_types, url=self.receiver.url,
                    secret=SECRET)
        resp = self.promise('POST', '/subscriptions', who=who, json=body)
        self.assertEqual(201, resp.status_code, resp.text)
        sub = resp.json()['subscription']
        self.addCleanup(self.promise, 'DELETE',
                        '/subscriptions/%s' % sub['id'], who=who)
        return sub

    def webhooks(self, event_type):
        bodies = []
        for body, headers, raw in self.receiver.accepted():
            self.assertTrue(outbox.verify(SECRET, headers, raw),
                            'bad signature on %r' % raw)
            if body['event_type'] == event_type:
                bodies.append(body)
        return bodies

    def wait_webhook(self, event_type, match, timeout=90):
        deadline = time.monotonic() + timeout
        while True:
            found = [b for b in self.webhooks(event_type) if match(b)]
            if found:
                return found
            if time.monotonic() > deadline:
                self.fail('no %s webhook within %ss; got %s' % (
                    event_type, timeout,
                    [b['event_type'] for b, _, _ in
                     self.receiver.accepted()]))
            time.sleep(0.5)

    def host_lease(self, name, host_names, start='now', minutes=30,
                   **extra):
        if start == 'now':
            start_date = 'now'
            end = base.utcnow() + datetime.timedelta(minutes=minutes)
        else:
            start_date = base.minute(start)
            end = start + datetime.timedelta(minutes=minutes)
        reservation = {'resource_type': 'physical:host', 'min': 1, 'max': 1,
                       'hypervisor_properties': only(*host_names)}
        reservation.update(extra)
        resp = self.promise('POST', '/leases', who='demo', json={
            'name': '%s-%s' % (name, uuid.uuid4().hex[:6]),
            'start_date': start_date, 'end_date': base.minute(end),
            'reservations': [reservation]})
        self.assertEqual(201, resp.status_code, resp.text)
        lease = resp.json()['lease']
        self.addCleanup(self.delete_until_gone, '/leases/%s' % lease['id'],
                        who='demo')
        return lease

    def reservation(self, lease_id):
        lease = self.promise('GET', '/leases/%s' % lease_id,
                             who='demo').json()['lease']
        return lease['reservations'][0]

    def allocation_host(self, lease_id):
        resp = self.promise('GET', '/os-hosts/allocations?lease_id=%s'
                            % lease_id)
        # Every host is listed, as Blazar lists them; the lease's are
        # those with a reservation in it.
        return [a['resource_id'] for a in resp.json()['allocations']
                if a['reservations']]

    def set_service(self, host, enabled):
        """Enable or disable host's nova-compute (API 2.53)."""
        sess = self.cloud.admin_session
        headers = {'X-OpenStack-Nova-API-Version': '2.53'}
        services = sess.get('/os-services?binary=nova-compute&host=%s'
                            % host, endpoint_filter=COMPUTE,
                            headers=headers).json()['services']
        self.assertEqual(1, len(services), services)
        body = {'status': 'enabled' if enabled else 'disabled'}
        if not enabled:
            body['disabled_reason'] = 'promise cloud test'
        resp = sess.put('/os-services/%s' % services[0]['id'], json=body,
                        endpoint_filter=COMPUTE, headers=headers,
                        raise_exc=False)
        self.assertEqual(200, resp.status_code, resp.text)

    def preemptible_flavor(self):
        admin = self.cloud.admin
        flavor = admin.compute.create_flavor(
            name='preemptible-%s' % uuid.uuid4().hex[:6], ram=512, vcpus=1,
            disk=1, is_public=True)
        self.addCleanup(admin.compute.delete_flavor, flavor.id)
        admin.compute.create_flavor_extra_specs(
            flavor, {'promise:preemptible': 'true'})
        return flavor

    def boot_on(self, host, flavor_id):
        """Boot as admin asking for `host` (API 2.74): unlike a forced
        host, the scheduler filters, Promise's included, still run."""
        conn = self.cloud.admin
        image = conn.image.find_image('tiny', ignore_missing=False)
        net = conn.network.find_network('net1', ignore_missing=False)
        resp = self.cloud.admin_session.post(
            '/servers', endpoint_filter=COMPUTE, raise_exc=False,
            headers={'X-OpenStack-Nova-API-Version': '2.74'},
            json={'server': {
                'name': 'preemptible-%s' % uuid.uuid4().hex[:6],
                'imageRef': image.id, 'flavorRef': flavor_id,
                'networks': [{'uuid': net.id}], 'host': host}})
        self.assertEqual(202, resp.status_code, resp.text)
        server_id = resp.json()['server']['id']
        self.addCleanup(fixture.delete_server, conn, server_id, False)
        return server_id

    def free_pool(self):
        return set(self.aggregate('freepool').hosts)


class TestExpiry(FeedbackBase):

    def test_unused_reservation_expires_and_a_used_one_stays(self):
        (unused_host, used_host), _ = self.register_free(2)
        self.subscribe(['reservation.expired', 'lease.create',
                        'lease.event.start_lease', 'lease.event.end_lease'])
        unused = self.host_lease('unused', [unused_host], expiry=1)
        # Two minutes: the boot below must be counted before the used
        # one's deadline even when Nova is slow to build.
        used = self.host_lease('used', [used_host], minutes=4, expiry=2)
        for lease in (unused, used):
            self.wait_lease(lease['id'], 'ACTIVE')

        res_used = self.reservation(used['id'])
        server = self.settle(self.boot('used', {'reservation':
                                                res_used['id']}))
        self.assertEqual('ACTIVE', server.status, server.fault)
        self.assertEqual(used_host, server.compute_host)

        # The unused one is released at start + 1 minute (plus one usage
        # pass), its host back in the free pool, and its owner is told.
        res_unused = self.reservation(unused['id'])
        deadline = time.monotonic() + 150
        while self.reservation(unused['id'])['status'] != 'expired':
            if time.monotonic() > deadline:
                self.fail('reservation %s not expired: %s' % (
                    res_unused['id'], self.reservation(unused['id'])))
            time.sleep(1)
        expired_at = base.utcnow()
        # Not before its deadline: a minute after the lease's own start.
        self.assertGreaterEqual(
            expired_at - parse_out_date(unused['start_date']),
            datetime.timedelta(seconds=58))
        [hook] = self.wait_webhook(
            'reservation.expired',
            lambda b: b['payload']['reservation_id'] == res_unused['id'])
        self.assertEqual(unused['id'], hook['payload']['lease']['id'])
        self.assertIn(unused_host, self.free_pool())
        agg = self.aggregate(res_unused['id'])
        self.assertTrue(agg is None or not agg.hosts, agg)

        # The used one outlives its deadline by several usage passes.
        past_deadline = (parse_out_date(used['start_date']) +
                         datetime.timedelta(minutes=2, seconds=20))
        time.sleep(max(0, (past_deadline - base.utcnow()).total_seconds()))
        self.assertEqual('active', self.reservation(used['id'])['status'])
        self.assertEqual('ACTIVE', self.wait_lease(used['id'],
                                                   'ACTIVE')['status'])
        self.assertEqual([used_host], self.aggregate(res_used['id']).hosts)
        self.assertEqual(
            'ACTIVE', self.cloud.admin.compute.get_server(server.id).status)
        self.assertEqual([], [b for b in self.webhooks('reservation.expired')
                              if b['payload']['reservation_id'] ==
                              res_used['id']])

        # The used lease ends on its own; its owner heard of its create,
        # start and end once each, every body signed.
        self.wait_lease(used['id'], 'TERMINATED', timeout=300)
        self.wait_webhook('lease.event.end_lease',
                          lambda b: b['payload']['lease']['id'] ==
                          used['id'])
        time.sleep(3)
        for event in ('lease.create', 'lease.event.start_lease',
                      'lease.event.end_lease'):
            self.assertEqual(1, len([
                b for b in self.webhooks(event)
                if b['payload']['lease']['id'] == used['id']]), event)


class TestHealing(FeedbackBase):

    def test_disabled_compute_moves_upcoming_reservation(self):
        names, ids = self.register_free(2)
        self.subscribe(['lease.update', 'reservation.*'])
        start = (base.utcnow() + datetime.timedelta(days=1)).replace(
            second=0, microsecond=0)
        lease = self.host_lease('heal', names, start=start, minutes=60)
        [first] = self.allocation_host(lease['id'])
        first_name = [n for n in names if ids[n] == first][0]
        other = [ids[n] for n in names if ids[n] != first][0]

        self.set_service(first_name, enabled=False)
        self.addCleanup(self.set_service, first_name, True)
        deadline = time.monotonic() + 90
        while self.allocation_host(lease['id']) != [other]:
            if time.monotonic() > deadline:
                self.fail('reservation still on %s after disabling it: %s'
                          % (first_name, self.allocation_host(lease['id'])))
            time.sleep(1)
        self.assertTrue(self.reservation(lease['id'])['resources_changed'])
        [hook] = self.wait_webhook(
            'lease.update', lambda b: b['payload']['lease']['id'] ==
            lease['id'])
        self.assertEqual(lease['project_id'],
                         hook['payload']['lease']['project_id'])
        # The disabled host takes no new reservation.
        resp = self.promise('POST', '/leases/check', who='demo', json={
            'name': 'probe', 'start_date': base.minute(start),
            'end_date': base.minute(start + datetime.timedelta(hours=1)),
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1,
                              'hypervisor_properties': only(first_name)}]})
        self.assertEqual(200, resp.status_code, resp.text)
        self.assertFalse(resp.json()['feasible'], resp.text)

        # Enabled again: the host is reservable again.
        self.set_service(first_name, enabled=True)
        deadline = time.monotonic() + 90
        while True:
            resp = self.promise('POST', '/leases/check', who='demo', json={
                'name': 'probe', 'start_date': base.minute(start),
                'end_date': base.minute(start + datetime.timedelta(hours=1)),
                'reservations': [{'resource_type': 'physical:host',
                                  'min': 1, 'max': 1,
                                  'hypervisor_properties':
                                  only(first_name)}]})
            if resp.json().get('feasible'):
                break
            if time.monotonic() > deadline:
                self.fail('host %s not reservable after enabling it: %s'
                          % (first_name, resp.text))
            time.sleep(1)


class TestPreemption(FeedbackBase):

    def test_preemptible_server_makes_way_for_the_reservation(self):
        name = self.free_hypervisor()
        self.register(name)
        flavor = self.preemptible_flavor()
        borrowed = self.settle(self.boot_on(name, flavor.id))
        self.assertEqual('ACTIVE', borrowed.status,
                         getattr(borrowed, 'fault', None))
        self.assertEqual(name, borrowed.compute_host)
        # An ordinary flavor may not borrow the free pool.
        tiny = self.cloud.admin.compute.find_flavor('m1.tiny',
                                                    ignore_missing=False)
        refused = self.settle(self.boot_on(name, tiny.id))
        self.assertEqual('ERROR', refused.status)

        start = (base.utcnow() + datetime.timedelta(minutes=2)).replace(
            second=0, microsecond=0)
        lease = self.host_lease('preempt', [name], start=start, minutes=5)
        # The design: the usage pass deletes borrowers [manager]
        # preemption_grace seconds (60 in the minicloud) before the start;
        # the start itself deletes them again only as a fallback.  So the
        # server is gone before the start, while the lease is still
        # PENDING: waiting past the start would pass on the fallback alone.
        until_start = (start - base.utcnow()).total_seconds()
        self.assertGreater(until_start, 0, 'the test was too slow to set '
                           'up before the start; nothing was checked')
        fixture.wait_for_server_gone(self.cloud.admin, borrowed.id,
                                     timeout=until_start)
        gone_at = base.utcnow()
        pending = self.promise('GET', '/leases/%s' % lease['id'],
                               who='demo').json()['lease']
        self.assertEqual('PENDING', pending['status'], pending)
        self.assertLess(gone_at, start)
        active = self.wait_lease(lease['id'], 'ACTIVE')
        res = active['reservations'][0]
        server = self.settle(self.boot('reserved', {'reservation':
                                                    res['id']}))
        self.assertEqual('ACTIVE', server.status)
        self.assertEqual(name, server.compute_host)


class TestNovaNotifications(TestHealing):
    """Promise hears Nova's versioned notifications (RabbitMQ, Nova's own
    exchange) and reacts to them with every periodic Nova poll off: the
    cloud's promise-manager is replaced, for this test, by one whose
    usage, health and capacity passes are disabled, so nothing but a
    notification can tell it that a compute was disabled."""

    def setUp(self):
        super().setUp()
        self.manager_without_polls()

    def manager_without_polls(self):
        state = fixture.STATE_DIR
        conf = os.path.join(state, 'etc', 'promise', 'promise.conf')
        pidfile = os.path.join(state, 'run', 'promise-manager.pid')
        binary = os.path.join(self.cloud.venv, 'bin', 'promise-manager')
        for path in (conf, pidfile, binary):
            self.assertTrue(os.path.exists(path), path)
        override = tempfile.NamedTemporaryFile(
            'w', prefix='promise-no-polls-', suffix='.conf', delete=False)
        self.addCleanup(os.unlink, override.name)
        override.write('[manager]\nusage_interval = 0\n'
                       'health_interval = 0\ncapacity_interval = 0\n')
        override.close()
        # The cloud's manager would poll Nova: stopped, and started again
        # (as tools/minicloud runs it) after the test.
        self.addCleanup(subprocess.run,
                        [fixture.MINICLOUD, 'restart', 'promise-manager'],
                        check=True, stdout=subprocess.DEVNULL)
        cloud_manager = int(open(pidfile).read().strip())
        os.kill(cloud_manager, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while os.path.exists('/proc/%d' % cloud_manager):
            self.assertLess(time.monotonic(), deadline,
                            'the cloud promise-manager did not stop')
            time.sleep(fixture.POLL)
        self.manager, self.manager_log = self.start_manager(
            [conf, override.name], 'promise-manager-no-polls-',
            ready=('listening on topic', 'Listening to Nova notifications'))

    def test_disabled_compute_moves_upcoming_reservation(self):
        super().test_disabled_compute_moves_upcoming_reservation()
        # It was this manager, polls off, that heard it.
        self.assertIsNone(self.manager.poll())
        self.assertRegex(open(self.manager_log).read(),
                         r'promise\.manager\.health .*Host \S+ is now')
