"""[enforcement] against real promise-api and promise-managers on
MariaDB: MaxLeaseDurationFilter (with a project's own limit) and
ExternalServiceFilter speaking Blazar's protocol to a service on
127.0.0.1 that this test runs (it records what it is sent and answers as
each test tells it). A refusal is a 400 naming the filter, a service that
cannot decide is 503 (fail closed) or ignored (fail open), and a refused
create or update changes nothing."""

import datetime
import http.server
import json
import threading

import sqlalchemy as sa

from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures

TOKEN = 'enforcement-test-token'


class _Service(http.server.BaseHTTPRequestHandler):
    """The external service: answers with ``server.answer`` (204, 403
    with a message, or 500) and records each request."""

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = json.loads(self.rfile.read(length) or b'{}')
        self.server.seen.append((self.path, dict(self.headers), body))
        status, payload = self.server.answer
        self.send_response(status)
        data = json.dumps(payload).encode() if payload is not None else b''
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _later(hours):
    return base.api_date(base.utcnow() + datetime.timedelta(hours=hours))


class _Enforcement:

    FAIL_OPEN = False

    @classmethod
    def setUpClass(cls):
        cls.service = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      _Service)
        cls.service.seen, cls.service.answer = [], (204, None)
        threading.Thread(target=cls.service.serve_forever,
                         daemon=True).start()
        cls.DEPLOYMENT = {
            'enforcement.enabled_filters':
                'MaxLeaseDurationFilter,ExternalServiceFilter',
            'enforcement.max_lease_duration': 7200,
            'enforcement.max_lease_duration_per_project':
                '%s:86400' % base.OTHER['project'],
            'enforcement.external_service_endpoint':
                'http://127.0.0.1:%d/' % cls.service.server_port,
            'enforcement.external_service_token': TOKEN,
            'enforcement.external_service_timeout': 5,
            'enforcement.external_service_fail_open': cls.FAIL_OPEN,
        }
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.service.shutdown()
        cls.service.server_close()

    def setUp(self):
        super().setUp()
        self.service.seen[:] = []
        self.service.answer = (204, None)

    def body(self, hours):
        begin = base.utcnow() + datetime.timedelta(hours=24)
        return {'name': 'enforced', 'start_date': base.api_date(begin),
                'end_date': base.api_date(
                    begin + datetime.timedelta(hours=hours)),
                'reservations': [], 'events': []}

    def leases(self):
        with self.deployment.db.engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT id, end_date FROM leases ORDER BY id')).fetchall()


class _FailClosed(_Enforcement):

    def test_a_lease_too_long_is_refused_and_changes_nothing(self):
        before = self.leases()
        resp = self.request('POST', '/v1/leases', json=self.body(3))
        self.assertBlazarError(resp, 400)
        self.assertIn('MaxLeaseDurationFilter: Lease duration of 10800 '
                      'seconds must be less than or equal to the maximum '
                      'lease duration of 7200 seconds.',
                      resp.json()['error_message'])
        self.assertEqual(before, self.leases())
        # Refused before the external service was asked.
        self.assertEqual([], self.service.seen)

    def test_a_project_of_its_own_limit(self):
        resp = self.request('POST', '/v1/leases', json=self.body(20),
                            who=base.OTHER)
        self.assertEqual(201, resp.status_code, resp.text)

    def test_the_service_sees_blazars_body_and_may_refuse(self):
        lease = self.create_lease(**self.body(1))
        [(path, headers, body)] = self.service.seen
        self.assertEqual('/check-create', path)
        self.assertEqual(TOKEN, headers['X-Auth-Token'])
        self.assertEqual(base.OWNER['project'],
                         body['context']['project_id'])
        self.assertEqual(lease['id'], body['lease']['id'])
        # Blazar sends str(datetime).
        datetime.datetime.strptime(body['lease']['start_date'],
                                   '%Y-%m-%d %H:%M:%S')
        self.assertEqual([], body['lease']['reservations'])

        self.service.answer = (403, {'message': 'Project over budget.'})
        before = self.leases()
        resp = self.request('POST', '/v1/leases', json=self.body(1))
        self.assertBlazarError(resp, 400)
        self.assertEqual('ExternalServiceFilter: Project over budget.',
                         resp.json()['error_message'])
        self.assertEqual(before, self.leases())

        # An update it refuses leaves the lease as it was.
        longer = base.api_date(base.parse_out_date(lease['end_date']) +
                               datetime.timedelta(minutes=30))
        resp = self.request('PUT', '/v1/leases/%s' % lease['id'],
                            json={'end_date': longer})
        self.assertBlazarError(resp, 400)
        self.assertEqual(before, self.leases())
        path, _, body = self.service.seen[-1]
        self.assertEqual('/check-update', path)
        self.assertEqual(lease['end_date'][:19].replace('T', ' '),
                         body['current_lease']['end_date'])
        self.assertEqual(longer + ':00', body['lease']['end_date'])

    def test_a_service_that_cannot_decide_refuses_with_503(self):
        self.service.answer = (500, {'oops': True})
        before = self.leases()
        resp = self.request('POST', '/v1/leases', json=self.body(1))
        self.assertBlazarError(resp, 503)
        self.assertIn('ExternalServiceFilter could not decide: HTTP 500',
                      resp.json()['error_message'])
        self.assertEqual(before, self.leases())

    def test_the_service_is_told_when_a_lease_ends(self):
        lease = self.create_lease(start='now', end=_later(1))
        func_fixtures.wait_for(
            lambda: self.get_lease(lease['id'])['status'] == 'ACTIVE', 60,
            what='the lease to start')
        resp = self.request('PUT', '/v1/leases/%s' % lease['id'],
                            json={'end_date': 'now'})
        self.assertEqual(200, resp.status_code, resp.text)
        func_fixtures.wait_for(
            lambda: any(p == '/on-end' for p, _, _ in self.service.seen), 60,
            what='on-end')
        [body] = [b for p, _, b in self.service.seen if p == '/on-end']
        self.assertEqual(lease['id'], body['lease']['id'])


class TestEnforcementMySQL(_FailClosed, base.MySQLMixin,
                           base.FunctionalTestCase):
    pass


class TestEnforcementFailOpenMySQL(_Enforcement, base.MySQLMixin,
                                   base.FunctionalTestCase):

    FAIL_OPEN = True

    def test_a_service_that_cannot_decide_is_ignored(self):
        self.service.answer = (500, None)
        resp = self.request('POST', '/v1/leases', json=self.body(1))
        self.assertEqual(201, resp.status_code, resp.text)
        # The duration limit still holds.
        resp = self.request('POST', '/v1/leases', json=self.body(3))
        self.assertBlazarError(resp, 400)
