"""A manager failure that is not one of Promise's answers reaches the API
as a 500 naming the call and the request id. Its own exception must not
cross RPC: oslo.config's NoSuchOptError carries an OptGroup, which
oslo.messaging cannot serialize, and on RabbitMQ the API then waited out
its RPC timeout and answered 503 (seen in the functional tier). Here,
through the real WSGI app and ManagerService on the fake transport, the
failure arrived as the API's own anonymous 500."""

from unittest import mock

from oslo_config import cfg
from oslo_serialization import jsonutils
import webob

from promise.manager import leases as lease_manager
from promise.tests.unit import base


class TestUnexpectedFailures(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='api', rpc_timeout=20)
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app

    def test_an_unserializable_failure_is_a_prompt_500(self):
        broken = cfg.NoSuchOptError('auth_url', cfg.OptGroup('nova'))
        with mock.patch.object(lease_manager.LeaseManager, 'create_view',
                               side_effect=broken):
            req = webob.Request.blank('/v1/leases', method='POST', headers={
                'X-Project-Id': 'p', 'X-User-Id': 'u', 'X-Roles': 'member',
                'Content-Type': 'application/json'})
            req.body = jsonutils.dump_as_bytes({
                'name': 'x', 'start_date': '2099-01-01 10:00',
                'end_date': '2099-01-01 11:00', 'reservations': []})
            resp = req.get_response(self.app)
        self.assertEqual(500, resp.status_int, resp.text)
        self.assertIn('promise-manager failed on create_lease: '
                      'NoSuchOptError', resp.json['error_message'])
