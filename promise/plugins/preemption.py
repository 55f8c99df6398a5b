"""Preemptible lending: servers of flavors marked ``promise:preemptible``
borrow unreserved capacity and are taken back when a reservation needs
the hosts they run on (ResourcePlugin.preempt)."""

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def reclaim(nova, hosts, lease, reservation, notify):
    """Delete the preemptible servers on ``hosts`` (Host rows), each
    host's after ``notify('reservation.preempted', ...)``, so that the
    owners are told even when a deletion fails."""
    for host in hosts:
        servers = nova.preemptible_servers_on(host.hypervisor_hostname)
        if not servers:
            continue
        LOG.info('Preempting %d server(s) on %s for reservation %s',
                 len(servers), host.hypervisor_hostname, reservation.id)
        notify('reservation.preempted', {
            'servers': servers, 'host': host.hypervisor_hostname,
            'reservation_id': reservation.id, 'lease_id': lease.id})
        nova.delete_servers(servers)
