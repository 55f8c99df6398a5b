"""/v1/subscriptions: schema, policy, project scope and the end-to-end path
from a lease change to a signed webhook at a 127.0.0.1 receiver."""

import json

import fixtures
from oslo_serialization import jsonutils
import webob

from promise.db import api as db
from promise.db import models
from promise.db.models import subscriptions as sub_models
from promise.notifications import addresses
from promise.notifications import delivery
from promise.tests.unit import base
from promise.tests.unit import test_subscriptions_outbox as outbox_tests

MEMBER = 'member,reader'


class SubscriptionsAPITestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        # The test receiver listens on 127.0.0.2, the only address
        # opened.
        self.flags(group='notifications', delivery_interval=1,
                   retry_initial_delay=1, threshold_interval=0,
                   webhook_allowed_networks=outbox_tests.ALLOWED)
        self.api = self.useFixture(base.APIFixture(self.conf_fixture))
        self.receiver = outbox_tests.Receiver().start()
        self.addCleanup(self.receiver.stop)

    def call(self, method, path, body=None, roles=MEMBER, project='p1',
             raw=None):
        req = webob.Request.blank('/v1' + path, method=method,
                                  headers={'X-Project-Id': project,
                                           'X-User-Id': 'u-' + project,
                                           'X-Roles': roles})
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
        if raw is not None:
            req.body = raw
        resp = req.get_response(self.api.app)
        return resp.status_int, (resp.json if resp.body else None)

    def subscribe(self, expect=201, **body):
        body.setdefault('event_types', ['lease.*'])
        body.setdefault('url', self.receiver.url)
        roles = body.pop('roles', MEMBER)
        project = body.pop('project', 'p1')
        code, answer = self.call('POST', '/subscriptions', body, roles=roles,
                                 project=project)
        self.assertEqual(expect, code, answer)
        return answer['subscription'] if code == 201 else answer

    def lease(self, project='p1', name='l1', start='now'):
        code, body = self.call('POST', '/leases', {
            'name': name, 'start_date': start,
            'end_date': '2099-01-01 00:00', 'reservations': []},
            project=project)
        self.assertEqual(201, code, body)
        return body['lease']

    def assertError(self, code, answer, status, text=None):
        self.assertEqual(status, code, answer)
        self.assertEqual({'error_code', 'error_message', 'error_name'},
                         set(answer))
        if text is not None:
            self.assertIn(text, answer['error_message'])


