"""physical:host inventory: registering Nova hosts with Promise, changing
their capabilities and removing them.

Invariant: Nova is read (and the free pool changed) outside any database
transaction; each transaction only locks and writes host rows, and bumps
the host's generation when a registered host goes, so that a decision in
flight on it is retried without it.
"""

from oslo_serialization import jsonutils
from oslo_utils import excutils

from promise.clients import nova as nova_client
from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import models
from promise import exceptions
from promise.plugins.hosts import aggregates


class HostInventory:

    def __init__(self, nova=None):
        self._nova = nova

    @property
    def nova(self):
        return self._nova or nova_client.client()

    def create(self, ctx, name, capabilities):
        """Register the empty Nova host ``name``; returns its id."""
        hyp = self.nova.find_hypervisor(name)
        with db.reader(ctx) as session:
            if host_db.exists(session, hyp.id, hyp.hypervisor_hostname):
                raise exceptions.Conflict(
                    reason='Host %s is already registered.'
                    % hyp.hypervisor_hostname)
        servers = self.nova.servers_on(hyp.hypervisor_hostname)
        if servers:
            raise exceptions.Conflict(
                reason='Host %s runs %d server(s); only an empty host can '
                       'be registered.' % (hyp.hypervisor_hostname,
                                           len(servers)))
        service = hyp.service['host']
        # Into the free pool first: a registered host is never left where
        # ordinary instances can land.
        pool = aggregates.freepool(self.nova)
        self.nova.add_host(pool.id, service)
        zone = self._zone(service)
        try:
            with db.writer(ctx) as session:
                host = models.Host(
                    id=int(hyp.id),
                    hypervisor_hostname=hyp.hypervisor_hostname,
                    hypervisor_type=getattr(hyp, 'hypervisor_type', None),
                    hypervisor_version=getattr(hyp, 'hypervisor_version',
                                               None),
                    service_name=service,
                    vcpus=int(getattr(hyp, 'vcpus', 0) or 0),
                    cpu_info=_text(getattr(hyp, 'cpu_info', None)),
                    memory_mb=int(getattr(hyp, 'memory_mb', 0) or 0),
                    local_gb=int(getattr(hyp, 'local_gb', 0) or 0),
                    availability_zone=zone,
                    reservable=True, generation=0)
                session.add(host)
                host_db.set_capabilities(session, host, capabilities)
        except Exception as exc:
            if isinstance(exc, exceptions.PromiseException):
                raise
            # Most likely a concurrent registration of the same host.
            with db.reader(ctx) as session:
                if host_db.exists(session, hyp.id, hyp.hypervisor_hostname):
                    raise exceptions.Conflict(
                        reason='Host %s is already registered.'
                        % hyp.hypervisor_hostname)
            raise
        return host.id

    def _zone(self, service):
        for agg in self.nova.nova.aggregates.list():
            zone = (agg.metadata or {}).get('availability_zone')
            if zone and service in agg.hosts:
                return zone
        return None

    def update(self, ctx, host_id, capabilities):
        with db.writer(ctx) as session:
            host = host_db.get(session, host_id, for_update=True)
            host_db.set_capabilities(session, host, capabilities)
            return host.id

    def delete(self, ctx, host_id):
        with db.reader(ctx) as session:
            host = host_db.get(session, host_id)
            self._check_unallocated(session, host)
            hostname = host.hypervisor_hostname
            service_name = host.service_name
        servers = self.nova.servers_on(hostname)
        if servers:
            raise exceptions.Conflict(
                reason='Host %s runs %d server(s).' % (hostname,
                                                       len(servers)))
        # Out of the free pool before the row goes, so that a Nova failure
        # leaves both as they were; a refusal below puts the host back.
        pool = aggregates.freepool(self.nova)
        self.nova.remove_host(pool.id, service_name)
        try:
            self._forget(ctx, host_id)
        except Exception:
            with excutils.save_and_reraise_exception():
                self.nova.add_host(pool.id, service_name)

    def _forget(self, ctx, host_id):
        with db.writer(ctx) as session:
            host = host_db.get(session, host_id, for_update=True)
            # Again under the row lock: a reservation may have taken it
            # while Nova was asked.
            self._check_unallocated(session, host)
            # Any reservation deciding on this host now fails its
            # generation check and is retried without it.
            host_db.claim(session, [host])
            for alloc in (models.HostAllocation, models.InstanceAllocation):
                # Past allocations only (current ones refused above).
                session.execute(alloc.__table__.delete().where(
                    alloc.host_id == host.id))
            session.delete(host)

    @staticmethod
    def _check_unallocated(session, host):
        if host_db.has_current_allocations(session, host.id):
            raise exceptions.Conflict(
                reason='Host %s is allocated to current or future '
                       'reservations.' % host.hypervisor_hostname)


def _text(value):
    if value is None or isinstance(value, str):
        return value
    return jsonutils.dumps(value)
