"""Hostile values at the API edge: each is a 400 (413 for size) with the
Blazar body, never a 500, and changes nothing."""

import datetime
import json

import fixtures
import webob

from promise.api import params
from promise.api import validation
from promise.common import dates
from promise.common import properties
from promise.common import schema_types
from promise import exceptions
from promise.plugins.hosts import schemas as host_schemas
from promise.tests.unit import base

BLAZAR_KEYS = {'error_code', 'error_message', 'error_name'}
INT_MAX = schema_types.INT_MAX


class TestLoadBody(base.TestCase):

    def load(self, raw):
        return validation.load_body(webob.Request.blank('/', body=raw))

    def refused(self, raw):
        return self.assertRaises(exceptions.InvalidInput, self.load,
                                 raw).message

    def test_deep_nesting_is_refused_before_parsing(self):
        deep = b'[' * 100000 + b']' * 100000
        self.assertIn('nests deeper than', self.refused(deep))
        self.assertIn('nests deeper than',
                      self.refused(b'{"a":' * 40 + b'1' + b'}' * 40))

    def test_brackets_inside_strings_do_not_count(self):
        text = json.dumps({'name': '[' * 1000 + '\\"{' * 100})
        self.assertEqual(json.loads(text), self.load(text.encode()))

    def test_nesting_up_to_the_limit_is_fine(self):
        raw = b'[' * validation.MAX_DEPTH + b']' * validation.MAX_DEPTH
        self.assertIsInstance(self.load(raw), list)

    def test_lone_surrogates_are_refused_in_values_and_keys(self):
        for raw in (b'{"name": "\\ud800"}', b'{"\\udfff": 1}',
                    b'{"a": [{"b": ["x\\udc00y"]}]}'):
            self.assertIn('lone surrogate', self.refused(raw))

    def test_surrogate_pairs_are_fine(self):
        self.assertEqual({'name': '\U0001f600'},
                         self.load(b'{"name": "\\ud83d\\ude00"}'))

    def test_5000_digit_numbers_and_bad_utf8(self):
        self.assertIn('not valid JSON',
                      self.refused(b'{"min": ' + b'9' * 5000 + b'}'))
        self.assertIn('not valid UTF-8', self.refused(b'{"a": "\xff"}'))


class TestSchemas(base.TestCase):

    SCHEMA = {'type': 'object',
              'properties': {'min': schema_types.INT_LIKE,
                             'name': {'type': 'string', 'maxLength': 80}}}

    def refused(self, schema, body):
        return self.assertRaises(exceptions.InvalidInput,
                                 validation.validate, schema, body).message

    def test_numbers_beyond_the_column_are_refused(self):
        for value in (INT_MAX + 1, 10 ** 12, 10 ** 400, '2147483648',
                      '9999999999', '9' * 11, '9' * 5000, -1, '-1', '²',
                      '١', '1.5', 1.5):
            self.refused(self.SCHEMA, {'min': value})
        self.assertEqual({'min': INT_MAX},
                         validation.validate(self.SCHEMA,
                                             {'min': str(INT_MAX)}))
        self.assertEqual({'min': INT_MAX},
                         validation.validate(self.SCHEMA, {'min': INT_MAX}))

    def test_empty_min_on_update_is_refused(self):
        schema = {'type': 'object', 'properties': host_schemas.UPDATE}
        self.refused(schema, {'min': ''})
        self.refused(schema, {'max': ' '})
        self.assertEqual({'min': 2}, validation.validate(schema,
                                                         {'min': '2'}))

    def test_errors_echo_a_truncated_value(self):
        message = self.refused(self.SCHEMA, {'name': 'n' * (20 * 1024 ** 2)})
        self.assertLess(len(message), 500)
        self.assertIn('too long', message)
        message = self.refused(self.SCHEMA, {'min': 'x' * 100000})
        self.assertLess(len(message), 1000)


class TestPropertyQueries(base.TestCase):

    def refused(self, query):
        return self.assertRaises(exceptions.InvalidInput, properties.parse,
                                 query, 'resource_properties').message

    def test_a_list_or_object_as_operator(self):
        for query in ('[["=="], "$a", "b"]', [['=='], '$a', 'b'],
                      '[{"a": 1}, "$a", "b"]', '[1, "$a", "b"]',
                      '["and", [[], "$a", "1"]]'):
            self.assertIn('operator must be a string', self.refused(query))

    def test_depth_is_capped(self):
        deep = '["not", ' * 40 + '["==", "$a", "1"]' + ']' * 40
        self.assertIn('nested more than', self.refused(deep))
        self.assertIn('nested more than', self.refused('[' * 5000))
        as_list = ['==', '$a', '1']
        for _ in range(40):
            as_list = ['not', as_list]
        self.assertIn('nested more than', self.refused(as_list))
        ok = '["not", ' * 10 + '["==", "$a", "1"]' + ']' * 10
        self.assertIsNotNone(properties.parse(ok, 'resource_properties'))

    def test_size_is_capped_and_not_echoed(self):
        huge = '["==", "$a", "%s"]' % ('x' * 10 ** 6)
        message = self.refused(huge)
        self.assertIn('longer than', message)
        self.assertLess(len(message), 600)


