"""Planned downtime against a real Nova: a reservation moves to another
host and its hinted boot lands there; with nowhere to go it is flagged."""

import datetime
import json
import uuid

from promise.tests.cloud import test_host_reservations as base


class TestDowntimeRehoming(base.HostReservationBase):

    def allocation_host(self, lease_id):
        resp = self.promise('GET', '/os-hosts/allocations?lease_id=%s'
                            % lease_id)
        # Every host is listed, as Blazar lists them; the lease's are
        # those with a reservation in it.
        hosts = [a['resource_id'] for a in resp.json()['allocations']
                 if a['reservations']]
        self.assertEqual(1, len(hosts), resp.text)
        return hosts[0]

    def change(self, host_id, start='now', end=None):
        resp = self.promise('POST', '/capacity-changes', json={
            'host_id': host_id, 'type': 'unavailable', 'start_date': start,
            'end_date': end, 'reason': 'test downtime'})
        self.assertEqual(201, resp.status_code, resp.text)
        change = resp.json()['capacity_change']
        self.addCleanup(self.promise, 'DELETE',
                        '/capacity-changes/%s' % change['id'])
        return change

    def test_downtime_moves_the_reservation_then_flags_it(self):
        names, ids = self.register_free(2)
        only = json.dumps(['or'] + [['==', '$hypervisor_hostname', n]
                                    for n in names])
        start = base.utcnow().replace(second=0, microsecond=0) + \
            datetime.timedelta(minutes=2)
        end = start + datetime.timedelta(minutes=3)
        resp = self.promise('POST', '/leases', who='demo', json={
            'name': 'downtime-%s' % uuid.uuid4().hex[:6],
            'start_date': base.minute(start), 'end_date': base.minute(end),
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1, 'hypervisor_properties': only}]})
        self.assertEqual(201, resp.status_code, resp.text)
        lease = resp.json()['lease']
        self.addCleanup(self.delete_until_gone, '/leases/%s' % lease['id'],
                        who='demo')
        reservation_id = lease['reservations'][0]['id']
        first = self.allocation_host(lease['id'])
        other = [ids[n] for n in names if ids[n] != first][0]

        # The reserved host goes down for good before the lease starts.
        change = self.change(first)
        [affected] = change['affected_reservations']
        self.assertEqual(('moved', first, other),
                         (affected['outcome'], affected['old_host_id'],
                          affected['new_host_id']))
        self.assertEqual(other, self.allocation_host(lease['id']))

        active = self.wait_lease(lease['id'], 'ACTIVE')
        self.assertTrue(active['reservations'][0]['resources_changed'])
        other_name = [n for n in names if ids[n] == other][0]
        agg = self.aggregate(reservation_id)
        self.assertEqual([other_name], agg.hosts)
        server = self.settle(self.boot('moved',
                                       {'reservation': reservation_id}))
        self.assertEqual('ACTIVE', server.status)
        self.assertEqual(other_name, server.compute_host)

        # Now the second host goes down too: nowhere left, so the running
        # reservation is flagged and the lease degraded.
        change = self.change(other)
        [affected] = change['affected_reservations']
        self.assertEqual('missing', affected['outcome'])
        shown = self.promise('GET', '/leases/%s' % lease['id'],
                             who='demo').json()['lease']
        self.assertTrue(shown['degraded'])
        self.assertTrue(shown['reservations'][0]['missing_resources'])
