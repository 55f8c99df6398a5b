"""The NFV front doors on the minicloud as its promise.conf comes, written
by the devstack plugin: ONAP's check_vim_capacity answers for the
deployment's own region without hand edits, with Promise's view of the
registered hosts."""

from promise.tests.cloud import fixture
from promise.tests.cloud import test_instance_reservations as base


class TestMulticloud(base.InstanceReservationBase):

    def multicloud_url(self, version):
        endpoint = self.cloud.session('demo').get_endpoint(
            **fixture.RESERVATION)
        return (endpoint.rstrip('/').rsplit('/v1', 1)[0] +
                '/api/multicloud/%s/check_vim_capacity' % version)

    def check(self, version, body):
        resp = self.cloud.session('demo').post(
            self.multicloud_url(version), json=body, raise_exc=False)
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()['VIMs']

    def test_check_vim_capacity_answers_for_this_region(self):
        # The devstack plugin's defaults: cloud owner CloudOwner, region
        # RegionOne (the minicloud's).
        vim = 'CloudOwner_RegionOne'
        self.assertEqual([vim], self.check('v0', {
            'vCPU': 1, 'Memory': 1, 'Storage': 1, 'VIMs': [vim]}))
        # More than every registered host together (fake computes report
        # 1,000 vCPU each): no VIM has room.
        self.assertEqual([], self.check('v0', {
            'vCPU': 10 ** 7, 'Memory': 1, 'Storage': 1, 'VIMs': [vim]}))
        v1 = {'cloud-owner': 'CloudOwner', 'cloud-region-id': 'RegionOne'}
        answer = self.check('v1', {'vCPU': 1, 'Memory': 1, 'Storage': 1,
                                   'VIMs': [v1]})
        self.assertEqual([('CloudOwner', 'RegionOne')],
                         [(v['cloud-owner'], v['cloud-region-id'])
                          for v in answer])
