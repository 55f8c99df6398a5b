"""Every error answer carries Blazar's body, whoever produced it."""

import json

import webob
import webob.dec
import webob.exc

from promise.api import app as api_app
from promise.api.middleware import error_body
from promise.tests.unit import base

BLAZAR_KEYS = {'error_code', 'error_message', 'error_name'}


def call(app, path='/', method='GET', accept=None):
    req = webob.Request.blank(path, method=method)
    if accept is not None:
        req.headers['Accept'] = accept
    return req.get_response(app)


class TestErrorBody(base.TestCase):

    def assertBlazar(self, resp, status, message=None):
        self.assertEqual(status, resp.status_int)
        self.assertEqual('application/json', resp.content_type)
        body = resp.json
        self.assertEqual(BLAZAR_KEYS, set(body))
        self.assertEqual(status, body['error_code'])
        self.assertEqual(status, body['error_name'])
        if message is not None:
            self.assertEqual(message, body['error_message'])
        return body['error_message']

    def test_webob_html_error(self):
        app = error_body.ErrorBody(webob.exc.HTTPNotFound())
        for accept in (None, 'text/html', '*/*', 'text/plain'):
            self.assertBlazar(call(app, accept=accept), 404,
                              'The resource could not be found.')

    def test_webob_json_error(self):
        app = error_body.ErrorBody(webob.exc.HTTPNotFound())
        message = self.assertBlazar(call(app, accept='application/json'),
                                    404)
        self.assertIn('could not be found', message)

    def test_pecan_json_routing_errors_give_a_sentence(self):
        # python-blazarclient sends Accept: application/json and shows only
        # error_message, which must be text, not a JSON document.
        app = api_app.setup_app(rpcapi=object())
        for method, path, status in (('GET', '/v1/nothing', 404),
                                     ('PATCH', '/v1/leases', 405)):
            resp = call(app, path, method, accept='application/json')
            message = self.assertBlazar(resp, status)
            self.assertFalse(message.lstrip().startswith('{'), message)
            self.assertNotIn('"code"', message)

    def test_pecan_html_routing_errors_give_a_sentence(self):
        # curl sends Accept: */*, which gets webob's HTML page.
        app = api_app.setup_app(rpcapi=object())
        for accept in ('*/*', 'text/html'):
            resp = call(app, '/v1/nothing', accept=accept)
            self.assertBlazar(resp, 404, 'The resource could not be found.')
            resp = call(app, '/v1/leases', 'PATCH', accept=accept)
            self.assertBlazar(
                resp, 405,
                'The method PATCH is not allowed for this resource.')
            self.assertIn('GET', resp.headers['Allow'])

    def test_keystone_style_error(self):
        @webob.dec.wsgify
        def keystone(req):
            resp = webob.Response(status=401, json_body={'error': {
                'code': 401, 'title': 'Unauthorized',
                'message': 'The request you have made requires '
                           'authentication.'}})
            resp.headers['WWW-Authenticate'] = "Keystone uri='http://ks'"
            return resp

        resp = call(error_body.ErrorBody(keystone))
        self.assertBlazar(resp, 401, 'The request you have made requires '
                                     'authentication.')
        self.assertEqual("Keystone uri='http://ks'",
                         resp.headers['WWW-Authenticate'])

    def test_allow_and_retry_after_are_kept(self):
        app = error_body.ErrorBody(webob.exc.HTTPServiceUnavailable(
            headers={'Retry-After': '5'}))
        resp = call(app)
        self.assertBlazar(resp, 503)
        self.assertEqual('5', resp.headers['Retry-After'])
        app = error_body.ErrorBody(webob.exc.HTTPMethodNotAllowed(
            headers={'Allow': 'GET, POST'}))
        resp = call(app, method='PUT')
        self.assertBlazar(resp, 405)
        self.assertEqual('GET, POST', resp.headers['Allow'])

    def test_blazar_bodies_pass_through(self):
        body = {'error_code': 409, 'error_message': 'Lease busy',
                'error_name': 409, 'offers': [1]}

        @webob.dec.wsgify
        def already(req):
            return webob.Response(status=409, json_body=body)

        resp = call(error_body.ErrorBody(already))
        self.assertEqual(409, resp.status_int)
        self.assertEqual(body, json.loads(resp.text))

    def test_plain_text_error(self):
        @webob.dec.wsgify
        def plain(req):
            return webob.Response(status=502, content_type='text/plain',
                                  body=b'upstream went away')

        self.assertBlazar(call(error_body.ErrorBody(plain)), 502,
                          'upstream went away')

    def test_empty_error_uses_the_status_title(self):
        @webob.dec.wsgify
        def empty(req):
            return webob.Response(status=418, body=b'')

        self.assertBlazar(call(error_body.ErrorBody(empty)), 418,
                          "I'm a teapot")

    def test_crash_is_a_500_without_a_traceback(self):
        def crash(environ, start_response):
            raise RuntimeError('secret internals')

        message = self.assertBlazar(call(error_body.ErrorBody(crash)), 500)
        self.assertNotIn('secret internals', message)

    def test_success_is_untouched(self):
        @webob.dec.wsgify
        def ok(req):
            return webob.Response(status=300, body=b'<html>fine</html>',
                                  content_type='text/html')

        resp = call(error_body.ErrorBody(ok))
        self.assertEqual(300, resp.status_int)
        self.assertEqual(b'<html>fine</html>', resp.body)


class TestKeystone(base.TestCase):
    """With keystonemiddleware, discovery stays open and the rest needs a
    token; a refusal still has Blazar's body."""

    def setUp(self):
        super().setUp()
        self.flags(auth_strategy='keystone')
        self.flags(group='keystone_authtoken',
                   www_authenticate_uri='http://keystone.invalid/identity')
        self.app = api_app.setup_app(rpcapi=object())

    def test_discovery_needs_no_token(self):
        for path in ('/', '/versions'):
            resp = call(self.app, path)
            self.assertEqual(300, resp.status_int)
            self.assertEqual('v1.0', resp.json['versions'][0]['id'])

    def test_healthcheck_needs_no_token(self):
        self.assertEqual(200, call(self.app, '/healthcheck').status_int)

    def test_leases_need_a_token(self):
        resp = call(self.app, '/v1/leases', accept='application/json')
        self.assertEqual(401, resp.status_int)
        body = resp.json
        self.assertEqual(BLAZAR_KEYS, set(body))
        self.assertEqual(401, body['error_code'])
        self.assertFalse(body['error_message'].startswith('{'))
        self.assertIn('keystone.invalid',
                      resp.headers['WWW-Authenticate'])
        self.assertTrue(resp.headers['x-openstack-request-id'])

    def test_noauth_headers_are_not_trusted(self):
        req = webob.Request.blank('/v1/leases', headers={
            'X-User-Id': 'u', 'X-Project-Id': 'p', 'X-Roles': 'admin'})
        self.assertEqual(401, req.get_response(self.app).status_int)
