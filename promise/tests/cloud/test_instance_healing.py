"""Instance reservations and host health against a real Nova: the slots
of an upcoming reservation on a compute that is disabled move to another
host and a boot with the reservation's flavor lands there; slots that
can go nowhere are flagged, and the flag clears when the compute is
enabled again; a preemptible server on the host an upcoming reservation's
slots are on is deleted before the start."""

import datetime
import uuid

from promise.tests.cloud import fixture
from promise.tests.cloud import test_host_reservations as base
from promise.tests.cloud import test_nova_feedback as feedback
from promise.tests import utils


class TestInstanceHealing(feedback.FeedbackBase):

    def instance_lease(self, host_names, start, minutes):
        resp = self.promise('POST', '/leases', who='demo', json={
            'name': 'heal-slots-%s' % uuid.uuid4().hex[:6],
            'start_date': base.minute(start),
            'end_date': base.minute(start + datetime.timedelta(
                minutes=minutes)),
            'reservations': [{
                'resource_type': 'virtual:instance', 'amount': 1,
                'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1,
                'affinity': None,
                'resource_properties': feedback.only(*host_names)}]})
        self.assertEqual(201, resp.status_code, resp.text)
        lease = resp.json()['lease']
        self.addCleanup(self.delete_until_gone, '/leases/%s' % lease['id'],
                        who='demo')
        return lease

    def test_slots_move_off_a_disabled_compute_and_boot_there(self):
        names, ids = self.register_free(2)
        self.subscribe(['lease.update'])
        start = (base.utcnow() + datetime.timedelta(minutes=2)).replace(
            second=0, microsecond=0)
        lease = self.instance_lease(names, start, minutes=5)
        reservation_id = lease['reservations'][0]['id']
        [first] = self.allocation_host(lease['id'])
        first_name = [n for n in names if ids[n] == first][0]
        other = [ids[n] for n in names if ids[n] != first][0]
        other_name = [n for n in names if ids[n] == other][0]

        self.set_service(first_name, enabled=False)
        self.addCleanup(self.set_service, first_name, True)
        utils.wait_for(lambda: self.allocation_host(lease['id']) == [other],
                       timeout=90, interval=1,
                       what='slots moved to %s' % other_name)
        self.assertTrue(self.reservation(lease['id'])['resources_changed'])
        self.wait_webhook('lease.update', lambda b: b['payload']['lease'][
            'id'] == lease['id'])

        self.wait_lease(lease['id'], 'ACTIVE', timeout=240)
        server = self.settle(self.boot_server('moved-slot', reservation_id))
        # Gone before the host is unregistered (a host running servers
        # stays registered, and other tests would find fewer free ones).
        self.addCleanup(fixture.delete_server, self.cloud.admin, server.id)
        self.assertEqual('ACTIVE', server.status,
                         getattr(server, 'fault', None))
        self.assertEqual(other_name, server.compute_host)

    def test_slots_with_nowhere_to_go_are_flagged_until_the_host_is_back(
            self):
        [name], ids = self.register_free(1)
        start = (base.utcnow() + datetime.timedelta(days=1)).replace(
            second=0, microsecond=0)
        lease = self.instance_lease([name], start, minutes=60)

        def flagged(state):
            shown = self.promise('GET', '/leases/%s' % lease['id'],
                                 who='demo').json()['lease']
            return (shown['degraded'], shown['reservations'][0][
                'missing_resources']) == (state, state)

        self.set_service(name, enabled=False)
        self.addCleanup(self.set_service, name, True)
        utils.wait_for(lambda: flagged(True), timeout=90, interval=1,
                       what='the reservation flagged')
        self.assertEqual([ids[name]], self.allocation_host(lease['id']))
        self.set_service(name, enabled=True)
        utils.wait_for(lambda: flagged(False), timeout=90, interval=1,
                       what='the flag cleared')
        self.assertEqual([ids[name]], self.allocation_host(lease['id']))

    def test_a_borrower_makes_way_for_the_slots(self):
        [name], _ = self.register_free(1)
        flavor = self.preemptible_flavor()
        borrowed = self.settle(self.boot_on(name, flavor.id))
        self.assertEqual('ACTIVE', borrowed.status,
                         getattr(borrowed, 'fault', None))
        self.assertEqual(name, borrowed.compute_host)
        start = (base.utcnow() + datetime.timedelta(minutes=2)).replace(
            second=0, microsecond=0)
        lease = self.instance_lease([name], start, minutes=5)
        # Gone before the start (the usage pass, [manager]
        # preemption_grace ahead), not only by the start's fallback.
        until_start = (start - base.utcnow()).total_seconds()
        self.assertGreater(until_start, 0, 'the test was too slow to set '
                           'up before the start; nothing was checked')
        fixture.wait_for_server_gone(self.cloud.admin, borrowed.id,
                                     timeout=until_start)
        self.assertLess(base.utcnow(), start)
        self.wait_lease(lease['id'], 'ACTIVE', timeout=240)
        server = self.settle(self.boot_server(
            'slot', lease['reservations'][0]['id']))
        self.addCleanup(fixture.delete_server, self.cloud.admin, server.id)
        self.assertEqual('ACTIVE', server.status,
                         getattr(server, 'fault', None))
        self.assertEqual(name, server.compute_host)
