"""Schema-driven fuzzing of the live API (schemathesis + hypothesis).

Every operation of doc/source/api/openapi.yaml gets generated requests,
valid ones (positive mode) and invalid ones (negative mode), sent to a real
promise-api + two promise-managers on MariaDB and RabbitMQ. For each answer:

* no 5xx;
* every error answer has the Blazar error body: exactly error_code,
  error_message, error_name, both numbers equal to the HTTP status, a
  non-empty message (409 may add Promise's offer keys);
* the answer conforms to the OpenAPI description (documented status code,
  content type, response schema and headers), which keeps the document
  honest.

Bounded and deterministic: PROMISE_FUZZ_EXAMPLES examples per operation and
mode (default 25), hypothesis derandomized (fixed seed), no shrinking, no
example database. Requests run as an admin, so that policy lets them reach
the code under test (test_policy_matrix covers who may do what). Half of
the requests to /{lease_id} and /{host_id} paths use ids that exist.
"""

import datetime
import functools
import json
import os
import re

import hypothesis
from hypothesis import errors as hypothesis_errors
from hypothesis import strategies as st
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as oas_checks
import sqlalchemy as sa

from promise.tests.functional import base

SPEC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'doc',
                    'source', 'api', 'openapi.yaml')
EXAMPLES = int(os.environ.get('PROMISE_FUZZ_EXAMPLES', '25'))

HEADERS = {'X-User-Id': 'fuzz-admin', 'X-Project-Id': 'fuzz-project',
           'X-Roles': 'admin'}
HOST_ID = 4343
PROPERTY = 'fuzz_gpu'

OFFER_KEYS = {'max_reservable', 'alternatives'}

CONFORMANCE = [oas_checks.status_code_conformance,
               oas_checks.content_type_conformance,
               oas_checks.response_schema_conformance,
               oas_checks.response_headers_conformance]


def _schema():
    return schemathesis.openapi.from_path(os.path.abspath(SPEC))


def _operations():
    return [result.ok() for result in _schema().get_all_operations()]


def _test_name(op):
    path = re.sub(r'[^0-9a-zA-Z]+', '_', op.path).strip('_') or 'root'
    return 'test_%s_%s' % (op.method.lower(), path)


