"""python-promiseclient through the real `openstack` CLI, against real
promise-api and promise-manager processes (noauth) on MariaDB/RabbitMQ.

python-blazarclient is installed beside it: its commands keep working and
none of Promise's commands shadow one of them.  Without Keystone the CLI
sends no identity headers, so Promise's [noauth] default identity (an
admin of "noauth-project") applies.
"""

import datetime
import hashlib
import hmac
import http.server
import json
import threading
import uuid

import sqlalchemy as sa

from promise.db import models
from promise.tests.functional import base
from promise.tests.functional import cli
from promise.tests.functional import fixtures as func_fixtures

NOAUTH = {'user': 'noauth-user', 'project': 'noauth-project'}
# A host query with commas inside its JSON: the --reservation parser must
# keep it whole.
VCPUS_AND_TYPE = ('["and", [">=", "$vcpus", "4"], '
                  '["==", "$hypervisor_type", "fake"]]')


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A webhook endpoint on 127.0.0.2 that records what it gets."""

    received = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class PromiseClientCliTests(cli.CLIMixin):

    # Webhooks go to a receiver of this test on 127.0.0.2, which Promise
    # refuses unless allowed.
    DEPLOYMENT = {'manager.plugins': 'physical:host',
                  'notifications.webhook_allowed_networks': '127.0.0.2/32'}

    # -- helpers ----------------------------------------------------------

    def add_host(self, vcpus=8):
        host_id, name = self.insert_host('cli-compute', vcpus)
        self.addCleanup(self._remove_host, host_id)
        return host_id, name

    def _remove_host(self, host_id):
        with self.deployment.db.engine.begin() as conn:
            for table in ('capacity_changes', 'host_allocations'):
                if table in sa.inspect(conn).get_table_names():
                    conn.execute(sa.text(
                        'DELETE FROM %s WHERE host_id = :h' % table),
                        {'h': host_id})
            conn.execute(sa.delete(models.Host.__table__).where(
                models.Host.__table__.c.id == host_id))

    def host_lease(self, start, end, count=1, name=None):
        """A physical:host lease made through the API as the CLI's
        identity; deleted after the test."""
        lease = self.create_lease(
            name=name, start=base.api_date(start), end=base.api_date(end),
            who=NOAUTH, reservations=[{
                'resource_type': 'physical:host', 'min': count,
                'max': count, 'hypervisor_properties': '',
                'resource_properties': ''}])
        self.addCleanup(self.request, 'DELETE', '/v1/leases/%s'
                        % lease['id'], who=NOAUTH, roles='admin')
        return lease

    def receiver(self):
        """(URL, list of (headers, body)) of a webhook receiver."""
        received = []
        handler = type('Receiver', (_Receiver,), {'received': received})
        server = http.server.ThreadingHTTPServer(('127.0.0.2', 0), handler)
        thread = threading.Thread(target=server.serve_forever,
                                  kwargs={'poll_interval': 0.2}, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return 'http://127.0.0.2:%d/hook' % server.server_port, received

    def window(self, hours=6):
        start = (base.utcnow() + datetime.timedelta(hours=1)).replace(
            second=0, microsecond=0)
        return start, start + datetime.timedelta(hours=hours)

    # -- tests ------------------------------------------------------------

    def test_blazarclient_commands_still_work(self):
        listed = self.openstack_json('reservation', 'lease', 'list')
        self.assertIsInstance(listed, list)
        groups = {g['Command Group']: g['Commands'] for g in
                  self.openstack_json('command', 'list')}
        ours = groups['openstack.promise.v1']
        theirs = groups['openstack.reservation.v1']
        self.assertIn('reservation capacity show', ours)
        self.assertIn('reservation lease check', ours)
        self.assertIn('reservation lease create', theirs)
        self.assertEqual(set(), set(ours) & set(theirs))

    def test_capacity_show(self):
        self.add_host()
        self.add_host()
        start, end = self.window()
        lease_start = start + datetime.timedelta(hours=2)
        lease_end = start + datetime.timedelta(hours=4)
        self.host_lease(lease_start, lease_end)
        args = ['reservation', 'capacity', 'show',
                '--start-date', base.api_date(start),
                '--end-date', base.api_date(end)]
        capacity = self.openstack_json(*args)
        self.assertEqual('physical:host', capacity['resource_type'])
        self.assertEqual('hosts', capacity['unit'])
        self.assertEqual(1, capacity['min_available'])
        steps = capacity['timeline']
        self.assertEqual([(2, 0, 2), (2, 1, 1), (2, 0, 2)],
                         [(s['total'], s['reserved'], s['available'])
                          for s in steps])
        self.assertEqual(base.api_date(lease_start),
                         base.api_date(base.parse_out_date(
                             steps[1]['start_date'])))

        # The readable table with the chart, and plain values.
        _, out = self.openstack(*(args + ['--timeline-chart']))
        for word in ('min_available', 'timeline_chart', 'reserved'):
            self.assertIn(word, out)
        _, out = self.openstack(*(args + [
            '--timeline-chart', '-f', 'value', '-c', 'min_available', '-c',
            'timeline_chart']))
        lines = [line for line in out.splitlines()
                 if 'Could not load' not in line]
        self.assertEqual('1', lines[0], out)
        self.assertEqual(3, len(lines[1:]), out)
        self.assertIn('|' + '#' * 40 + '| 2/2', lines[1])
        self.assertIn('|' + '#' * 20 + '.' * 20 + '| 1/2', lines[2])
        self.assertIn('|' + '#' * 40 + '| 2/2', lines[3])

        # A host query with commas, and one no host matches.
        none = self.openstack_json(
            *(args + ['--hypervisor-properties',
                      '["and", [">=", "$vcpus", "64"], '
                      '["==", "$hypervisor_type", "fake"]]']))
        self.assertEqual(0, none['min_available'])
        self.assertEqual([0], [s['total'] for s in none['timeline']])

    def test_lease_check(self):
        self.add_host()
        self.add_host()
        start, end = self.window(hours=3)
        self.host_lease(start, end)
        name = 'check-%s' % uuid.uuid4().hex[:8]
        dates = ['--start-date', base.api_date(start),
                 '--end-date', base.api_date(end)]
        offer = self.openstack_json(
            'reservation', 'lease', 'check', name, *dates,
            '--reservation',
            'resource_type=physical:host,min=2,max=2,'
            'hypervisor_properties=,resource_properties=')
        self.assertIs(False, offer['feasible'])
        self.assertEqual([1], offer['max_reservable'])
        self.assertTrue(offer['alternatives'], offer)
        first = offer['alternatives'][0]
        self.assertGreaterEqual(base.parse_out_date(first['start_date']),
                                end)

        offer = self.openstack_json(
            'reservation', 'lease', 'check', name, *dates,
            '--reservation',
            'resource_type=physical:host,min=1,max=1,'
            'hypervisor_properties=%s,resource_properties=' % VCPUS_AND_TYPE)
        self.assertIs(True, offer['feasible'])
        self.assertEqual([1], offer['max_reservable'])

        # Readable output, and nothing was stored.
        _, out = self.openstack(
            'reservation', 'lease', 'check', name, *dates,
            '--reservation', 'resource_type=physical:host,min=2,max=2')
        self.assertIn('max_reservable', out)
        self.assertIn(' -> ', out)
        leases = self.openstack_json('reservation', 'lease', 'list')
        self.assertNotIn(name, [lease['name'] for lease in leases])

        # A typo in a key is refused by the client, before any request.
        rc, out = self.openstack(
            'reservation', 'lease', 'check', name, *dates,
            '--reservation', 'resource_type=physical:host,min=1,maxx=1',
            expect_ok=False)
        self.assertNotEqual(0, rc)
        self.assertIn("unknown key 'maxx'", out)

    def test_capacity_change_lifecycle(self):
        first_id, first = self.add_host()
        second_id, _ = self.add_host()
        start, end = self.window()
        lease = self.host_lease(start + datetime.timedelta(hours=1),
                                start + datetime.timedelta(hours=3))
        held = self.request('GET', '/v1/os-hosts/allocations?lease_id=%s'
                            % lease['id'], who=NOAUTH, roles='admin')
        self.assertEqual(200, held.status_code, held.text)
        held_ids = {a['resource_id'] for a in held.json()['allocations']
                    if a['reservations']}
        self.assertEqual(1, len(held_ids), held.text)
        held_id = held_ids.pop()
        held_name = first if held_id == str(first_id) else None

        change = self.openstack_json(
            'reservation', 'capacity', 'change', 'create',
            '--host', held_name or held_id, '--type', 'unavailable',
            '--start-date', base.api_date(start),
            '--end-date', base.api_date(end), '--reason', 'disk swap')
        self.assertEqual(held_id, change['host_id'])
        self.assertEqual('unavailable', change['type'])
        self.assertEqual('disk swap', change['reason'])
        affected = change['affected_reservations']
        self.assertEqual(1, len(affected), change)
        self.assertEqual(lease['id'], affected[0]['lease_id'])
        self.assertEqual('moved', affected[0]['outcome'])
        self.assertEqual(
            {str(first_id), str(second_id)} - {held_id},
            {affected[0]['new_host_id']})

        listed = self.openstack_json('reservation', 'capacity', 'change',
                                     'list')
        self.assertIn(change['id'], [c['id'] for c in listed])
        by_host = self.openstack_json('reservation', 'capacity', 'change',
                                      'list', '--host', held_id)
        self.assertEqual([change['id']], [c['id'] for c in by_host])
        shown = self.openstack_json('reservation', 'capacity', 'change',
                                    'show', change['id'])
        self.assertEqual(change['start_date'], shown['start_date'])

        # The host is out of the pool in the window.
        capacity = self.openstack_json(
            'reservation', 'capacity', 'show',
            '--start-date', base.api_date(start),
            '--end-date', base.api_date(end))
        self.assertEqual({1}, {s['total'] for s in capacity['timeline']})

        self.openstack('reservation', 'capacity', 'change', 'delete',
                       change['id'])
        listed = self.openstack_json('reservation', 'capacity', 'change',
                                     'list')
        self.assertNotIn(change['id'], [c['id'] for c in listed])
        rc, out = self.openstack('reservation', 'capacity', 'change',
                                 'show', change['id'], expect_ok=False)
        self.assertNotEqual(0, rc)
        self.assertIn('could not be found. (HTTP 404)', out)

    def test_subscription_lifecycle(self):
        start, end = self.window()
        lease_name = 'sub-%s' % uuid.uuid4().hex[:8]
        self.add_host()
        self.add_host()
        lease = self.host_lease(start, end, name=lease_name)
        url, received = self.receiver()
        sub = self.openstack_json(
            'reservation', 'subscription', 'create',
            '--event-type', 'lease.*', '--event-type', 'capacity.change',
            '--lease', lease_name, '--threshold', 'available,lt,1',
            '--url', url, '--secret', 's3cret')
        self.addCleanup(self.request, 'DELETE', '/v1/subscriptions/%s'
                        % sub['id'], who=NOAUTH, roles='admin')
        self.assertEqual(['lease.*', 'capacity.change'], sub['event_types'])
        self.assertEqual(lease['id'], sub['lease_id'])
        self.assertEqual('available', sub['threshold']['metric'])
        self.assertEqual('lt', sub['threshold']['op'])
        self.assertEqual(1, sub['threshold']['value'])
        self.assertEqual(url, sub['url'])
        self.assertNotIn('s3cret', json.dumps(sub))

        shown = self.openstack_json('reservation', 'subscription', 'show',
                                    sub['id'])
        self.assertEqual(sub['id'], shown['id'])
        listed = self.openstack_json('reservation', 'subscription', 'list')
        self.assertIn(sub['id'], [s['id'] for s in listed])

        # An event of the lease reaches the receiver, signed, and the
        # delivery is listed.
        resp = self.request(
            'PUT', '/v1/leases/%s' % lease['id'], who=NOAUTH, roles='admin',
            json={'name': lease_name + '-renamed'})
        self.assertEqual(200, resp.status_code, resp.text)
        func_fixtures.wait_for(lambda: received, 60,
                               what='a webhook delivery')
        headers, body = received[0]
        signature = {k.lower(): v for k, v in headers.items()}[
            'x-promise-signature']
        self.assertEqual(
            'sha256=' + hmac.new(b's3cret', body, hashlib.sha256)
            .hexdigest(), signature)
        self.assertEqual('lease.update', json.loads(body)['event_type'])

        def delivered():
            rows = self.openstack_json('reservation', 'subscription',
                                       'delivery', 'list', sub['id'])
            return [r for r in rows if r['status'] == 'delivered']
        rows = func_fixtures.wait_for(delivered, 60, interval=2,
                                      what='a delivered delivery')
        self.assertEqual('lease.update', rows[0]['event_type'])
        self.assertEqual(1, rows[0]['attempts'])
        self.assertEqual(204, rows[0]['response_code'])

        # Server-side validation errors come back as Promise's message.
        rc, out = self.openstack(
            'reservation', 'subscription', 'create', '--event-type',
            'lease.*', '--url', 'ftp://example.invalid/', expect_ok=False)
        self.assertNotEqual(0, rc)
        self.assertIn('url must be an http:// or https:// URL', out)

        self.openstack('reservation', 'subscription', 'delete', sub['id'])
        listed = self.openstack_json('reservation', 'subscription', 'list')
        self.assertNotIn(sub['id'], [s['id'] for s in listed])

    def test_errors_carry_promise_message(self):
        rc, out = self.openstack(
            'reservation', 'capacity', 'show',
            '--start-date', '2030-01-02 00:00',
            '--end-date', '2030-01-01 00:00', expect_ok=False)
        self.assertNotEqual(0, rc)
        self.assertIn('End date must be later than start date.', out)
        self.assertIn('HTTP 400', out)

        rc, out = self.openstack(
            'reservation', 'capacity', 'change', 'create', '--host',
            'no-such-host', '--type', 'unavailable', '--start-date', 'now',
            expect_ok=False)
        self.assertNotEqual(0, rc)
        self.assertIn('no-such-host', out)


class TestPromiseClientCliMySQL(PromiseClientCliTests, base.MySQLMixin,
                                base.FunctionalTestCase):
    pass
