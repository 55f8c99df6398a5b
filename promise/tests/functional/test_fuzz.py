"""Schema-driven fuzzing of the live API (schemathesis + hypothesis).

Every operation of doc/source/api/openapi.yaml gets generated requests,
valid ones (positive mode) and invalid ones (negative mode), sent to a real
promise-api + two promise-managers on MariaDB and RabbitMQ. For each answer:

* no 5xx;
* every error answer has the Blazar error body: exactly error_code,
  error_message, error_name, both numbers equal to the HTTP status, a
  non-empty message (409 may add Promise's offer keys); under /grant
  (ETSI NFV-SOL003) the SOL013 body instead: application/problem+json with
  ``status`` equal to the HTTP status, a non-empty ``detail``, nothing but
  ProblemDetails keys, and the ``Version`` header;
* the answer conforms to the OpenAPI description (documented status code,
  content type, response schema and headers), which keeps the document
  honest.

Then each operation again (``test_extremes_*``): a valid request with one
value (a body node, a query or path parameter) replaced by an extreme one
from extremes.VALUES: integers around and far beyond what a column
holds, 5000 digits, Unicode digits, lone surrogates, long strings, dates at
the ends of time, JSON nested past the limit, property queries with a list
as operator. The same checks hold: every answer is a 4xx with its error body
or a success, never a 5xx.

Bounded and deterministic: PROMISE_FUZZ_EXAMPLES examples per operation and
mode (default 25), PROMISE_FUZZ_EXTREMES with extremes (default 15),
hypothesis derandomized (fixed seed), no shrinking, no example database.
Requests run as an admin, so that policy lets them reach the code under
test (test_policy_matrix covers who may do what). Half of
the requests to paths with an id (lease, host, property, subscription,
grant) use ids that exist. The deployment serves an ONAP region and has
flavor sizes and costs, so that the Multicloud and grant requests get past
configuration to the code that decides.
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

from promise.tests.functional import base
from promise.tests.functional import extremes

SPEC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'doc',
                    'source', 'api', 'openapi.yaml')
EXAMPLES = int(os.environ.get('PROMISE_FUZZ_EXAMPLES', '25'))
EXTREME_EXAMPLES = int(os.environ.get('PROMISE_FUZZ_EXTREMES', '15'))

HEADERS = {'X-User-Id': 'fuzz-admin', 'X-Project-Id': 'fuzz-project',
           'X-Roles': 'admin'}
HOST_ID = 4343
PROPERTY = 'fuzz_gpu'
FIP_ID = 'fuzz-fip'
GRANT_VERSION = {'Version': '1.4.0'}

OFFER_KEYS = {'max_reservable', 'alternatives'}
BLAZAR_KEYS = {'error_code', 'error_message', 'error_name'}
PROBLEM_KEYS = {'status', 'detail', 'title', 'type', 'instance'}
PROBLEM = 'application/problem+json'

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
    # The host and floating IP plugins, whatever else is installed.
    DEPLOYMENT = {
        'manager.plugins': 'physical:host,virtual:floatingip',
        'rpc_timeout': 10,
        'multicloud.cloud_owner': 'fuzz-owner',
        'multicloud.cloud_region_id': 'fuzz-region',
        'net_value.flavor_shapes': 'm1.small:2/2048/10,m1.large:4/8192/40',
        'net_value.flavor_costs': 'm1.small:1,m1.large:4',
        'net_value.intent_costs': 'ha:2,burstable:0.5',
        'nfv.vdu_flavors': 'VDU1=m1.small,VDU2=m1.large',
        # Subscriptions the run creates name a receiver nobody runs, on
        # loopback (only this address is opened: webhooks refuse
        # non-global ones).
        'notifications.webhook_timeout': 1,
        'notifications.webhook_allowed_networks': '127.0.0.3/32',
    }
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
        """One host (inserted directly: registering needs Nova), one
        lease holding it and one floating IP (inserted directly:
        registering needs Neutron), so that generated requests also hit
        ids that exist."""
        now = base.utcnow()
        self.insert_host_with_property(HOST_ID, 'fuzz-compute', PROPERTY,
                                       zone='nova')
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
        lease_id = resp.json()['lease']['id']
        resp = self.request(
            'POST', '/v1/subscriptions', roles='admin',
            headers={'X-User-Id': HEADERS['X-User-Id'],
                     'X-Project-Id': HEADERS['X-Project-Id']},
            json={'event_types': ['lease.*'],
                  'url': 'http://127.0.0.3:9/fuzz-hook'})
        self.assertEqual(201, resp.status_code, resp.text)
        subscription_id = resp.json()['subscription']['id']
        resp = self.request(
            'POST', '/grant/v1/grants', roles='admin',
            headers=dict(GRANT_VERSION, **{
                'X-User-Id': HEADERS['X-User-Id'],
                'X-Project-Id': HEADERS['X-Project-Id']}),
            json={'vnfInstanceId': 'fuzz-vnf', 'vnfLcmOpOccId': 'fuzz-op',
                  'vnfdId': 'fuzz-vnfd', 'operation': 'INSTANTIATE',
                  'isAutomaticInvocation': False,
                  'addResources': [{'id': 'fuzz-vdu1-0', 'type': 'COMPUTE',
                                    'resourceTemplateId': 'VDU1'}],
                  '_links': {'vnfLcmOpOcc': {'href': 'http://vnfm/op'},
                             'vnfInstance': {'href': 'http://vnfm/vnf'}}})
        self.assertEqual(201, resp.status_code, resp.text)
        self.insert_floatingip(FIP_ID, 'fuzz-net', '172.24.4.100',
                               subnet_id='fuzz-subnet')
        return {'lease_id': lease_id, 'host_id': str(HOST_ID),
                'property_name': PROPERTY,
                'subscription_id': subscription_id,
                'grantId': resp.json()['id'], 'floatingip_id': FIP_ID}

    # -- checks ---------------------------------------------------------------

    def check_answer(self, op, case, resp):
        where = '%s %s -> %s %s\nrequest: %s' % (
            op.method.upper(), op.path, resp.status_code, resp.text[:500],
            _describe(case))
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                self.fail('error answer is not JSON: %s' % where)
            self.assertIsInstance(body, dict, where)
            if op.path.startswith('/grant/'):
                self.check_problem(resp, body, where)
            else:
                self.check_blazar(resp, body, where)
        # This deployment has no Nova: registering or removing a host
        # answers one of the documented 503s that say so (no [nova]
        # credentials, or Nova unreachable). Any other 5xx is a bug.
        no_nova = (resp.status_code == 503 and
                   ('Nova cannot be reached' in resp.text or
                    '[nova] has no credentials' in resp.text))
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

    def check_blazar(self, resp, body, where):
        keys = set(body)
        self.assertTrue(BLAZAR_KEYS <= keys, where)
        extra = keys - BLAZAR_KEYS
        if resp.status_code == 409:
            extra -= OFFER_KEYS
        self.assertEqual(set(), extra, where)
        self.assertEqual(resp.status_code, body['error_code'], where)
        self.assertEqual(resp.status_code, body['error_name'], where)
        self.assertIsInstance(body['error_message'], str, where)
        self.assertTrue(body['error_message'].strip(), where)

    def check_problem(self, resp, body, where):
        """SOL013 ProblemDetails, whatever answered (controller, routing,
        authentication)."""
        media_type = _header(resp, 'Content-Type').split(';')[0]
        self.assertEqual(PROBLEM, media_type.strip(), where)
        self.assertEqual('1.4.0', _header(resp, 'Version'), where)
        self.assertTrue({'status', 'detail'} <= set(body), where)
        self.assertEqual(set(), set(body) - PROBLEM_KEYS, where)
        self.assertEqual(resp.status_code, body['status'], where)
        self.assertIsInstance(body['detail'], str, where)
        self.assertTrue(body['detail'].strip(), where)

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

    def fuzz_extremes(self, method, path):
        """Valid requests with one value replaced by an extreme one."""
        op = self.schema[path][method.upper()]
        params = {p.name for p in op.path_parameters}
        fixed = {k: v for k, v in self.fixed.items() if k in params}
        strategy = op.as_strategy(generation_mode=GenerationMode.POSITIVE,
                                  path_parameters=fixed or None)

        calls = []

        @hypothesis.settings(
            max_examples=EXTREME_EXAMPLES, derandomize=True, deadline=None,
            database=None, print_blob=False,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(case=strategy, extreme=extremes.VALUES,
                          data=st.data())
        def run(case, extreme, data):
            targets = []
            body = getattr(case, 'body', None)
            if isinstance(body, (dict, list)):
                targets += [('body', p) for p in extremes.places(body)]
            targets += [('query', p.name) for p in op.query]
            targets += [('path', name) for name in sorted(params)]
            if not targets:
                return
            where, key = data.draw(st.sampled_from(targets))
            text = extreme if isinstance(extreme, str) else json.dumps(
                extreme)
            sent = {}
            if where != 'body':
                # A URL cannot carry a lone surrogate, one over 8 KiB is
                # refused by the WSGI server itself (414), and an empty id
                # names another path.
                hypothesis.assume(0 < len(text) <= 4000 and
                                  not re.search('[\ud800-\udfff]', text))
            if where == 'body':
                # Sent as JSON text: schemathesis would check the body
                # against the schema again, and its validator cannot
                # encode a lone surrogate.
                sent['data'] = json.dumps(
                    extremes.replaced(body, key, extreme))
            elif where == 'query':
                case.query = dict(case.query or {}, **{key: text})
            else:
                case.path_parameters = dict(case.path_parameters,
                                            **{key: text})
            resp = case.call(base_url=self.url, headers=HEADERS,
                             timeout=60, **sent)
            calls.append(where)
            try:
                self.check_answer(op, case, resp)
            except AssertionError as exc:
                raise AssertionError('%s\nextreme %s at %s %r' % (
                    exc, repr(extreme)[:200], where, key))

        run()
        if op.body or list(op.query) or params:
            # Not a run that sent nothing (every example assumed away).
            self.assertGreater(len(calls), EXTREME_EXAMPLES // 3, calls)

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


def _header(resp, name):
    """One header of a schemathesis response (lower-cased names, lists of
    values), '' when absent."""
    for key, value in resp.headers.items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return ''


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

        def extreme(self, method=op.method, path=op.path):
            self.fuzz_extremes(method, path)
        extreme.__name__ = _test_name(op).replace('test_', 'test_extremes_',
                                                  1)
        extreme.__doc__ = 'Extreme values in %s %s.' % (op.method.upper(),
                                                        op.path)
        setattr(FuzzTests, extreme.__name__,
                functools.wraps(extreme)(extreme))


_add_tests()
