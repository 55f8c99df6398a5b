# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""One INFO line per API call, with what an operator needs to find it."""

import logging
import re

import fixtures
import webob

from promise.api.middleware import request_log
from promise.tests.unit import base

LOGGER = 'promise.api.middleware.request_log'


class TestRequestLog(base.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(base.APIFixture())
        self.log = self.useFixture(fixtures.FakeLogger(
            name=LOGGER, level=logging.INFO, format='%(message)s'))

    def call(self, path, method='GET', **headers):
        req = webob.Request.blank(path, method=method,
                                  remote_addr='192.0.2.7')
        req.headers.update({'X-User-Id': 'u', 'X-Project-Id': 'p',
                            'X-Roles': 'member'})
        req.headers.update(headers)
        return req.get_response(self.api.app)

    def lines(self):
        return [line for line in self.log.output.splitlines() if line]

    def test_one_line_per_call_with_every_field(self):
        resp = self.call('/v1/leases?limit=5',
                         **{'OpenStack-API-Version': 'reservation 1.0'})
        self.assertEqual(200, resp.status_int)
        lines = self.lines()
        self.assertEqual(1, len(lines), lines)
        match = re.match(
            r'^192\.0\.2\.7 "GET /v1/leases\?limit=5" status: 200 '
            r'len: (\d+) microversion: 1\.0 time: \d+\.\d{6} '
            r'request_id: (req-[0-9a-f-]{36})$', lines[0])
        self.assertIsNotNone(match, lines[0])
        self.assertEqual(str(len(resp.body)), match.group(1))
        self.assertEqual(resp.headers['X-OpenStack-Request-Id'],
                         match.group(2))

    def test_errors_and_health_checks_are_logged(self):
        self.assertEqual(404, self.call('/v1/leases/nope').status_int)
        self.assertEqual(200, self.call('/healthcheck').status_int)
        lines = self.lines()
        self.assertEqual(2, len(lines), lines)
        self.assertIn('"GET /v1/leases/nope" status: 404', lines[0])
        self.assertIn('"GET /healthcheck" status: 200', lines[1])

    def test_refused_microversion_is_logged(self):
        resp = self.call('/v1/leases',
                         **{'OpenStack-API-Version': 'reservation 9.9'})
        self.assertEqual(406, resp.status_int)
        self.assertIn('status: 406', self.lines()[0])

    def test_long_uri_is_cut(self):
        self.call('/v1/leases?name=' + 'x' * 5000)
        line = self.lines()[0]
        self.assertIn('x...', line)
        self.assertLess(len(line), request_log.MAX_URI + 200)

    def test_application_raising_is_logged_as_500(self):
        def broken(environ, start_response):
            raise RuntimeError('boom')

        app = request_log.RequestLog(broken)
        req = webob.Request.blank('/v1/x', method='POST')
        self.assertRaises(RuntimeError, req.get_response, app)
        self.assertIn('"POST /v1/x" status: 500 len: -', self.lines()[0])
