"""Preemptible instances leave the hosts of reservations about to start."""

import datetime

from promise.db import api as db
from promise.db import models
from promise.manager import leases as lease_manager
from promise.manager import reclaim
from promise.notifications import notifier
from promise.plugins.hosts import plugin as host_plugin
from promise.tests.unit import base


class FakeNova:

    def __init__(self, preemptible, log=None):
        self.preemptible = preemptible
        self.deleted = []
        self.log = log if log is not None else []

    def preemptible_servers_on(self, hostname):
        return list(self.preemptible.get(hostname, []))

    def delete_servers(self, ids):
        self.log.append(('deleted', list(ids)))
        self.deleted.extend(ids)
        for servers in self.preemptible.values():
            for server_id in ids:
                if server_id in servers:
                    servers.remove(server_id)


class TestPreemption(base.TestCase):

    def setUp(self):
        super().setUp()
        self.nova = FakeNova({'compute1': ['vm-a', 'vm-b'],
                              'compute2': ['vm-c']})
        self.set_plugins({'physical:host': host_plugin.HostPlugin(
            self.nova)})
        with db.writer() as session:
            for i in (1, 2):
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=4, memory_mb=4096,
                    local_gb=10, reservable=True, generation=0))
        self.manager = lease_manager.LeaseManager()
        self.addCleanup(self.manager.shutdown)

    def lease(self, minutes_ahead):
        start = base.minute(base.utcnow()) + datetime.timedelta(
            minutes=minutes_ahead)
        return self.manager._create(base.ctx(), {
            'name': 'p', 'start_date': start,
            'end_date': start + datetime.timedelta(hours=1),
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1}]})

    def test_only_hosts_of_reservations_within_the_grace(self):
        self.flags(group='manager', preemption_grace=600)
        self.lease(minutes_ahead=5)      # compute1, inside the grace
        self.lease(minutes_ahead=60)     # compute2, not yet
        reclaim.preempt_upcoming()
        self.assertEqual(['vm-a', 'vm-b'], self.nova.deleted)
        # Nothing left to do on a second pass.
        reclaim.preempt_upcoming()
        self.assertEqual(['vm-a', 'vm-b'], self.nova.deleted)
        later = base.utcnow() + datetime.timedelta(minutes=55)
        reclaim.preempt_upcoming(now=later)
        self.assertEqual(['vm-a', 'vm-b', 'vm-c'], self.nova.deleted)

    def test_owners_are_told_before_their_servers_go(self):
        def notify(ctx, event_type, payload, **kwargs):
            if event_type == 'reservation.preempted':
                self.nova.log.append((event_type, list(payload['servers'])))

        self.patch(notifier, 'notify', notify)
        self.flags(group='manager', preemption_grace=600)
        self.lease(minutes_ahead=5)
        reclaim.preempt_upcoming()
        self.assertEqual([('reservation.preempted', ['vm-a', 'vm-b']),
                          ('deleted', ['vm-a', 'vm-b'])], self.nova.log)
