"""/v1/os-hosts writes go to promise-manager, which answers with the
view the API returns; host properties and their flags."""

from oslo_serialization import jsonutils
import webob

from promise.db import api as db
from promise.db import models
from promise.tests.unit import base


class TestHostsAPI(base.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(base.APIFixture(self.conf_fixture))
        with db.writer() as session:
            session.add(models.Host(
                id=1, hypervisor_hostname='compute1',
                service_name='compute1', vcpus=4, memory_mb=4096,
                local_gb=10, reservable=True, generation=0))
            session.add(models.HostCapability(host_id=1, name='gpu',
                                              value='true'))
            session.add(models.ResourceProperty(
                resource_type='physical:host', name='gpu', private=False))

    def call(self, method, path, body=None):
        req = webob.Request.blank('/v1/os-hosts' + path, method=method,
                                  headers={'X-Project-Id': 'p1',
                                           'X-User-Id': 'u1',
                                           'X-Roles': 'admin'})
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
        resp = req.get_response(self.api.app)
        return resp.status_int, (resp.json if resp.body else None)

    def test_patch_property_is_written_by_the_manager(self):
        code, body = self.call('PATCH', '/properties/gpu', {'private': True})
        self.assertEqual(200, code, body)
        self.assertEqual({'resource_property': {'property': 'gpu',
                                                'private': True}}, body)
        with db.reader() as session:
            prop = session.get(models.ResourceProperty,
                               ('physical:host', 'gpu'))
            self.assertTrue(prop.private)
        code, body = self.call('GET', '/properties')
        self.assertEqual({'resource_properties': []}, body)
        code, body = self.call('GET', '/properties?all=yes')
        self.assertEqual([{'property': 'gpu'}], body['resource_properties'])

    def test_patch_unknown_property_is_404(self):
        code, body = self.call('PATCH', '/properties/fpga',
                               {'private': True})
        self.assertEqual(404, code, body)

    def test_property_flags_and_parameters(self):
        code, body = self.call('GET', '/properties?detail=1')
        self.assertEqual([{'property': 'gpu', 'private': False,
                           'values': ['true']}],
                         body['resource_properties'])
        code, body = self.call('GET', '/properties?detail=maybe')
        self.assertEqual(400, code)
        self.assertEqual('detail must be True or False.',
                         body['error_message'])
        code, body = self.call('GET', '/properties?colour=red')
        self.assertEqual(400, code)
        self.assertEqual('Unknown query parameter(s): colour. Supported: '
                         'detail, all.', body['error_message'])

    def test_put_answers_with_the_managers_view(self):
        code, body = self.call('PUT', '/1', {'gpu': 'false', 'ssd': True})
        self.assertEqual(200, code, body)
        self.assertEqual('compute1', body['host']['hypervisor_hostname'])
        self.assertEqual('false', body['host']['gpu'])
        self.assertEqual('true', body['host']['ssd'])
        code, shown = self.call('GET', '/1')
        self.assertEqual(shown['host'], body['host'])

    def test_unknown_parameter_of_one_host(self):
        code, body = self.call('GET', '/1?colour=red')
        self.assertEqual(400, code)
        self.assertEqual('Unknown query parameter(s): colour.',
                         body['error_message'])
