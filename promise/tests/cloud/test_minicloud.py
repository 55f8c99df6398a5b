# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""Smoke tests of the minicloud itself: if these fail, every other cloud
test will too, so they say first what is wrong with the cloud."""

import uuid

from promise.tests.cloud import fixture


class TestMiniCloud(fixture.CloudTestCase):

    def test_fake_hypervisors_visible(self):
        hyps = list(self.cloud.admin.compute.hypervisors(details=True))
        names = {h.name for h in hyps}
        self.assertGreaterEqual(self.cloud.computes, 1)
        for i in range(1, self.cloud.computes + 1):
            self.assertIn('compute%d' % i, names)
        for h in hyps:
            self.assertEqual('fake', h.hypervisor_type)
            self.assertEqual('up', h.state)

    def test_server_boots_to_active_and_is_deleted(self):
        # Booted by admin onto a named host ("nova:computeN" skips the
        # scheduler filters): other cloud tests running in parallel may
        # have put every host under Promise's control, and then an
        # ordinary boot has no valid host, by design.
        admin = self.cloud.admin
        host = 'compute%d' % self.cloud.computes
        image = admin.image.find_image('tiny', ignore_missing=False)
        flavor = admin.compute.find_flavor('m1.tiny', ignore_missing=False)
        net = admin.network.find_network('net1', ignore_missing=False)
        server = admin.compute.create_server(
            name='minicloud-smoke-%s' % uuid.uuid4().hex[:8],
            image_id=image.id, flavor_id=flavor.id,
            networks=[{'uuid': net.id}], availability_zone='nova:' + host)
        self.addCleanup(fixture.delete_server, admin, server.id)

        server = fixture.wait_for_server(admin, server.id, 'ACTIVE')
        self.assertIn('net1', server.addresses)
        self.assertEqual(host, server.compute_host)

        admin.compute.delete_server(server.id)
        fixture.wait_for_server_gone(admin, server.id)

    def test_demo_lists_flavors_and_images(self):
        demo = self.cloud.demo
        self.assertIn('m1.tiny', [f.name for f in demo.compute.flavors()])
        self.assertIn('tiny', [i.name for i in demo.image.images()])

    def test_demo_is_a_member_not_admin(self):
        access = self.cloud.demo_session.auth.get_access(
            self.cloud.demo_session)
        self.assertIn('member', access.role_names)
        self.assertNotIn('admin', access.role_names)
