"""/grant/v1 in process: Tacker-shaped GrantRequests through the real WSGI
app and a real ManagerService (fake transport, SQLite): 201 with Location
and Version, 403 problem+json that says what is short, holds that keep a
second grant from the capacity until TERMINATE, scale-in, an LCM
notification or the timeout releases them, and Bearer tokens."""

import datetime
import uuid

from keystonemiddleware import fixture as ksm_fixture
from oslo_serialization import jsonutils
import sqlalchemy as sa
import webob

from promise.db import api as db
from promise.db import models
from promise.manager import grants as grant_manager
from promise.tests.unit import base
from promise.tests.unit import test_multicloud as mc

VERSION = {'Version': '1.4.0'}
VNFM = 'http://tacker.example:9890/vnflcm/v2'


def compute(vdu, ports=('CP1',), storages=()):
    """A COMPUTE resource and its LINKPORT / STORAGE resources, with ids
    made the way Tacker's v2 VNF LCM driver makes them."""
    res_id = str(uuid.uuid4())
    adds = [{'id': res_id, 'type': 'COMPUTE', 'resourceTemplateId': vdu}]
    adds += [{'id': '%s-%s' % (cp, res_id), 'type': 'LINKPORT',
              'resourceTemplateId': cp} for cp in ports]
    adds += [{'id': '%s-%s' % (st, res_id), 'type': 'STORAGE',
              'resourceTemplateId': st} for st in storages]
    return adds


def tacker_request(operation, vnf_instance_id, vdus=(), anti=(),
                   remove=(), additional=None, vnfd_id='vnfd-1'):
    """A GrantRequest as Tacker sends it. ``vdus``: [(VDU, count)] to add;
    ``anti``: VDUs whose instances must be on distinct NFVI nodes;
    ``remove``: [(VDU, server id)] to remove."""
    op_id = str(uuid.uuid4())
    body = {'vnfInstanceId': vnf_instance_id, 'vnfLcmOpOccId': op_id,
            'vnfdId': vnfd_id, 'operation': operation,
            'isAutomaticInvocation': False,
            '_links': {
                'vnfLcmOpOcc': {'href': '%s/vnf_lcm_op_occs/%s'
                                % (VNFM, op_id)},
                'vnfInstance': {'href': '%s/vnf_instances/%s'
                                % (VNFM, vnf_instance_id)}}}
    if operation == 'INSTANTIATE':
        body['flavourId'] = 'simple'
        body['instantiationLevelId'] = 'instantiation_level_1'
    adds = []
    for vdu, count in vdus:
        for _ in range(count):
            adds += compute(vdu, storages=('VirtualStorage',)
                            if vdu == 'VDU2' else ())
    if adds and operation == 'INSTANTIATE':
        adds.append({'id': str(uuid.uuid4()), 'type': 'VL',
                     'resourceTemplateId': 'internalVL1'})
    if adds:
        body['addResources'] = adds
    if anti:
        body['placementConstraints'] = [{
            'affinityOrAntiAffinity': 'ANTI_AFFINITY', 'scope': 'NFVI_NODE',
            'resource': [{'idType': 'GRANT', 'resourceId': r['id']}
                         for r in adds if r['type'] == 'COMPUTE' and
                         r['resourceTemplateId'] in anti]}]
    if remove:
        body['removeResources'] = [
            {'id': str(uuid.uuid4()), 'type': 'COMPUTE',
             'resourceTemplateId': vdu,
             'resource': {'vimConnectionId': 'vim-1', 'resourceId': server,
                          'vimLevelResourceType': 'OS::Nova::Server'}}
            for vdu, server in remove]
    if additional is not None:
        body['additionalParams'] = additional
    return body


def compute_ids(body):
    return sorted(r['id'] for r in body.get('addResources', [])
                  if r['type'] == 'COMPUTE')


class GrantAPITestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        # 2 vCPU / 2 GB / 10 GB: host 1 (az1) fits 4, host 2 (nova) 2.
        self.flags(group='net_value', flavor_shapes={
            'm1.small': '2/2048/10', 'm1.big': '4/8192/40'})
        self.flags(group='nfv', vdu_flavors={'vnfd-1:VDU1': 'm1.small',
                                             'VDU2': 'm1.small'},
                   vim_connection_id='vim-1')
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app
        mc.add_hosts()

    def call(self, method, path, body=None, headers=VERSION, roles='member',
             project='p'):
        req = webob.Request.blank(path, method=method, headers=dict(
            {'X-Project-Id': project, 'X-User-Id': 'u', 'X-Roles': roles,
             'Accept': 'application/json'}, **headers))
        if body is not None:
            req.content_type = 'application/json'
            req.body = jsonutils.dump_as_bytes(body)
        return req.get_response(self.app)

    def grant(self, body, status=201, **kwargs):
        resp = self.call('POST', '/grant/v1/grants', body, **kwargs)
        self.assertEqual(status, resp.status_int, resp.text)
        self.assertEqual('1.4.0', resp.headers['Version'])
        return resp

    def holds(self):
        with db.reader() as session:
            return [(h.vnf_instance_id, h.vdu, h.host_id) for h in
                    session.scalars(sa.select(models.GrantHold)
                                    .order_by(models.GrantHold.id))]

    def test_instantiate_with_anti_affinity(self):
        body = tacker_request('INSTANTIATE', 'vnf-1',
                              [('VDU1', 1), ('VDU2', 1)],
                              anti=('VDU1', 'VDU2'))
        resp = self.grant(body)
        grant = resp.json
        self.assertEqual('application/json', resp.content_type)
        self.assertEqual('http://localhost/grant/v1/grants/%s' % grant['id'],
                         resp.headers['Location'])
        self.assertEqual(resp.headers['Location'],
                         grant['_links']['self']['href'])
        self.assertEqual(body['_links']['vnfLcmOpOcc'],
                         grant['_links']['vnfLcmOpOcc'])
        self.assertEqual(compute_ids(body),
                         [r['resourceDefinitionId']
                          for r in grant['addResources']])
        self.assertEqual(
            [{'vimConnectionId': 'vim-1', 'vnfdVirtualComputeDescId': v,
              'vimFlavourId': 'm1.small'} for v in ('VDU1', 'VDU2')],
            grant['vimAssets']['computeResourceFlavours'])
        # Two distinct hosts, so both zones.
        self.assertEqual(['az1', 'nova'],
                         sorted(z['zoneId'] for z in grant['zones']))
        self.assertEqual({'vnf-1'}, {h[0] for h in self.holds()})
        self.assertEqual([1, 2], sorted(h[2] for h in self.holds()))
        shown = self.call('GET', '/grant/v1/grants/%s' % grant['id'])
        self.assertEqual(200, shown.status_int)
        self.assertEqual(grant, shown.json)
        self.assertEqual('1.4.0', shown.headers['Version'])

    def test_over_capacity_is_403_problem_and_holds_nothing(self):
        resp = self.grant(tacker_request('INSTANTIATE', 'vnf-1',
                                         [('VDU1', 7)]), status=403)
        self.assertEqual('application/problem+json', resp.content_type)
        self.assertEqual(
            {'status': 403, 'title': 'Forbidden',
             'detail': 'Not enough capacity for 7 compute resource(s): 14 '
                       'vCPU wanted, 12 free.'}, resp.json)
        self.assertEqual([], self.holds())
        with db.reader() as session:
            self.assertEqual(0, session.scalar(
                sa.select(sa.func.count()).select_from(models.Grant)))

    def test_holds_keep_capacity_until_terminate(self):
        self.grant(tacker_request('INSTANTIATE', 'vnf-1', [('VDU1', 6)]))
        # All 12 vCPU are held: another VNF gets nothing.
        resp = self.grant(tacker_request('INSTANTIATE', 'vnf-2',
                                         [('VDU1', 1)]), status=403)
        self.assertIn('2 vCPU wanted, 0 free', resp.json['detail'])
        terminate = self.grant(tacker_request(
            'TERMINATE', 'vnf-1', remove=[('VDU1', 's%d' % i)
                                          for i in range(6)])).json
        self.assertEqual([], terminate['addResources'])
        self.assertEqual(6, len(terminate['removeResources']))
        self.assertEqual([], self.holds())
        self.grant(tacker_request('INSTANTIATE', 'vnf-2', [('VDU1', 6)]))

    def test_scale_in_releases_that_many(self):
        self.grant(tacker_request('INSTANTIATE', 'vnf-1', [('VDU1', 2)]))
        self.grant(tacker_request('SCALE', 'vnf-1', [('VDU1', 4)]))
        self.grant(tacker_request('SCALE', 'vnf-1', [('VDU1', 1)]),
                   status=403)
        self.grant(tacker_request('SCALE', 'vnf-1',
                                  remove=[('VDU1', 'a'), ('VDU1', 'b')]))
        self.assertEqual(4, len(self.holds()))
        self.grant(tacker_request('SCALE', 'vnf-1', [('VDU1', 2)]))

    def test_lcm_notification_ends_the_operation_holds(self):
        body = tacker_request('INSTANTIATE', 'vnf-1', [('VDU1', 6)])
        self.grant(body)
        resp = self.call('GET', '/grant/v1/notifications')
        self.assertEqual(204, resp.status_int)
        note = {'id': 'n1', 'notificationType':
                'VnfLcmOperationOccurrenceNotification',
                'notificationStatus': 'RESULT',
                'operationState': 'PROCESSING', 'operation': 'INSTANTIATE',
                'vnfInstanceId': 'vnf-1',
                'vnfLcmOpOccId': body['vnfLcmOpOccId'],
                'isAutomaticInvocation': False}
        self.assertEqual(204, self.call('POST', '/grant/v1/notifications',
                                        note).status_int)
        self.assertEqual(6, len(self.holds()))
        # Another project's notification does not touch them.
        note['operationState'] = 'COMPLETED'
        self.call('POST', '/grant/v1/notifications', note, project='q')
        self.assertEqual(6, len(self.holds()))
        self.call('POST', '/grant/v1/notifications', note)
        self.assertEqual([], self.holds())

    def test_expired_holds_count_for_nothing_and_are_swept(self):
        self.grant(tacker_request('INSTANTIATE', 'vnf-1', [('VDU1', 6)]))
        with db.writer() as session:
            session.execute(sa.update(models.GrantHold).values(
                expires_at=base.utcnow() - datetime.timedelta(seconds=1)))
        self.grant(tacker_request('INSTANTIATE', 'vnf-2', [('VDU1', 6)]))
        self.assertEqual(6, grant_manager.sweep())
        self.assertEqual({'vnf-2'}, {h[0] for h in self.holds()})

    def test_invalid_requests_are_problems_that_change_nothing(self):
        good = tacker_request('INSTANTIATE', 'vnf-1', [('VDU1', 1)])
        for body, status, text in (
                (dict(good, operation='DANCE'), 400, 'operation'),
                ({k: v for k, v in good.items() if k != 'vnfInstanceId'},
                 400, 'Missing parameter vnfInstanceId'),
                (dict(good, addResources=[{'id': 'x', 'type': 'COMPUTE'}]),
                 400, 'addResources.0')):
            resp = self.grant(body, status=status)
            self.assertEqual('application/problem+json', resp.content_type)
            self.assertIn(text, resp.json['detail'])
            self.assertEqual(status, resp.json['status'])
        resp = self.grant(good, status=400, headers={})
        self.assertIn('Version header is required', resp.json['detail'])
        resp = self.grant(good, status=406, headers={'Version': '2.0.0'})
        self.assertEqual('application/problem+json', resp.content_type)
        self.assertEqual([], self.holds())

    def test_unknown_flavor_and_other_projects(self):
        resp = self.grant(tacker_request('INSTANTIATE', 'vnf-1',
                                         [('VDU9', 1)]), status=403)
        self.assertEqual('No flavor is known for VDU VDU9 of VNFD vnfd-1.',
                         resp.json['detail'])
        grant = self.grant(tacker_request('INSTANTIATE', 'vnf-1',
                                          [('VDU1', 1)])).json
        path = '/grant/v1/grants/%s' % grant['id']
        resp = self.call('GET', path, project='q')
        self.assertEqual(404, resp.status_int)
        self.assertEqual('application/problem+json', resp.content_type)
        self.assertEqual(403, self.call('POST', '/grant/v1/grants', grant,
                                        roles='reader').status_int)

    def test_grant_drawn_on_a_reservation(self):
        start = base.utcnow() - datetime.timedelta(minutes=5)
        mc.add_slots(1, start, start + base.hours(2), 2, (2, 2048, 10))
        with db.writer() as session:
            session.add(models.InstanceReservation(
                reservation_id='r', amount=2, vcpus=2, memory_mb=2048,
                disk_gb=10, flavor_id='r', affinity=None))
        params = {'reservationId': 'r'}
        # Lease 'l' belongs to project p.
        grant = self.grant(tacker_request(
            'INSTANTIATE', 'vnf-1', [('VDU7', 2)], additional=params)).json
        self.assertEqual({'r'}, {r['reservationId']
                                 for r in grant['addResources']})
        self.assertEqual('r', grant['vimAssets']['computeResourceFlavours']
                         [0]['vimFlavourId'])
        resp = self.grant(tacker_request('SCALE', 'vnf-1', [('VDU7', 1)],
                                         additional=params), status=403)
        self.assertEqual('Reservation r has 0 free slot(s) on 0 host(s); 1 '
                         'compute resource(s) wanted.', resp.json['detail'])
        resp = self.grant(tacker_request('INSTANTIATE', 'vnf-2',
                                         [('VDU1', 1)], additional=params),
                          status=403, project='q')
        self.assertEqual('Reservation r does not exist.',
                         resp.json['detail'])


