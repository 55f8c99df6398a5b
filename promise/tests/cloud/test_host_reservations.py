"""physical:host reservations against a real Nova (tools/minicloud).

python-blazarclient (the `openstack reservation` CLI) is the client where
the issue names it; state is checked through the Promise and Nova APIs.
"""

import datetime
import json
import os
import subprocess
import time
import uuid

from promise.tests.cloud import fixture

COMPUTE_21 = {'service_type': 'compute', 'interface': 'public'}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def minute(value):
    return value.strftime('%Y-%m-%d %H:%M')


class HostReservationBase(fixture.CloudTestCase):
    PROMISE = True

    def cli(self, *args, who='admin'):
        """Run `openstack reservation ARGS -f json`; (rc, parsed, stderr)."""
        proc = subprocess.run(
            [os.path.join(self.cloud.venv, 'bin', 'openstack'),
             'reservation'] + list(args),
            env=self.cloud.cli_env(who), text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=120)
        # python-blazarclient 4.6 prints a plugin warning before the JSON.
        out = proc.stdout
        starts = [i for i in (out.find('\n{'), out.find('\n['),
                              0 if out[:1] in '{[' else -1) if i >= 0]
        if out and starts:
            return proc.returncode, json.loads(out[min(starts):]), proc.stderr
        return proc.returncode, out.strip(), proc.stderr

    def nova_hypervisor_id(self, name):
        # API 2.1 names hypervisors by integer id, as Promise does.
        resp = self.cloud.admin_session.get(
            '/os-hypervisors', endpoint_filter=COMPUTE_21,
            headers={'X-OpenStack-Nova-API-Version': '2.1'})
        for hyp in resp.json()['hypervisors']:
            if hyp['hypervisor_hostname'] == name:
                return str(hyp['id'])
        self.fail('Nova has no hypervisor %s' % name)

    def hypervisors(self):
        resp = self.cloud.admin_session.get(
            '/os-hypervisors/detail', endpoint_filter=COMPUTE_21,
            headers={'X-OpenStack-Nova-API-Version': '2.1'})
        return resp.json()['hypervisors']

    def free_hypervisor(self):
        """A compute host that Promise does not manage and that runs no
        server, so tests sharing the cloud do not step on each other."""
        managed = {h['hypervisor_hostname'] for h in self.promise(
            'GET', '/os-hosts').json()['hosts']}
        free = sorted(h['hypervisor_hostname'] for h in self.hypervisors()
                      if h['hypervisor_hostname'] not in managed and
                      h['running_vms'] == 0 and h['state'] == 'up')
        if not free:
            self.fail('no compute host is free for this test')
        return free[-1]

    def aggregate(self, name):
        for agg in self.cloud.admin.compute.aggregates():
            if agg.name == name:
                return agg
        return None

    def register(self, name):
        rc, host, err = self.cli('host', 'create', name, '-f', 'json')
        self.assertEqual(0, rc, err)
        self.addCleanup(self.delete_until_gone, '/os-hosts/%s' % host['id'])
        return host

    def register_free(self, count):
        """Register `count` idle computes; ([names], {name: host id})."""
        names = []
        for _ in range(count):
            names.append(self.free_hypervisor())
            self.register(names[-1])
        ids = {h['hypervisor_hostname']: h['id'] for h in self.promise(
            'GET', '/os-hosts').json()['hosts']}
        return names, {n: ids[n] for n in names}

    def wait_lease(self, lease_id, status, timeout=240, who='demo'):
        deadline = time.monotonic() + timeout
        while True:
            lease = self.promise('GET', '/leases/%s' % lease_id,
                                 who=who).json()['lease']
            if lease['status'] == status:
                return lease
            if lease['status'] == 'ERROR' or time.monotonic() > deadline:
                self.fail('lease %s is %s (%s), not %s' % (
                    lease_id, lease['status'], lease.get('status_reason'),
                    status))
            time.sleep(0.5)

    def boot(self, name, hints=None, who='demo'):
        flavor = self.cloud.connection(who).compute.find_flavor(
            'm1.tiny', ignore_missing=False)
        return self.boot_server(name, flavor.id, hints, who)


class TestHostInventory(HostReservationBase):

    def test_host_create_uses_nova_id_and_refuses_duplicates(self):
        name = self.free_hypervisor()
        host = self.register(name)
        self.assertEqual(self.nova_hypervisor_id(name), host['id'])
        rc, hosts, err = self.cli('host', 'list', '-f', 'json')
        self.assertEqual(0, rc, err)
        self.assertIn(host['id'], [h['id'] for h in hosts])
        self.assertIn(name, self.aggregate('freepool').hosts)

        rc, _, err = self.cli('host', 'create', name)
        self.assertNotEqual(0, rc)
        self.assertIn('already registered', err)
        resp = self.promise('POST', '/os-hosts', json={'name': name})
        self.assertEqual(409, resp.status_code)

        # A member may not manage hosts.
        resp = self.promise('GET', '/os-hosts', who='demo')
        self.assertEqual(403, resp.status_code)


