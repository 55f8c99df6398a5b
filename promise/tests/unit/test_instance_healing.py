"""Instance reservations on a host that leaves the pool: their slots move
to other hosts (affinity kept), what cannot move is flagged, and the flag
clears when the capacity is back; a running reservation's Nova and
Placement objects follow. Through the real lease manager and health
recording on SQLite, Nova and Placement stubbed."""

from promise.clients import placement as placement_client
from promise import context
from promise.db import api as db
from promise.db import models
from promise.manager import health
from promise import status
from promise.tests.unit import test_instance_plugin as base


class TestInstanceHealing(base.InstancePluginTestCase):

    def down(self, host_id):
        return health.service_changed('compute%d' % host_id,
                                      status.Health.DOWN, 'test',
                                      ctx=context.admin_context())

    def up(self, host_id):
        return health.service_changed('compute%d' % host_id,
                                      status.Health.UP, None,
                                      ctx=context.admin_context())

    def flags(self, lease_id):
        lease = self.lease(lease_id)
        return (lease.degraded, lease.reservations[0].missing_resources)

    def test_slots_move_off_a_failed_host(self):
        # 4 vCPU each on hosts 1 and 2, 2 on host 3: 3 slots of 2 vCPU
        # can sit on 1 and 2 (anti-affinity would need three hosts).
        lease_id = self.create([self.instance(amount=3, vcpus=2,
                                              memory_mb=512, disk_gb=5)])
        before = self.allocations(lease_id)
        self.assertEqual(3, sum(before.values()))
        lost = min(before)
        outcomes = self.down(lost)
        after = self.allocations(lease_id)
        self.assertNotIn(lost, after)
        self.assertEqual(3, sum(after.values()))
        self.assertEqual((False, False), self.flags(lease_id))
        self.assertTrue(all(o.new_host_id for o in outcomes))
        # Slots kept where they were stay there.
        for host_id, count in before.items():
            if host_id != lost:
                self.assertGreaterEqual(after.get(host_id, 0), count)

    def test_affinity_moves_every_slot_to_one_host(self):
        lease_id = self.create([self.instance(amount=2, vcpus=1,
                                              affinity=True)])
        [host_id] = self.allocations(lease_id)
        self.down(host_id)
        after = self.allocations(lease_id)
        self.assertEqual(1, len(after))
        self.assertEqual([2], list(after.values()))
        self.assertNotIn(host_id, after)

    def test_no_room_flags_and_the_flag_clears_when_the_host_returns(self):
        # 4 vCPU slots: only hosts 1 and 2 can hold one; two leases take
        # both, then host 1 fails.
        first = self.create([self.instance(amount=1, vcpus=4,
                                           memory_mb=512, disk_gb=5)])
        second = self.create([self.instance(amount=1, vcpus=4,
                                            memory_mb=512, disk_gb=5)])
        [host_first] = self.allocations(first)
        self.down(host_first)
        self.assertEqual((True, True), self.flags(first))
        self.assertEqual({host_first: 1}, self.allocations(first))
        self.assertEqual((False, False), self.flags(second))
        self.up(host_first)
        self.assertEqual((False, False), self.flags(first))
        self.assertEqual({host_first: 1}, self.allocations(first))

    def test_flagged_slots_move_when_room_appears(self):
        first = self.create([self.instance(amount=1, vcpus=4,
                                           memory_mb=512, disk_gb=5)])
        second = self.create([self.instance(amount=1, vcpus=4,
                                            memory_mb=512, disk_gb=5)])
        [host_first] = self.allocations(first)
        [host_second] = self.allocations(second)
        self.down(host_first)
        self.assertEqual((True, True), self.flags(first))
        self.manager.delete(self.context, second)
        # The next health pass finds room on the host the second lease
        # left.
        self.up(3)
        self.assertEqual({host_second: 1}, self.allocations(first))
        self.assertEqual((False, False), self.flags(first))

    def test_a_running_reservation_follows_in_nova_and_placement(self):
        now = base.base.utcnow()
        lease_id = self.create([self.instance(amount=1, vcpus=2,
                                              memory_mb=512, disk_gb=5)],
                               start=base.base.minute(now),
                               end=base.base.minute(now) + 2 * base.HOUR)
        with db.reader() as session:
            lease = session.get(models.Lease, lease_id)
            res = lease.reservations[0]
        self.manager._start(self.context, lease_id)
        self.assertEqual('ACTIVE', self.lease(lease_id).status)
        [old] = self.allocations(lease_id)
        self.down(old)
        [new] = self.allocations(lease_id)
        self.assertNotEqual(old, new)
        agg = self.nova.find_aggregate(res.id)
        self.assertEqual(['compute%d' % new], sorted(agg.hosts))
        rc = placement_client.resource_class(res.id)
        holding = {p['name']: p['inv'][rc]
                   for p in self.placement.providers.values()
                   if rc in p['inv']}
        # Only the new host's slot provider offers the slot now.
        self.assertEqual(1, len(holding), holding)
        [name] = holding
        self.assertIn('compute%d' % new, name)


class TestInstancePreemption(base.InstancePluginTestCase):

    def test_borrowers_on_the_slots_hosts_are_reclaimed(self):
        lease_id = self.create([self.instance(amount=1, vcpus=4,
                                              memory_mb=512, disk_gb=5)])
        [host_id] = self.allocations(lease_id)
        other = ({1, 2} - {host_id}).pop()
        self.nova.preemptible = {'compute%d' % host_id: ['vm-a', 'vm-b'],
                                 'compute%d' % other: ['vm-c']}
        told = []
        lease = self.lease(lease_id)
        self.plugin.preempt(self.context, lease, lease.reservations[0],
                            lambda event, payload: told.append(
                                (event, payload['servers'])))
        self.assertEqual([('reservation.preempted', ['vm-a', 'vm-b'])], told)
        # Only the hosts the slots are on.
        self.assertEqual({'compute%d' % host_id: [],
                          'compute%d' % other: ['vm-c']},
                         self.nova.preemptible)
