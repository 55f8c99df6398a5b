"""SOL003 grant decisions against the capacity model: flavors per VDU,
capacity, anti-affinity over NFVI_NODE on distinct hosts."""

from promise.common import shapes
from promise.db import api as db
from promise.db import models
from promise.nfv import grants
from promise.tests.unit import base
from promise.tests.unit import test_multicloud as mc

SHAPES = {'small': shapes.Shape(2, 2048, 10),
          'big': shapes.Shape(4, 8192, 40)}
VIM = 'vim-1'


def request(vdus, anti=None, flavor_params=None, scope='NFVI_NODE'):
    adds = []
    for vdu, count in vdus:
        for n in range(count):
            adds.append({'id': '%s-%d' % (vdu, n), 'type': 'COMPUTE',
                         'resourceTemplateId': vdu})
    adds.append({'id': 'vl', 'type': 'VL', 'resourceTemplateId': 'net'})
    body = {'vnfInstanceId': 'vnf', 'vnfLcmOpOccId': 'op', 'vnfdId': 'd1',
            'flavourId': 'simple', 'operation': 'INSTANTIATE',
            'addResources': adds,
            '_links': {'vnfLcmOpOcc': {'href': 'http://vnfm/op'},
                       'vnfInstance': {'href': 'http://vnfm/vnf'}}}
    if anti:
        body['placementConstraints'] = [{
            'affinityOrAntiAffinity': 'ANTI_AFFINITY', 'scope': scope,
            'resource': [{'idType': 'GRANT', 'resourceId': r}
                         for r in anti], 'fallbackBestEffort': False}]
    if flavor_params:
        body['additionalParams'] = {'flavours': flavor_params}
    return body


class TestGrantDecision(base.TestCase):

    def setUp(self):
        super().setUp()
        # az1: 8 vCPU / 16 GB / 100 GB; nova: 4 / 8 GB / 50 GB.
        mc.add_hosts()
        self.start = base.minute(base.utcnow())
        self.end = self.start + base.hours(1)

    def decide(self, body, flavor_map=None):
        with db.reader() as session:
            return grants.decide(session, body,
                                 flavor_map or {'d1:VDU1': 'small',
                                                'VDU2': 'big'},
                                 SHAPES, self.start, self.end, VIM,
                                 grant_id='g1').grant

    def test_grant_answers_flavors_and_zones(self):
        grant = self.decide(request([('VDU1', 2), ('VDU2', 1)]))
        self.assertEqual('g1', grant['id'])
        self.assertEqual(
            [{'vimConnectionId': VIM, 'vnfdVirtualComputeDescId': 'VDU1',
              'vimFlavourId': 'small'},
             {'vimConnectionId': VIM, 'vnfdVirtualComputeDescId': 'VDU2',
              'vimFlavourId': 'big'}],
            grant['vimAssets']['computeResourceFlavours'])
        self.assertEqual(['VDU1-0', 'VDU1-1', 'VDU2-0'],
                         [r['resourceDefinitionId']
                          for r in grant['addResources']])
        zone_ids = {z['id']: z['zoneId'] for z in grant['zones']}
        for resource in grant['addResources']:
            self.assertIn(zone_ids[resource['zoneId']], ('az1', 'nova'))
        self.assertEqual('/grant/v1/grants/g1',
                         grant['_links']['self']['href'])

    def test_capacity_just_under_and_over(self):
        # 12 vCPU in all: 6 small instances fit, 7 do not.
        self.decide(request([('VDU1', 6)]))
        exc = self.assertRaises(grants.GrantRefused, self.decide,
                                request([('VDU1', 7)]))
        self.assertEqual('Not enough capacity for 7 compute resource(s): '
                         '14 vCPU wanted, 12 free.', exc.detail)

    def test_anti_affinity_needs_distinct_hosts(self):
        self.decide(request([('VDU1', 2)], anti=['VDU1-0', 'VDU1-1']))
        exc = self.assertRaises(
            grants.GrantRefused, self.decide,
            request([('VDU1', 3)], anti=['VDU1-0', 'VDU1-1', 'VDU1-2']))
        self.assertIn('3 distinct hosts', exc.detail)
        # Without the constraint three fit on two hosts.
        self.decide(request([('VDU1', 3)]))
        self.assertRaises(grants.GrantRefused, self.decide,
                          request([('VDU1', 2)], anti=['VDU1-0', 'VDU1-1'],
                                  scope='ZONE'))

    def test_flavor_from_additional_params_or_refused(self):
        grant = self.decide(request([('VDU3', 1)],
                                    flavor_params={'VDU3': 'big'}))
        self.assertEqual('big', grant['vimAssets']['computeResourceFlavours']
                         [0]['vimFlavourId'])
        exc = self.assertRaises(grants.GrantRefused, self.decide,
                                request([('VDU3', 1)]))
        self.assertIn('No flavor is known for VDU VDU3', exc.detail)
        self.assertRaises(grants.GrantRefused, self.decide,
                          request([('VDU3', 1)],
                                  flavor_params={'VDU3': 'huge'}))

    def test_future_reservation_takes_room(self):
        t1 = self.start + base.hours(24)
        mc.add_slots(1, t1, t1 + base.hours(2), 2, (2, 2048, 10))
        self.start, self.end = t1, t1 + base.hours(1)
        self.decide(request([('VDU1', 4)]))
        self.assertRaises(grants.GrantRefused, self.decide,
                          request([('VDU1', 5)]))

    def test_terminate_adds_nothing(self):
        body = request([])
        body['operation'] = 'TERMINATE'
        body['removeResources'] = [{'id': 'VDU1-0', 'type': 'COMPUTE'}]
        grant = self.decide(body)
        self.assertEqual([{'resourceDefinitionId': 'VDU1-0'}],
                         grant['removeResources'])
        self.assertEqual([], grant['addResources'])

    def test_live_holds_take_room_expired_ones_do_not(self):
        now = base.utcnow()
        with db.writer() as session:
            session.add(models.Grant(
                id='old', vnf_instance_id='v0', vnf_lcm_op_occ_id='o0',
                operation='INSTANTIATE', project_id='p', body='{}'))
            session.flush()
            for host_id, expires in ((1, now + base.hours(1)),
                                     (2, now - base.hours(1))):
                session.add(models.GrantHold(
                    grant_id='old', vnf_instance_id='v0',
                    vnf_lcm_op_occ_id='o0', resource_id='r%d' % host_id,
                    vdu='VDU1', host_id=host_id, vcpus=4, memory_mb=4096,
                    disk_gb=20, expires_at=expires))
        # Host 1 keeps 4 of its 8 vCPU; host 2's hold has expired: 4 + 4.
        self.decide(request([('VDU1', 4)]))
        self.assertRaises(grants.GrantRefused, self.decide,
                          request([('VDU1', 5)]))

    def test_holds_name_hosts_and_shapes(self):
        with db.reader() as session:
            decision = grants.decide(
                session, request([('VDU1', 2)], anti=['VDU1-0', 'VDU1-1']),
                {'VDU1': 'small'}, SHAPES, self.start, self.end, VIM)
        self.assertEqual(['VDU1-0', 'VDU1-1'],
                         [h.resource_id for h in decision.holds])
        self.assertEqual({1, 2}, {h.host_id for h in decision.holds})
        self.assertEqual({SHAPES['small']},
                         {h.shape for h in decision.holds})
        self.assertEqual({None}, {h.reservation_id for h in decision.holds})
