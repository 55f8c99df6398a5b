"""Blazar treats a property filter of "", "[]" and none alike as "no
filter"; its API tests and several clients send "[]". Through the real WSGI
app and ManagerService (fake transport, SQLite; Nova and Placement stubbed)
for every reservation type, leases/check and /v1/capacity."""

import datetime

from oslo_serialization import jsonutils
import webob

from promise.tests.unit import base
from promise.tests.unit import test_instance_plugin as fakes
from promise.tests.unit import test_multicloud as mc

EMPTY = ('', '[]', '[ ]')


class TestEmptyFilters(base.TestCase):

    def setUp(self):
        super().setUp()
        nova, placement = fakes.FakeNova(), fakes.FakePlacement()
        nova.flavors['m1.small'] = dict(
            id='m1.small', name='m1.small', vcpus=1, ram=512, disk=1,
            swap=0, is_public=True, extra_specs={})
        self.set_plugins(fakes.stubbed_plugins(nova, placement))
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app
        mc.add_hosts({i: (8, 16384, 100, None) for i in range(1, 7)})
        start = base.minute(base.utcnow()) + datetime.timedelta(days=1)
        self.window = {'start_date': start.strftime('%Y-%m-%d %H:%M'),
                       'end_date': (start + datetime.timedelta(hours=1))
                       .strftime('%Y-%m-%d %H:%M')}

    def call(self, method, path, body=None):
        req = webob.Request.blank(path, method=method, headers={
            'X-Project-Id': 'p', 'X-User-Id': 'u', 'X-Roles': 'member',
            'Accept': 'application/json'})
        if body is not None:
            req.content_type = 'application/json'
            req.body = jsonutils.dump_as_bytes(body)
        return req.get_response(self.app)

    def lease(self, reservation, path='/v1/leases'):
        return self.call('POST', path, dict(
            self.window, name='empty', reservations=[reservation],
            events=[]))

    def test_host_leases_take_empty_filters_as_none(self):
        for empty in EMPTY:
            resp = self.lease({'resource_type': 'physical:host', 'min': 1,
                               'max': 1, 'hypervisor_properties': empty,
                               'resource_properties': empty})
            self.assertEqual(201, resp.status_int, resp.text)
            # What was sent is what is shown, as Blazar does.
            res = resp.json['lease']['reservations'][0]
            self.assertEqual((empty, empty),
                             (res['hypervisor_properties'],
                              res['resource_properties']))
        # Six hosts, three leases of one: three more fit, not four.
        check = self.lease({'resource_type': 'physical:host', 'min': 4,
                            'max': 4, 'hypervisor_properties': '[]',
                            'resource_properties': '[]'},
                           '/v1/leases/check')
        self.assertEqual(200, check.status_int, check.text)
        self.assertFalse(check.json['feasible'])
        self.assertEqual([3], check.json['max_reservable'])

    def test_instance_leases_take_empty_filters_as_none(self):
        for empty in EMPTY:
            resp = self.lease({'resource_type': 'virtual:instance',
                               'amount': 2, 'vcpus': 1, 'memory_mb': 512,
                               'disk_gb': 1, 'affinity': None,
                               'resource_properties': empty})
            self.assertEqual(201, resp.status_int, resp.text)
            resp = self.lease({'resource_type': 'flavor:instance',
                               'flavor_id': 'm1.small', 'amount': 1,
                               'resource_properties': empty})
            self.assertEqual(201, resp.status_int, resp.text)

    def test_capacity_takes_empty_filters_as_none(self):
        for query in ('hypervisor_properties=[]&resource_properties=[]',
                      'resource_properties=%5B%5D'):
            resp = self.call('GET', '/v1/capacity?resource_type='
                             'physical:host&' + query)
            self.assertEqual(200, resp.status_int, resp.text)
            self.assertEqual(6, resp.json['capacity']['min_available'])

    def test_a_real_filter_still_filters(self):
        resp = self.lease({'resource_type': 'physical:host', 'min': 1,
                           'max': 1, 'hypervisor_properties':
                               '["==", "$hypervisor_hostname", "c9"]',
                           'resource_properties': '[]'})
        self.assertEqual(409, resp.status_int, resp.text)
        resp = self.lease({'resource_type': 'physical:host', 'min': 1,
                           'max': 1, 'hypervisor_properties': '[1]',
                           'resource_properties': ''})
        self.assertEqual(400, resp.status_int, resp.text)
