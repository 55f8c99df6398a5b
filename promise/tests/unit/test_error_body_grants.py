"""Under /grant every error answer is SOL013 problem+json, whoever
produced it: routing (404/405), keystonemiddleware (401), a crash, a
Blazar-shaped PromiseException; elsewhere the Blazar body stays."""

import webob
import webob.dec
import webob.exc

from promise.api import app as api_app
from promise.api import errors
from promise.api.middleware import error_body
from promise.tests.unit import base

PROBLEM = 'application/problem+json'
VERSION = {'Version': '1.4.0'}


def call(app, path, method='GET', headers=None, accept='application/json'):
    req = webob.Request.blank(path, method=method, headers=headers or {})
    if accept is not None:
        req.headers['Accept'] = accept
    return req.get_response(app)


class TestGrantProblems(base.TestCase):

    def assertProblem(self, resp, status, detail=None):
        self.assertEqual(status, resp.status_int, resp.text)
        self.assertEqual(PROBLEM, resp.content_type)
        self.assertEqual('1.4.0', resp.headers['Version'])
        body = resp.json
        self.assertEqual(status, body['status'])
        self.assertTrue(body['detail'].strip())
        self.assertLessEqual(set(body), {'status', 'detail', 'title'})
        if detail is not None:
            self.assertEqual(detail, body['detail'])
        return body

    def test_routing_errors(self):
        app = api_app.setup_app(rpcapi=object())
        for accept in ('application/json', '*/*', 'text/html', None):
            for path in ('/grant', '/grant/v1', '/grant/v1/nothing',
                         '/grant/v1/grants/some-id/more'):
                resp = call(app, path, headers=VERSION, accept=accept)
                body = self.assertProblem(resp, 404)
                self.assertEqual('Not Found', body['title'])
                self.assertNotIn('<', body['detail'])

    def test_wrong_methods_are_405_with_allow(self):
        app = api_app.setup_app(rpcapi=object())
        for method, path, allow in (
                ('GET', '/grant/v1/grants', 'POST'),
                ('DELETE', '/grant/v1/grants/some-id', 'GET'),
                ('PUT', '/grant/v1/grants/some-id', 'GET'),
                ('PUT', '/grant/v1/notifications', 'GET, POST'),
                ('DELETE', '/grant/v1/notifications', 'GET, POST')):
            resp = call(app, path, method, headers=VERSION)
            self.assertProblem(resp, 405)
            self.assertEqual(allow, resp.headers['Allow'])

    def test_keystone_401(self):
        self.flags(auth_strategy='keystone')
        self.flags(group='keystone_authtoken',
                   www_authenticate_uri='http://keystone.invalid/identity')
        app = api_app.setup_app(rpcapi=object())
        resp = call(app, '/grant/v1/grants', 'POST', headers=VERSION)
        self.assertProblem(resp, 401)
        self.assertIn('keystone.invalid', resp.headers['WWW-Authenticate'])
        # Elsewhere the Blazar body.
        resp = call(app, '/v1/leases')
        self.assertEqual(401, resp.status_int)
        self.assertEqual(401, resp.json['error_code'])

    def test_crash(self):
        def crash(environ, start_response):
            raise RuntimeError('secret internals')

        app = error_body.ErrorBody(crash)
        body = self.assertProblem(call(app, '/grant/v1/grants', 'POST'), 500)
        self.assertNotIn('secret internals', body['detail'])
        self.assertEqual(500, call(app, '/v1/leases').json['error_code'])

    def test_blazar_body_becomes_a_problem(self):
        @webob.dec.wsgify
        def blazar(req):
            return errors.response(503, 'Try later.',
                                   headers={'Retry-After': '5'})

        app = error_body.ErrorBody(blazar)
        resp = call(app, '/grant/v1/grants/x')
        self.assertProblem(resp, 503, 'Try later.')
        self.assertEqual('5', resp.headers['Retry-After'])
        resp = call(app, '/v1/leases')
        self.assertEqual({'error_code': 503, 'error_message': 'Try later.',
                          'error_name': 503}, resp.json)

    def test_problems_pass_through(self):
        @webob.dec.wsgify
        def problem(req):
            resp = webob.Response(status=403, content_type=PROBLEM,
                                  json_body={'status': 403,
                                             'detail': 'No room.'})
            resp.headers['Version'] = '1.4.0'
            return resp

        resp = call(error_body.ErrorBody(problem), '/grant/v1/grants',
                    'POST')
        self.assertEqual({'status': 403, 'detail': 'No room.'}, resp.json)

    def test_only_the_grant_prefix(self):
        app = error_body.ErrorBody(webob.exc.HTTPNotFound())
        for path in ('/grants', '/grantv1', '/v1/grant'):
            self.assertEqual(404, call(app, path).json['error_code'])


class TestMulticloudMethods(base.TestCase):
    """pecan ignored expose(method='POST'): any method ran the check."""

    def test_only_post(self):
        app = api_app.setup_app(rpcapi=object())
        for path in ('/api/multicloud/v0/check_vim_capacity',
                     '/api/multicloud/v1/check_vim_capacity',
                     '/api/multicloud/v1/net_value'):
            for method in ('GET', 'PUT', 'DELETE'):
                resp = call(app, path, method)
                self.assertEqual(405, resp.status_int, resp.text)
                self.assertEqual('POST', resp.headers['Allow'])
                self.assertEqual(405, resp.json['error_code'])
