"""What Blazar's own clients do with an instance reservation, on the
minicloud: they read ``server_group_id`` from the create answer and boot
with ``--flavor <reservation id> --hint group=<server_group_id>`` as soon
as the lease is active, without reading the lease again. So the group
must exist (in the lease's project) when the answer leaves, with Blazar's
semantics: true is affinity, false anti-affinity, null no group."""

from promise.tests.cloud import test_instance_reservations as base


class TestServerGroupInTheAnswer(base.InstanceReservationBase):

    def reservation(self, affinity):
        return {'resource_type': 'virtual:instance', 'amount': 2,
                'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1,
                'affinity': affinity, 'resource_properties': '[]'}

    def test_boot_with_the_group_of_the_create_answer(self):
        created = self.create_lease(self.reservation('False'))
        [res] = created['reservations']
        group_id = res['server_group_id']
        self.assertTrue(group_id)
        # The group is the demo project's, anti-affinity, now.
        group = self.cloud.demo.compute.get_server_group(group_id)
        self.assertEqual('anti-affinity',
                         getattr(group, 'policy', None) or
                         group.policies[0])
        self.wait_lease(created['id'], 'ACTIVE')
        servers = [self.settle(self.boot(res['id'], {'group': group_id}))
                   for _ in range(2)]
        self.assertEqual(['ACTIVE', 'ACTIVE'], [s.status for s in servers],
                         [s.fault for s in servers])
        self.assertEqual(2, len({s.compute_host for s in servers}))

    def test_null_affinity_makes_no_group(self):
        created = self.create_lease(self.reservation(None))
        self.assertIsNone(created['reservations'][0]['server_group_id'])

    def test_a_refused_lease_leaves_no_group(self):
        before = {g.id for g in self.cloud.demo.compute.server_groups()}
        # No host has this many vCPU (fake computes report 1,000 each).
        huge = dict(self.reservation('True'), amount=1, vcpus=10 ** 7)
        refused = self.create_lease(huge, expect=409)
        self.assertEqual(409, refused.status_code, refused.text)
        after = {g.id for g in self.cloud.demo.compute.server_groups()}
        self.assertEqual(before, after)