class FuzzTests(base.MySQLMixin, base.FunctionalTestCase):
    # Only the physical:host plugin, whatever else is installed.
    DEPLOYMENT = {'manager.plugins': 'physical:host', 'rpc_timeout': 10}
    TIMEOUT = 300

    schema = None
    fixed = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.schema = _schema()
        cls.fixed = None

    def setUp(self):
        super().setUp()
        if type(self).fixed is None:
            type(self).fixed = self._seed()

    def _seed(self):
        """One host (inserted directly: registering needs Nova) and one
        lease holding it, so that generated requests also hit ids that
        exist."""
        now = base.utcnow()
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO hosts (id, hypervisor_hostname, hypervisor_type,"
                " hypervisor_version, service_name, vcpus, cpu_info,"
                " memory_mb, local_gb, availability_zone, reservable,"
                " generation, created_at) VALUES (:id, :name, 'QEMU', 1,"
                " :name, 8, NULL, 16384, 100, 'nova', :true, 0, :now)"),
                {'id': HOST_ID, 'name': 'fuzz-compute', 'true': True,
                 'now': now})
            conn.execute(sa.text(
                "INSERT INTO host_capabilities (host_id, name, value) "
                "VALUES (:id, :name, 'true')"),
                {'id': HOST_ID, 'name': PROPERTY})
            conn.execute(sa.text(
                "INSERT INTO resource_properties (resource_type, name,"
                " private) VALUES ('physical:host', :name, :false)"),
                {'name': PROPERTY, 'false': False})
        start = now + datetime.timedelta(days=400)
        resp = self.request(
            'POST', '/v1/leases', roles='admin',
            headers={'X-User-Id': HEADERS['X-User-Id'],
                     'X-Project-Id': HEADERS['X-Project-Id']},
            json={'name': 'fuzz-lease', 'start_date': base.api_date(start),
                  'end_date': base.api_date(
                      start + datetime.timedelta(days=1)),
                  'reservations': [{'resource_type': 'physical:host',
                                    'min': 1, 'max': 1,
                                    'hypervisor_properties': '',
                                    'resource_properties': ''}]})
        self.assertEqual(201, resp.status_code, resp.text)
        return {'lease_id': resp.json()['lease']['id'],
                'host_id': str(HOST_ID), 'property_name': PROPERTY}

    # -- checks ---------------------------------------------------------------

    def check_answer(self, op, case, resp):
        where = '%s %s -> %s %s\nrequest: %s' % (
            op.method.upper(), op.path, resp.status_code, resp.text[:500],
            _describe(case))
        body = None
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                self.fail('error answer is not JSON: %s' % where)
            self.assertIsInstance(body, dict, where)
            keys = set(body)
            required = {'error_code', 'error_message', 'error_name'}
            self.assertTrue(required <= keys, where)
            extra = keys - required
            if resp.status_code == 409:
                extra -= OFFER_KEYS
            self.assertEqual(set(), extra, where)
            self.assertEqual(resp.status_code, body['error_code'], where)
            self.assertEqual(resp.status_code, body['error_name'], where)
            self.assertIsInstance(body['error_message'], str, where)
            self.assertTrue(body['error_message'].strip(), where)
        # This deployment has no Nova: registering or removing a host
        # answers the documented 503 that says so. Any other 5xx is a bug.
        no_nova = (resp.status_code == 503 and
                   'Nova cannot be reached' in resp.text)
        if resp.status_code >= 500 and not no_nova:
            raise AssertionError('server error: %s' % where)
        failure = None
        try:
            case.validate_response(resp, checks=CONFORMANCE,
                                   headers=HEADERS)
        except BaseException as exc:  # noqa: B036 - schemathesis groups
            failure = str(exc)
        if failure is not None:
            # Raised outside the except block: no exception group in the
            # chain (testtools cannot render them).
            raise AssertionError('does not conform to openapi.yaml: %s\n%s'
                                 % (where, failure))

    # -- the run --------------------------------------------------------------

    def fuzz(self, method, path):
        op = self.schema[path][method.upper()]
        params = {p.name for p in op.path_parameters}
        fixed = {k: v for k, v in self.fixed.items() if k in params}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = op.as_strategy(generation_mode=mode)
            if fixed:
                strategy = st.one_of(
                    op.as_strategy(generation_mode=mode,
                                   path_parameters=fixed),
                    strategy)

            @hypothesis.settings(
                max_examples=EXAMPLES, derandomize=True, deadline=None,
                database=None, print_blob=False,
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck))
            @hypothesis.given(case=strategy)
            def run(case):
                resp = case.call(base_url=self.url, headers=HEADERS,
                                 timeout=60)
                self.check_answer(op, case, resp)

            try:
                run()
            except hypothesis_errors.Unsatisfiable:
                # Nothing to make invalid (no parameters, no body).
                if mode != GenerationMode.NEGATIVE:
                    raise

    # -- regression tests of bugs the fuzzing found ------------------------

    def test_repeated_query_parameter(self):
        def answered_400():
            for path in ('/v1/leases?limit=1&limit=2',
                         '/v1/leases?marker=a&marker=b',
                         '/v1/leases?status=ACTIVE&status=PENDING',
                         '/v1/os-hosts/allocations?lease_id=a&lease_id=b'):
                resp = self.request('GET', path, roles='admin')
                self.assertBlazarError(resp, 400)
        answered_400()

    def test_nova_unreachable_is_503(self):
        def answered_503():
            resp = self.request('POST', '/v1/os-hosts', roles='admin',
                                json={'name': 'fuzz-compute-404'})
            self.assertBlazarError(resp, 503)
        answered_503()

    def test_capability_keys_equal_under_collation(self):
        def answered_4xx():
            resp = self.request('PUT', '/v1/os-hosts/%d' % HOST_ID,
                                roles='admin',
                                json={'Fuzz_Rack': 'a', 'fuzz_rack': 'b'})
            self.assertIn(resp.status_code, (400, 409), resp.text)
            self.assertBlazarError(resp, resp.status_code)
        answered_4xx()


def _describe(case):
    parts = {'path_parameters': case.path_parameters, 'query': case.query,
             'headers': {k: v for k, v in (case.headers or {}).items()}}
    try:
        parts['body'] = case.body
        text = json.dumps(parts, default=repr)
    except (TypeError, ValueError):
        text = repr(parts)
    return text[:1500]


def _add_tests():
    for op in _operations():
        def test(self, method=op.method, path=op.path):
            self.fuzz(method, path)
        test.__name__ = _test_name(op)
        test.__doc__ = 'Fuzz %s %s.' % (op.method.upper(), op.path)
        setattr(FuzzTests, test.__name__, functools.wraps(test)(test))


_add_tests()