class TestSubscriptionsAPI(SubscriptionsAPITestCase):

    # -- create, show, list, delete -----------------------------------------

    def test_create_show_list_delete(self):
        sub = self.subscribe(secret='s3cret', resource_type='physical:host')
        self.assertEqual(['lease.*'], sub['event_types'])
        self.assertEqual('p1', sub['project_id'])
        self.assertEqual('u-p1', sub['user_id'])
        self.assertFalse(sub['all_projects'])
        self.assertEqual(self.receiver.url, sub['url'])
        self.assertEqual('physical:host', sub['resource_type'])
        self.assertIsNone(sub['threshold'])
        self.assertNotIn('secret', sub)
        code, body = self.call('GET', '/subscriptions/%s' % sub['id'])
        self.assertEqual(200, code)
        self.assertEqual(sub, body['subscription'])
        self.assertNotIn('s3cret', json.dumps(body))
        code, body = self.call('GET', '/subscriptions')
        self.assertEqual([sub['id']], [s['id']
                                       for s in body['subscriptions']])
        code, body = self.call('DELETE', '/subscriptions/%s' % sub['id'])
        self.assertEqual(204, code, body)
        code, body = self.call('GET', '/subscriptions/%s' % sub['id'])
        self.assertError(code, body, 404)
        code, body = self.call('DELETE', '/subscriptions/%s' % sub['id'])
        self.assertError(code, body, 404)

    def test_threshold_is_shown(self):
        sub = self.subscribe(event_types=['capacity.*'], threshold={
            'metric': 'available', 'op': 'lt', 'value': 5})
        self.assertEqual({'metric': 'available', 'op': 'lt', 'value': 5,
                          'resource_type': 'physical:host',
                          # No hosts: 0 < 5 already.
                          'crossed': True}, sub['threshold'])

    # -- schema -------------------------------------------------------------

    def test_invalid_bodies(self):
        cases = [
            ({'url': self.receiver.url}, 'Missing parameter event_types'),
            ({'event_types': ['lease.*']}, 'Missing parameter url'),
            ({'event_types': [], 'url': self.receiver.url}, 'event_types'),
            ({'event_types': ['lease.*'], 'url': self.receiver.url,
              'color': 'red'}, 'color'),
            ({'event_types': ['host.*'], 'url': self.receiver.url},
             'Unknown event type(s) host.*'),
            ({'event_types': ['lease.created'], 'url': self.receiver.url},
             'Unknown event type'),
            ({'event_types': ['Lease.*'], 'url': self.receiver.url},
             'event_types.0'),
            ({'event_types': ['lease.*'], 'url': 'ftp://127.0.0.1/'},
             'http:// or https://'),
            ({'event_types': ['lease.*'], 'url': 'http://'},
             'http:// or https://'),
            ({'event_types': ['lease.*'], 'url': 'http://h:port/'},
             'http:// or https://'),
            ({'event_types': ['lease.*'], 'url': self.receiver.url,
              'secret': ''}, 'secret'),
            ({'event_types': ['lease.*'], 'url': self.receiver.url,
              'resource_type': 'nuclear:reactor'}, 'nuclear:reactor'),
            ({'event_types': ['capacity.*'], 'url': self.receiver.url,
              'threshold': {'metric': 'available', 'op': 'eq',
                            'value': 1}}, 'threshold'),
            ({'event_types': ['capacity.*'], 'url': self.receiver.url,
              'threshold': {'metric': 'used', 'op': 'lt', 'value': 1}},
             'threshold'),
            ({'event_types': ['capacity.*'], 'url': self.receiver.url,
              'threshold': {'metric': 'available', 'op': 'lt',
                            'value': '1'}}, 'threshold'),
            ({'event_types': ['lease.*'], 'url': self.receiver.url,
              'threshold': {'metric': 'available', 'op': 'lt',
                            'value': 1}}, 'capacity.change'),
            ({'event_types': ['lease.*'], 'url': self.receiver.url,
              'lease_id': 'no-such-lease'}, 'no-such-lease'),
        ]
        for body, text in cases:
            code, answer = self.call('POST', '/subscriptions', body)
            self.assertIn(code, (400, 404), (body, answer))
            self.assertError(code, answer, code, text)
        code, answer = self.call('POST', '/subscriptions', raw=b'{nope')
        self.assertError(code, answer, 400, 'not valid JSON')
        code, answer = self.call('GET', '/subscriptions')
        self.assertEqual([], answer['subscriptions'])

    def test_non_global_urls_are_refused(self):
        # Names resolve through a stub: no DNS query leaves the machine.
        names = {'hooks.test': '192.0.2.10', 'public.test': '8.8.8.8',
                 'mixed.test': '8.8.4.4 10.0.0.1'}

        def resolver(host, port):
            if host in names:
                return [(2, (a, port)) for a in names[host].split()]
            return real(host, port)
        real = addresses.resolve
        self.useFixture(fixtures.MockPatchObject(addresses, 'resolve',
                                                 resolver))
        refused = ['http://127.0.0.1:8774/', 'http://localhost/',
                   'http://169.254.169.254/latest', 'https://[::1]/',
                   'http://[::ffff:127.0.0.1]/', 'http://[::]:8080/',
                   'http://0.0.0.0/', 'http://2130706433/',
                   'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/',
                   'http://10.1.2.3/', 'http://100.64.0.1/',
                   'http://[fc00::1]/', 'http://[fe80::1]/',
                   'http://hooks.test/', 'http://mixed.test/',
                   'http://[2002:7f00:1::1]/', 'http://[64:ff9b::a00:1]/']
        for url in refused:
            code, answer = self.call('POST', '/subscriptions', {
                'event_types': ['lease.*'], 'url': url})
            self.assertError(code, answer, 400, 'may not lead to')
        # The receiver's own address is only allowed through the option.
        self.conf.clear_override('webhook_allowed_networks',
                                 group='notifications')
        code, answer = self.call('POST', '/subscriptions', {
            'event_types': ['lease.*'], 'url': self.receiver.url})
        self.assertError(code, answer, 400, 'may not lead to')
        self.flags(group='notifications',
                   webhook_allowed_networks=['0.0.0.0/0'])
        code, answer = self.call('POST', '/subscriptions', {
            'event_types': ['lease.*'], 'url': self.receiver.url})
        self.assertError(code, answer, 400, 'may not lead to')
        # Accepted, and deleted at once: no event may fire while a
        # subscription to an address off this machine exists.
        sub = self.subscribe(url='https://public.test/promise')
        code, _ = self.call('DELETE', '/subscriptions/%s' % sub['id'])
        self.assertEqual(204, code)

    def test_secret_is_shown_once_when_generated(self):
        sub = self.subscribe()
        self.assertTrue(sub['secret'].startswith('whsec_'))
        code, body = self.call('GET', '/subscriptions/%s' % sub['id'])
        self.assertNotIn('secret', body['subscription'])
        self.assertNotIn(sub['secret'], json.dumps(body))
        code, body = self.call('GET', '/subscriptions')
        self.assertNotIn(sub['secret'], json.dumps(body))
        code, answer = self.call('POST', '/subscriptions', {
            'event_types': ['lease.*'], 'url': self.receiver.url,
            'secret': 'whsec_c2hvcnQ='})
        self.assertError(code, answer, 400, 'whsec_')

    # -- policy and project scope -------------------------------------------

    def test_reader_may_look_but_not_subscribe(self):
        sub = self.subscribe()
        code, answer = self.call('POST', '/subscriptions', {
            'event_types': ['lease.*'], 'url': self.receiver.url},
            roles='reader')
        self.assertError(code, answer, 403)
        code, _ = self.call('GET', '/subscriptions/%s' % sub['id'],
                            roles='reader')
        self.assertEqual(200, code)
        code, answer = self.call('DELETE', '/subscriptions/%s' % sub['id'],
                                 roles='reader')
        self.assertError(code, answer, 403)

    def test_other_projects_subscriptions_are_not_found(self):
        sub = self.subscribe()
        for method, path in (('GET', ''), ('DELETE', ''),
                             ('GET', '/deliveries')):
            code, answer = self.call(
                method, '/subscriptions/%s%s' % (sub['id'], path),
                project='p2')
            self.assertError(code, answer, 404)
        code, answer = self.call('GET', '/subscriptions', project='p2')
        self.assertEqual([], answer['subscriptions'])
        code, answer = self.call('GET', '/subscriptions?all_projects=1',
                                 project='p2')
        self.assertError(code, answer, 403)
        # The admin sees every project's.
        code, answer = self.call('GET', '/subscriptions', roles='admin',
                                 project='p9')
        self.assertEqual([sub['id']],
                         [s['id'] for s in answer['subscriptions']])

    def test_only_admin_subscribes_to_all_projects(self):
        code, answer = self.call('POST', '/subscriptions', {
            'event_types': ['lease.*'], 'url': self.receiver.url,
            'all_projects': True})
        self.assertError(code, answer, 403)
        sub = self.subscribe(all_projects=True, roles='admin',
                             project='ops')
        self.assertTrue(sub['all_projects'])

    def test_lease_of_another_project_is_not_found(self):
        lease = self.lease(project='p2')
        code, answer = self.call('POST', '/subscriptions', {
            'event_types': ['lease.*'], 'url': self.receiver.url,
            'lease_id': lease['id']})
        self.assertError(code, answer, 404, lease['id'])
        sub = self.subscribe(lease_id=lease['id'], project='p2')
        self.assertEqual(lease['id'], sub['lease_id'])

    # -- end to end -------------------------------------------------------

    def test_lease_events_arrive_signed_and_deliveries_show_them(self):
        sub = self.subscribe(secret='k3y', event_types=['lease.create',
                                                        'lease.delete'])
        self.subscribe(secret='adm', all_projects=True,
                       roles='admin', project='ops')
        self.subscribe(project='p2')
        # Not started: a lease that starts now may be STARTING when the
        # DELETE comes, and that is refused with 409.
        lease = self.lease(start='2098-01-01 00:00')
        code, _ = self.call('DELETE', '/leases/%s' % lease['id'])
        self.assertEqual(204, code)

        def signed(received, secret):
            return [r for r in received if r['status'] == 200 and
                    outbox_tests.verify(secret, r['headers'], r['body'])]

        # Each subscription has its own deliveries, in no set order: wait
        # for the admin's too before judging what it saw.
        self.receiver.wait_for(
            lambda received: (
                len(signed(received, 'k3y')) >= 2 and
                'lease.create' in [json.loads(r['body'])['event_type']
                                   for r in signed(received, 'adm')]),
            what="p1's two webhooks and the admin's lease.create")
        got = self.receiver.accepted()
        mine = [(b, h, raw) for b, h, raw in got
                if outbox_tests.verify('k3y', h, raw)]
        self.assertEqual(['lease.create', 'lease.delete'],
                         sorted(b['event_type'] for b, _, _ in mine))
        for body, _, _ in mine:
            self.assertEqual(lease['id'], body['payload']['lease']['id'])
        # The admin's all-projects subscription sees p1's events too.
        admin_seen = [b['event_type'] for b, h, raw in got
                      if outbox_tests.verify('adm', h, raw)]
        self.assertIn('lease.create', admin_seen)

        def delivered():
            code, body = self.call('GET', '/subscriptions/%s/deliveries'
                                   % sub['id'])
            self.assertEqual(200, code, body)
            rows = body['deliveries']
            return rows if all(r['status'] == 'delivered'
                               for r in rows) and len(rows) == 2 else None

        rows = base.wait_for(delivered, what='deliveries recorded')
        # Newest first.
        self.assertEqual(['lease.delete', 'lease.create'],
                         [r['event_type'] for r in rows])
        for row in rows:
            self.assertEqual((1, 200, None, None),
                             (row['attempts'], row['response_code'],
                              row['error'], row['next_attempt_at']))
            self.assertIsNotNone(row['delivered_at'])
        ids = {b['id'] for b, _, _ in mine}
        self.assertEqual(ids, {r['id'] for r in rows})
        code, body = self.call('GET', '/subscriptions/%s/deliveries'
                               '?status=failed' % sub['id'])
        self.assertEqual([], body['deliveries'])
        code, body = self.call('GET', '/subscriptions/%s/deliveries'
                               '?limit=1' % sub['id'])
        self.assertEqual(1, len(body['deliveries']))
        code, body = self.call('GET', '/subscriptions/%s/deliveries'
                               '?status=lost' % sub['id'])
        self.assertError(code, body, 400, 'status must be one of')
        code, body = self.call('GET', '/subscriptions/%s/deliveries'
                               '?when=now' % sub['id'])
        self.assertError(code, body, 400, 'Unknown query parameter')

    def test_pending_delivery_shows_next_attempt(self):
        self.receiver.status = 500
        sub = self.subscribe(event_types=['lease.create'])
        self.lease()

        def failed_once():
            code, body = self.call('GET', '/subscriptions/%s/deliveries'
                                   % sub['id'])
            # Between attempts (the next one in flight shows 'sending').
            rows = [r for r in body['deliveries']
                    if r['attempts'] >= 1 and r['status'] == 'pending']
            return rows[0] if rows else None

        row = base.wait_for(failed_once, what='a failed attempt')
        # No status code, no network detail: no port scanner.
        self.assertIsNone(row['response_code'])
        self.assertEqual(delivery.NOT_ACCEPTED, row['error'])
        # Nor from a row written before (its error held the detail).
        with db.writer() as session:
            session.query(sub_models.Delivery).update(
                {'last_error': 'ConnectionError: 10.0.0.1:22 refused',
                 'last_response_code': 403})
        code, body = self.call('GET', '/subscriptions/%s/deliveries'
                               % sub['id'])
        self.assertEqual([(None, delivery.NOT_ACCEPTED)],
                         [(r['response_code'], r['error'])
                          for r in body['deliveries']])
        self.assertIsNotNone(row['next_attempt_at'])
        with db.reader() as session:
            self.assertEqual(1, session.query(sub_models.Delivery).count())


