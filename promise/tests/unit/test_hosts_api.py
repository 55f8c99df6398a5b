"""/v1/os-hosts writes go to promise-manager, which answers with the
view the API returns; host properties and their flags."""

from oslo_serialization import jsonutils
import webob

from promise.db import api as db
from promise.db import models
from promise.tests.unit import base


class HostsAPITestCase(base.TestCase):

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


class TestHostsAPI(HostsAPITestCase):

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


class TestBlazarHostFields(HostsAPITestCase):
    """What blazar-dashboard reads: Blazar's host fields, and allocations
    as Blazar lists them (every host; host and instance reservations that
    have not ended)."""

    def setUp(self):
        super().setUp()
        now = base.utcnow()
        with db.writer() as session:
            session.add(models.Host(
                id=2, hypervisor_hostname='compute2',
                service_name='compute2', vcpus=4, memory_mb=4096,
                local_gb=10, reservable=True, generation=0,
                availability_zone='az2'))
            for lease_id, kind, start, end in (
                    ('past', 'physical:host', now - base.hours(3),
                     now - base.hours(1)),
                    ('whole', 'physical:host', now + base.hours(1),
                     now + base.hours(2)),
                    ('slots', 'virtual:instance', now - base.hours(1),
                     now + base.hours(1))):
                lease = models.Lease(id=lease_id, name=lease_id,
                                     project_id='p1', status='PENDING',
                                     degraded=False, start_date=start,
                                     end_date=end)
                lease.reservations.append(models.Reservation(
                    id='r-' + lease_id, resource_type=kind,
                    status='pending', missing_resources=False,
                    resources_changed=False))
                session.add(lease)
                session.flush()
                if kind == 'physical:host':
                    session.add(models.HostAllocation(
                        reservation_id='r-' + lease_id, host_id=1,
                        start_date=start, end_date=end))
                else:
                    session.add(models.InstanceAllocation(
                        reservation_id='r-' + lease_id, host_id=1,
                        slots=2, vcpus=1, memory_mb=512, disk_gb=1,
                        start_date=start, end_date=end))

    def test_host_has_blazars_fields(self):
        code, body = self.call('GET', '')
        hosts = {h['id']: h for h in body['hosts']}
        self.assertEqual(('nova', 'up', None),
                         (hosts['1']['availability_zone'],
                          hosts['1']['status'], hosts['1']['trust_id']))
        self.assertEqual('az2', hosts['2']['availability_zone'])
        code, body = self.call('GET', '/1')
        self.assertEqual('up', body['host']['status'])
        self.assertIn('trust_id', body['host'])

    def test_allocations_list_every_host_and_what_has_not_ended(self):
        code, body = self.call('GET', '/allocations')
        self.assertEqual(200, code, body)
        by_host = {a['resource_id']: [r['id'] for r in a['reservations']]
                   for a in body['allocations']}
        # The ended lease is gone; the instance reservation is there,
        # earliest first; host 2 holds nothing and is listed.
        self.assertEqual({'1': ['r-slots', 'r-whole'], '2': []}, by_host)
        code, body = self.call('GET', '/1/allocation')
        self.assertEqual(['r-slots', 'r-whole'],
                         [r['id'] for r in body['allocation']['reservations']])
        code, body = self.call('GET', '/allocations?lease_id=slots')
        self.assertEqual({'1': ['r-slots'], '2': []},
                         {a['resource_id']: [r['id']
                                             for r in a['reservations']]
                          for a in body['allocations']})

    def test_status_is_not_a_capability_key(self):
        code, body = self.call('PUT', '/1', {'status': 'x'})
        self.assertEqual(400, code, body)