class BearerTokenTestCase(base.TestCase):
    """With auth_strategy = keystone, an OAuth2 Bearer access token is
    validated by keystonemiddleware's oauth2_token against Keystone (here
    its test fixture), X-Auth-Token by auth_token as before."""

    def setUp(self):
        super().setUp()
        self.flags(auth_strategy='keystone')
        self.flags(group='keystone_authtoken',
                   www_authenticate_uri='http://keystone.invalid/identity')
        self.tokens = self.useFixture(ksm_fixture.AuthTokenFixture())
        self.token = uuid.uuid4().hex
        self.tokens.add_token_data(token_id=self.token, user_id='tacker',
                                   project_id='nfv', role_list=['reader'])
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app

    def get(self, headers):
        req = webob.Request.blank('/grant/v1/grants/none',
                                  headers=dict(VERSION, **headers))
        return req.get_response(self.app)

    def test_bearer_token_authenticates(self):
        resp = self.get({'Authorization': 'Bearer %s' % self.token})
        # Authenticated as project nfv: the grant is simply not there.
        self.assertEqual(404, resp.status_int, resp.text)
        self.assertEqual('Grant none could not be found.',
                         resp.json['detail'])

    def test_x_auth_token_still_works(self):
        self.assertEqual(404, self.get({'X-Auth-Token': self.token})
                         .status_int)

    def test_unknown_bearer_token_is_401(self):
        resp = self.get({'Authorization': 'Bearer %s' % uuid.uuid4().hex})
        self.assertEqual(401, resp.status_int)
        self.assertIn('keystone.invalid', resp.headers['WWW-Authenticate'])
        self.assertEqual(401, self.get({}).status_int)