class TestCapacityChangeThreshold(SubscriptionsAPITestCase):
    """A planned downtime that starts now is a capacity change."""

    def setUp(self):
        super().setUp()
        with db.writer() as session:
            for i in (1, 2, 3):
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=4, memory_mb=4096,
                    local_gb=10, reservable=True, generation=0))

    def test_downtime_crosses_the_threshold(self):
        sub = self.subscribe(event_types=['capacity.change'], secret='k',
                             threshold={'metric': 'available', 'op': 'le',
                                        'value': 2})
        self.assertFalse(sub['threshold']['crossed'])
        code, body = self.call('POST', '/capacity-changes', {
            'host_id': '1', 'type': 'unavailable', 'start_date': 'now'},
            roles='admin')
        self.assertEqual(201, code, body)
        self.receiver.wait_for(lambda r: len(r) == 1)
        [(body, headers, raw)] = self.receiver.accepted()
        self.assertTrue(outbox_tests.verify('k', headers, raw))
        self.assertEqual('capacity.change', body['event_type'])
        self.assertEqual((sub['id'], 2), (body['payload']['subscription_id'],
                                          body['payload']['value']))
        code, body = self.call('GET', '/subscriptions/%s' % sub['id'])
        self.assertTrue(body['subscription']['threshold']['crossed'])
