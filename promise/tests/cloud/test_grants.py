"""A SOL003 grant against Promise on the minicloud, then the boot Tacker
would make with it: the granted flavor in the granted zone becomes
ACTIVE, in the reservation the grant drew on or, for a grant on
unreserved capacity, on the host it holds; TERMINATE releases the hold."""

import uuid

import requests

from promise.tests.cloud import fixture
from promise.tests.cloud import test_instance_reservations as base
from promise.tests.unit import test_grants_api as requests_

VERSION = {'Version': '1.4.0'}


class TestGrants(base.InstanceReservationBase):

    def grant_url(self):
        endpoint = self.cloud.session('demo').get_endpoint(
            **fixture.RESERVATION)
        # The catalog names the Blazar API (/v1); /grant is beside it.
        return endpoint.rstrip('/').rsplit('/v1', 1)[0] + '/grant/v1/grants'

    def grant(self, body, status=201):
        resp = self.cloud.session('demo').post(
            self.grant_url(), json=body, headers=VERSION, raise_exc=False)
        self.assertEqual(status, resp.status_code, resp.text)
        self.assertEqual('1.4.0', resp.headers['Version'])
        return resp.json()

    def boot_granted(self, grant):
        """The boot Tacker makes for the first added resource: the
        granted flavour in the granted zone. The settled admin view."""
        flavor = grant['vimAssets']['computeResourceFlavours'][0]
        zones = {z['id']: z['zoneId'] for z in grant['zones']}
        zone = zones[grant['addResources'][0]['zoneId']]
        conn = self.cloud.demo
        image = conn.image.find_image('tiny', ignore_missing=False)
        net = conn.network.find_network('net1', ignore_missing=False)
        server = conn.compute.create_server(
            name='vdu1-%s' % uuid.uuid4().hex[:6], image_id=image.id,
            flavor_id=flavor['vimFlavourId'], availability_zone=zone,
            networks=[{'uuid': net.id}])
        self.addCleanup(fixture.delete_server, self.cloud.admin, server.id,
                        False)
        settled = self.settle(server.id)
        self.assertEqual('ACTIVE', settled.status, settled.fault)
        self.assertEqual(zone, settled.availability_zone)
        return settled

    def test_grant_from_a_reservation_boots_in_it(self):
        # The NFVO reserved capacity for the VNF beforehand; the grant
        # draws on it and names it, and the VNFM's boot lands in it.
        lease = self.create_lease({
            'resource_type': 'virtual:instance', 'amount': 2, 'vcpus': 1,
            'memory_mb': 512, 'disk_gb': 1, 'affinity': None,
            'resource_properties': ''})
        lease = self.wait_lease(lease['id'], 'ACTIVE')
        rid = lease['reservations'][0]['id']
        vnf = 'vnf-%s' % uuid.uuid4().hex[:8]
        grant = self.grant(requests_.tacker_request(
            'INSTANTIATE', vnf, [('VDU1', 1)],
            additional={'reservationId': rid}))
        self.addCleanup(self.grant, requests_.tacker_request(
            'TERMINATE', vnf, remove=[('VDU1', 'gone')]))
        self.assertEqual(rid, grant['addResources'][0]['reservationId'])
        flavor = grant['vimAssets']['computeResourceFlavours'][0]
        self.assertEqual(('VDU1', lease['reservations'][0]['flavor_id']),
                         (flavor['vnfdVirtualComputeDescId'],
                          flavor['vimFlavourId']))
        server = self.boot_granted(grant)
        self.assertIn(server.compute_host, self.aggregate(rid).hosts)

        shown = self.cloud.session('demo').get(
            '%s/%s' % (self.grant_url(), grant['id']), headers=VERSION)
        self.assertEqual(grant, shown.json())

        # The reservation has two slots: a grant for three is refused
        # with what is short, as problem+json.
        refused = self.grant(requests_.tacker_request(
            'SCALE', vnf, [('VDU1', 3)],
            additional={'reservationId': rid}), status=403)
        self.assertEqual(403, refused['status'])
        self.assertTrue(refused['detail'])

    def test_unreserved_grant_boots_on_the_granted_host(self):
        # No reservation: the grant holds free-pool capacity, where
        # PromiseFilter admits only Promise's flavors. The grant answers
        # its own copy of the VDU's flavor, which the filter lets onto
        # the granted host (and no other), for this project.
        tiny = self.cloud.admin.compute.find_flavor('m1.tiny',
                                                    ignore_missing=False)
        vnf = 'vnf-%s' % uuid.uuid4().hex[:8]
        # Named by name, as Tacker's additionalParams may name it.
        grant = self.grant(requests_.tacker_request(
            'INSTANTIATE', vnf, [('VDU1', 1)],
            additional={'flavours': {'VDU1': 'm1.tiny'}}))
        terminate = requests_.tacker_request('TERMINATE', vnf,
                                             remove=[('VDU1', 'gone')])
        self.addCleanup(self.grant, terminate)
        self.assertNotIn('reservationId', grant['addResources'][0])
        flavor = grant['vimAssets']['computeResourceFlavours'][0]
        self.assertNotEqual(tiny.id, flavor['vimFlavourId'])
        agg = self.aggregate('grant:%s' % grant['id'])
        self.assertIsNotNone(agg)
        [granted] = agg.hosts

        server = self.boot_granted(grant)
        self.assertEqual(granted, server.compute_host)

        # Once the operation is over Nova forgets the grant's flavor and
        # aggregate; the server keeps running.
        self.grant(terminate)
        self.assertIsNone(self.aggregate('grant:%s' % grant['id']))
        self.assertIsNone(self.cloud.admin.compute.find_flavor(
            flavor['vimFlavourId'], ignore_missing=True))
        self.assertEqual('ACTIVE', self.settle(server.id).status)

    def test_bearer_token_of_keystones_oauth2_client_credentials(self):
        # What Tacker does: an application credential of the VNFM's user,
        # exchanged at Keystone's /v3/OS-OAUTH2/token for an access token
        # sent as "Authorization: Bearer".
        demo = self.cloud.session('demo')
        keystone = self.cloud.demo_env['OS_AUTH_URL'].rstrip('/')
        user_id = demo.get_user_id()
        created = demo.post(
            '%s/users/%s/application_credentials' % (keystone, user_id),
            json={'application_credential': {
                'name': 'vnfm-%s' % uuid.uuid4().hex[:8]}},
            raise_exc=False)
        self.assertEqual(201, created.status_code, created.text)
        cred = created.json()['application_credential']
        self.addCleanup(demo.delete, '%s/users/%s/application_credentials/%s'
                        % (keystone, user_id, cred['id']), raise_exc=False)
        token = requests.post(
            keystone + '/OS-OAUTH2/token',
            data={'grant_type': 'client_credentials'},
            auth=(cred['id'], cred['secret']), timeout=60)
        self.assertEqual(200, token.status_code, token.text)
        bearer = dict(VERSION, Authorization='Bearer %s'
                      % token.json()['access_token'])
        vnf = 'vnf-%s' % uuid.uuid4().hex[:8]
        resp = requests.post(self.grant_url(), headers=bearer, timeout=60,
                             json=requests_.tacker_request(
                                 'INSTANTIATE', vnf, [('VDU1', 1)],
                                 additional={'flavours': {
                                     'VDU1': 'm1.tiny'}}))
        self.assertEqual(201, resp.status_code, resp.text)
        grant = resp.json()
        # The grant is the demo project's: its own token reads it.
        shown = demo.get('%s/%s' % (self.grant_url(), grant['id']),
                         headers=VERSION, raise_exc=False)
        self.assertEqual(200, shown.status_code, shown.text)
        resp = requests.post(self.grant_url(), headers=bearer, timeout=60,
                             json=requests_.tacker_request(
                                 'TERMINATE', vnf,
                                 remove=[('VDU1', 'gone')]))
        self.assertEqual(201, resp.status_code, resp.text)
        # A token Keystone did not issue is refused.
        forged = dict(VERSION, Authorization='Bearer not-a-token')
        resp = requests.post(self.grant_url(), headers=forged, timeout=60,
                             json=requests_.tacker_request(
                                 'INSTANTIATE', vnf, [('VDU1', 1)]))
        self.assertEqual(401, resp.status_code, resp.text)