class TestQueryNumbers(base.TestCase):

    def test_whole_number(self):
        self.assertEqual(4, params.whole_number(' 4 ', 'vcpus'))
        self.assertEqual(INT_MAX, params.whole_number(str(INT_MAX), 'v'))
        for text in ('²', '١', '-1', '1.0', '', str(INT_MAX + 1),
                     '9' * 5000, '0x10'):
            self.assertRaises(exceptions.InvalidInput, params.whole_number,
                              text, 'vcpus')

    def test_limit_ignores_unicode_digits(self):
        self.assertRaises(exceptions.InvalidInput, params.limit, '²')
        self.assertRaises(exceptions.InvalidInput, params.limit, '9' * 5000)


class TestDates(base.TestCase):

    def test_shift_never_overflows(self):
        late = datetime.datetime(9999, 12, 31, 23, 59)
        self.assertEqual(dates.LATEST,
                         dates.shift(late, datetime.timedelta(days=30)))
        self.assertEqual(dates.EARLIEST,
                         dates.shift(datetime.datetime(1, 1, 2),
                                     -datetime.timedelta(days=30)))
        self.assertEqual(late + datetime.timedelta(seconds=59),
                         dates.shift(late, datetime.timedelta(seconds=59)))


class TestRequests(base.TestCase):
    """Through the whole WSGI pipeline, with a lease to aim at."""

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(base.APIFixture(self.conf_fixture))
        code, body = self.call('POST', '/v1/leases', {
            'name': 'target', 'start_date': '2090-01-01 00:00',
            'end_date': '2090-01-02 00:00', 'reservations': []})
        self.assertEqual(201, code, body)
        self.lease_id = body['lease']['id']

    def call(self, method, path, body=None, raw=None, content_type=None,
             query=''):
        req = webob.Request.blank('/', method=method, headers={
            'X-Project-Id': 'p1', 'X-User-Id': 'u1', 'X-Roles': 'member'})
        # As a WSGI server passes them: bytes as latin-1.
        req.environ['PATH_INFO'] = path
        req.environ['QUERY_STRING'] = query
        if raw is not None:
            req.body = raw
        elif body is not None:
            req.body = json.dumps(body).encode()
        if content_type is not None:
            req.content_type = content_type
        resp = req.get_response(self.api.app)
        return resp.status_int, (resp.json if resp.body else None)

    def assertBlazar(self, status, answer):
        code, body = answer
        self.assertEqual(status, code, body)
        self.assertEqual(BLAZAR_KEYS, set(body))
        self.assertEqual(status, body['error_code'])
        return body['error_message']

    def assertLeaseKept(self):
        code, body = self.call('GET', '/v1/leases/' + self.lease_id)
        self.assertEqual(200, code, body)

    def test_method_override_is_refused(self):
        path = '/v1/leases/' + self.lease_id
        self.assertBlazar(400, self.call('POST', path,
                                         query='_method=DELETE'))
        self.assertBlazar(400, self.call('GET', path, query='_method=PUT'))
        self.assertBlazar(400, self.call(
            'POST', path, raw=b'_method=DELETE',
            content_type='application/x-www-form-urlencoded'))
        # No content type: webob may read the body as a form too.
        code, body = self.call('POST', path, raw=b'_method=DELETE',
                               content_type='')
        self.assertIn(code, (400, 405), body)
        self.assertLeaseKept()

    def test_collection_delete_with_an_id_elsewhere_deletes_nothing(self):
        for body, query in (({'lease_id': self.lease_id}, ''),
                            (None, 'lease_id=' + self.lease_id)):
            code, answer = self.call('DELETE', '/v1/leases', body=body,
                                     query=query)
            self.assertIn(code, (404, 405), answer)
            self.assertEqual(BLAZAR_KEYS, set(answer))
        code, answer = self.call('PUT', '/v1/leases', body={
            'lease_id': self.lease_id, 'name': 'renamed'})
        self.assertEqual(405, code, answer)
        code, body = self.call('GET', '/v1/leases/' + self.lease_id)
        self.assertEqual('target', body['lease']['name'])

    def test_invalid_utf8_in_path_or_query(self):
        for path, query in (('/v1/leases/\xff', ''),
                            ('/v1/leases/%ff', ''),
                            ('/v1/leases/\xed\xa0\x80', ''),
                            ('/v1/leases', 'name=%ff'),
                            ('/v1/leases', 'name=\xff')):
            self.assertBlazar(400, self.call('GET', path, query=query))

    def test_invalid_utf8_under_grant_is_problem_json(self):
        req = webob.Request.blank('/', headers={
            'X-Project-Id': 'p1', 'X-User-Id': 'u1', 'X-Roles': 'admin',
            'Version': '1.4.0'})
        req.environ['PATH_INFO'] = '/grant/v1/grants/\xff'
        resp = req.get_response(self.api.app)
        self.assertEqual(400, resp.status_int, resp.text)
        self.assertEqual('application/problem+json', resp.content_type)
        self.assertEqual(400, resp.json['status'])

    def test_oversized_body_is_413(self):
        raw = b'{"name": "' + b'n' * (2 * 1024 * 1024) + b'"}'
        message = self.assertBlazar(413, self.call('POST', '/v1/leases',
                                                   raw=raw))
        self.assertNotIn('%s', message)
        self.assertIn('larger than', message)

    def test_body_traps(self):
        good = {'name': 'x', 'start_date': '2090-01-01 00:00',
                'end_date': '2090-01-02 00:00', 'reservations': []}
        for raw in (b'[' * 5000 + b']' * 5000,
                    json.dumps(dict(good, name='\ud800')).encode(),
                    b'{"name": ' + b'1' * 5000 + b'}',
                    json.dumps(dict(good, name='n' * 200000)).encode()):
            message = self.assertBlazar(400, self.call('POST', '/v1/leases',
                                                       raw=raw))
            self.assertLess(len(message), 600)
        code, body = self.call('GET', '/v1/leases')
        self.assertEqual([self.lease_id], [x['id'] for x in body['leases']])

    def test_deep_json_body_is_refused_before_pecan_parses_it(self):
        # pecan reads a JSON body while routing, recursively.
        for path in ('/v1/leases', '/v1/leases/' + self.lease_id,
                     '/grant/v1/grants'):
            code, body = self.call('POST', path,
                                   raw=b'[' * 100000 + b']' * 100000,
                                   content_type='application/json')
            self.assertEqual(400, code, body)
        self.assertLeaseKept()

    def test_capacity_query_traps(self):
        for query in ('vcpus=%C2%B2', 'vcpus=' + '9' * 5000,
                      'memory_mb=2147483648',
                      'hypervisor_properties=[[1],"$a","b"]',
                      'resource_properties=' + '[' * 5000,
                      'resource_properties=["==","$a","%s"]' % ('x' * 9000)):
            self.assertBlazar(400, self.call('GET', '/v1/capacity',
                                             query=query))

    def test_capacity_window_at_the_end_of_time(self):
        code, body = self.call('GET', '/v1/capacity',
                               query='start_date=9999-12-31%2023:59')
        self.assertEqual(200, code, body)
        self.assertEqual('9999-12-31T23:59:59.000000',
                         body['capacity']['end_date'])

    def test_lease_ending_in_9999_is_accepted(self):
        code, body = self.call('POST', '/v1/leases', {
            'name': 'late', 'start_date': '9999-12-31 23:00',
            'end_date': '9999-12-31 23:59', 'reservations': []})
        self.assertEqual(201, code, body)

    def test_a_long_id_is_not_echoed_whole(self):
        code, body = self.call('GET', '/v1/leases/' + 'x' * 5000)
        self.assertEqual(404, code, body)
        self.assertLess(len(body['error_message']), 1100)

    def test_collection_without_the_id_is_405(self):
        for method, path, body in (
                ('DELETE', '/v1/os-hosts', {'host_id': '1'}),
                ('PUT', '/v1/os-hosts', {'host_id': '1'}),
                ('DELETE', '/v1/capacity-changes', {'change_id': 'x'}),
                ('DELETE', '/v1/subscriptions', {'subscription_id': 'x'}),
                ('DELETE', '/v1/os-hosts', None)):
            self.assertBlazar(405, self.call(method, path, body))

    def test_microversion_header_extremes(self):
        for value in ('1.' + '9' * 5000, '².1', '1.\ud800'.encode(
                'utf-8', 'surrogatepass').decode('latin-1')):
            req = webob.Request.blank('/v1/leases', headers={
                'X-Project-Id': 'p1', 'X-User-Id': 'u1',
                'X-Roles': 'member'})
            req.environ['HTTP_OPENSTACK_API_VERSION'] = (
                'reservation ' + value)
            resp = req.get_response(self.api.app)
            self.assertEqual(400, resp.status_int, resp.text[:300])
            self.assertEqual(BLAZAR_KEYS, set(resp.json))
            self.assertLess(len(resp.json['error_message']), 300)


class TestFailures(base.TestCase):
    """Other services' error text stays in the log, under an id the user
    is given."""

    def test_detail_is_logged_under_the_id_the_user_reads(self):
        from promise.clients import failures
        logger = self.useFixture(fixtures.FakeLogger(
            name='promise.clients.failures'))
        exc = failures.unavailable(
            'Nova cannot be reached or refused the request.',
            'GET http://nova.internal:8774/v2.1 answered 401: bad token')
        self.assertEqual(503, exc.code)
        self.assertNotIn('nova.internal', exc.message)
        rid = exc.message.rsplit(' ', 1)[1].rstrip('.')
        self.assertTrue(rid.startswith('req-'), exc.message)
        self.assertIn(rid, logger.output)
        self.assertIn('nova.internal', logger.output)