class TestHostLease(HostReservationBase):

    def test_lease_lifecycle_with_real_scheduler(self):
        name = self.free_hypervisor()
        self.register(name)
        # Only this host may match, whatever else is registered.
        only = '["==", "$hypervisor_hostname", "%s"]' % name
        now = utcnow()
        start = now.replace(second=0, microsecond=0) + datetime.timedelta(
            minutes=2)
        end = start + datetime.timedelta(minutes=2)
        rc, lease, err = self.cli(
            'lease', 'create', '--reservation',
            'resource_type=physical:host,min=1,max=1,'
            'hypervisor_properties=%s' % only,
            '--start-date', minute(start), '--end-date', minute(end),
            'host-lease-%s' % uuid.uuid4().hex[:6], '-f', 'json', who='demo')
        self.assertEqual(0, rc, err)
        self.addCleanup(self.delete_until_gone, '/leases/%s' % lease['id'],
                        who='demo')
        reservations = lease['reservations']
        if isinstance(reservations, str):
            reservations = json.loads(reservations)
        if isinstance(reservations, dict):
            reservations = [reservations]
        reservation_id = reservations[0]['id']
        self.assertEqual('PENDING', lease['status'])

        # Before the start: the host sits in the free pool, a hinted boot
        # finds no host, and unhinted boots stay off it.
        early = self.settle(self.boot('early-hinted',
                                      {'reservation': reservation_id}))
        self.assertEqual('ERROR', early.status)
        free = self.settle(self.boot('unhinted-before'))
        self.assertEqual('ACTIVE', free.status)
        self.assertNotEqual(name, free.compute_host)

        self.wait_lease(lease['id'], 'ACTIVE')
        agg = self.aggregate(reservation_id)
        self.assertIsNotNone(agg, 'no aggregate named after the reservation')
        self.assertEqual([name], agg.hosts)
        self.assertNotIn(name, self.aggregate('freepool').hosts)

        inside = self.settle(self.boot('hinted',
                                       {'reservation': reservation_id}))
        self.assertEqual('ACTIVE', inside.status)
        self.assertEqual(name, inside.compute_host)
        for i in range(2):
            other = self.settle(self.boot('unhinted-%d' % i))
            self.assertEqual('ACTIVE', other.status)
            self.assertNotEqual(name, other.compute_host)

        # Another project's hinted boot never gets in.
        stranger = self.settle(self.boot(
            'other-project', {'reservation': reservation_id}, who='admin'))
        self.assertEqual('ERROR', stranger.status)

        self.wait_lease(lease['id'], 'TERMINATED')
        # The end event is recorded DONE just after the lease terminates.
        deadline = time.monotonic() + 30
        while True:
            ended = self.promise('GET', '/leases/%s' % lease['id'],
                                 who='demo').json()['lease']
            states = [e['status'] for e in ended['events']]
            if states == ['DONE'] * 3 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(['DONE'] * 3, states)
        fixture.wait_for_server_gone(self.cloud.admin, inside.id,
                                     timeout=60)
        self.assertIn(name, self.aggregate('freepool').hosts)
        self.assertIsNone(self.aggregate(reservation_id))

    def test_more_hosts_than_exist_is_409_and_writes_nothing(self):
        self.register(self.free_hypervisor())
        too_many = str(len(self.hypervisors()) + 1)
        before = self.promise('GET', '/leases', who='admin').json()['leases']
        start = utcnow() + datetime.timedelta(hours=2)
        body = {'name': 'too-big', 'start_date': minute(start),
                'end_date': minute(start + datetime.timedelta(hours=1)),
                'reservations': [{'resource_type': 'physical:host',
                                  'min': too_many, 'max': too_many,
                                  'hypervisor_properties': '',
                                  'resource_properties': ''}],
                'events': []}
        resp = self.promise('POST', '/leases', who='demo', json=body)
        self.assertEqual(409, resp.status_code, resp.text)
        error = resp.json()
        self.assertEqual(409, error['error_code'])
        self.assertIn('Not enough hosts available', error['error_message'])
        after = self.promise('GET', '/leases', who='admin').json()['leases']
        self.assertEqual(sorted(lease['id'] for lease in before),
                         sorted(lease['id'] for lease in after))
        # No aggregate exists for a reservation that no lease holds.
        known = {r['id'] for lease in after for r in lease['reservations']}
        for agg in self.cloud.admin.compute.aggregates():
            reservation = (agg.metadata or {}).get('promise:reservation')
            if reservation:
                self.assertIn(reservation, known)
