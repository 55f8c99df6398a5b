"""The Nova and Placement side of instance reservations: the flavor,
server group, aggregate and resource class of a reservation, and its
slots as Placement inventory while it is active.

Invariant: every step is idempotent (an event that runs again after a
crash finishes the job) and runs outside any database transaction; one
step per reservation at a time in this process (``serialized``).
"""

import collections
import functools
import threading

from oslo_log import log as logging
import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.clients import placement as placement_client
from promise.db import api as db
from promise.db import models
from promise import exceptions
from promise.plugins.instances import fields
from promise.plugins.instances import nova_objects
from promise.plugins import preemption
from promise import status

LOG = logging.getLogger(__name__)

_LOCKS_GUARD = threading.Lock()
_LOCKS = collections.defaultdict(threading.RLock)


def serialized(method):
    """One Nova/Placement step per reservation at a time in this process:
    the background preparation of a new reservation and its start (a lease
    that starts now) would otherwise race on the same objects. Across
    managers, each step stays idempotent and retried."""
    @functools.wraps(method)
    def wrapper(self, ctx, lease, reservation, *args, **kwargs):
        with _LOCKS_GUARD:
            lock = _LOCKS[reservation.id]
        with lock:
            return method(self, ctx, lease, reservation, *args, **kwargs)
    return wrapper


class NovaSide:
    """prepare, on_start, after_update, on_end, discard of the instance
    plugins (mixed into them; ``nova`` and ``placement`` are theirs)."""

    def _hosts(self, ctx, reservation):
        """[(Host, slots)] of the reservation, as stored now."""
        with db.reader(ctx) as session:
            rows = session.execute(
                sa.select(models.Host, models.InstanceAllocation.slots)
                .join(models.InstanceAllocation,
                      models.InstanceAllocation.host_id == models.Host.id)
                .where(models.InstanceAllocation.reservation_id ==
                       reservation.id)
                .order_by(models.Host.id))
            result = {}
            for host, count in rows:
                if host.id in result:
                    result[host.id] = (host, result[host.id][1] + count)
                else:
                    result[host.id] = (host, count)
            return list(result.values())

    def _detail(self, ctx, reservation):
        with db.reader(ctx) as session:
            detail = session.get(models.InstanceReservation, reservation.id)
            if detail is None:
                raise exceptions.NotFound(object='Instance reservation',
                                          id=reservation.id)
            return detail

    def _source_extra_specs(self, detail):
        return {}

    @serialized
    def prepare(self, ctx, lease, reservation):
        """Flavor, server group, aggregate and resource class."""
        detail = self._detail(ctx, reservation)
        started = lease.status in (status.ACTIVE, status.STARTING)
        flavor = self.nova.get_flavor(reservation.id)
        if flavor is not None and not started and (
                flavor.vcpus, flavor.ram, flavor.disk) != (
                detail.vcpus, detail.memory_mb, detail.disk_gb):
            # The shape changed before the start: nothing can run on the
            # flavor yet, so it is made again.
            self.nova.delete_flavor(reservation.id)
        self.nova.ensure_flavor(
            reservation.id, nova_objects.flavor_name(reservation.id),
            ram=detail.memory_mb, vcpus=detail.vcpus, disk=detail.disk_gb,
            extra_specs=nova_objects.flavor_extra_specs(
                reservation.id, self._source_extra_specs(detail)))

        group_id = None
        if detail.affinity is not None:
            policy = nova_objects.AFFINITY_POLICY[detail.affinity]
            name = nova_objects.server_group_name(reservation.id)
            group = self._find_group(detail.server_group_id, name)
            if group is not None and _group_policy(group) != policy and (
                    not started):
                self.nova.delete_server_group(group.id)
                group = None
            if group is None:
                group = self._owner_nova(ctx, lease).create_server_group(
                    name, policy)
            group_id = group.id
        elif detail.server_group_id and not started:
            self.nova.delete_server_group(detail.server_group_id)

        agg = self.nova.ensure_aggregate(
            reservation.id,
            nova_objects.aggregate_metadata(reservation.id,
                                            lease.project_id))
        wanted = {h.service_name for h, _ in self._hosts(ctx, reservation)}
        for name in sorted(wanted):
            self.nova.add_host(agg.id, name)
        if not started:
            for name in set(agg.hosts or []) - wanted:
                self.nova.remove_host(agg.id, name)

        self.placement.ensure_resource_class(
            placement_client.resource_class(reservation.id))

        if (detail.aggregate_id, detail.server_group_id) != (agg.id,
                                                             group_id):
            with db.writer(ctx) as session:
                session.execute(
                    sa.update(models.InstanceReservation)
                    .where(models.InstanceReservation.reservation_id ==
                           reservation.id)
                    .values(aggregate_id=agg.id, server_group_id=group_id))
            if reservation.instance is not None:
                reservation.instance.aggregate_id = agg.id
                reservation.instance.server_group_id = group_id
        return agg

    def before_create(self, ctx, reservation_id, values):
        """The server group of a reservation with an affinity, made as the
        lease's project before the decision, so that the create answer
        names it and clients can boot with ``--hint group=`` at once (as
        with Blazar). Everything else Nova needs is made after the
        answer. Undo deletes the group."""
        affinity = fields.parse_affinity(values.get('affinity'))
        if affinity is None:
            return values, None
        nova = self._project_nova(ctx, ctx.project_id)
        group = nova.create_server_group(
            nova_objects.server_group_name(reservation_id),
            nova_objects.AFFINITY_POLICY[affinity])

        def undo():
            try:
                nova.delete_server_group(group.id)
            except Exception:
                LOG.exception('Server group %s of a lease that was not '
                              'created could not be deleted', group.id)
        return dict(values, **{fields.SERVER_GROUP: group.id}), undo

    def _find_group(self, known_id, name):
        if known_id:
            group = self.nova.get_server_group(known_id)
            if group is not None:
                return group
        found = self.nova.find_server_groups(name)
        return found[0] if found else None

    def _owner_nova(self, ctx, lease):
        """Nova as the lease's project, to make its server group.

        Nova scopes server groups to the project that creates them: a
        group made with Promise's own credentials cannot be named in the
        users' boot hints ("Instance group ... could not be found"). The
        creating request's token is at hand in the preparation that
        follows a create; later (a start with no preparation done), only
        Promise's credentials are, and the group then works for admins
        only, which is logged.
        """
        return self._project_nova(ctx, lease.project_id, lease.id)

    def _project_nova(self, ctx, project_id, lease_id=None):
        token = getattr(ctx, 'auth_token', None)
        if token and ctx.project_id == project_id:
            if self._nova is not None:
                return self._nova  # tests
            return nova_client.for_user(token)
        LOG.warning('Reservation of lease %s: no token of project %s at '
                    'hand, so its server group is made by Promise and only '
                    'admins can boot into it', lease_id or '(new)',
                    project_id)
        return self.nova

    @serialized
    def on_start(self, ctx, lease, reservation):
        """Slots into Placement, then the project may use the flavor."""
        self.prepare(ctx, lease, reservation)
        rc = placement_client.resource_class(reservation.id)
        for host, count in self._hosts(ctx, reservation):
            parent = self._provider(ctx, host)
            child = placement_client.child_uuid(parent)
            self.placement.ensure_child_provider(
                child, nova_objects.child_provider_name(
                    host.hypervisor_hostname), parent)
            self.placement.set_inventory(child, rc, count)
        self.nova.add_flavor_access(reservation.id, lease.project_id)

    def preempt(self, ctx, lease, reservation, notify):
        """Delete preemptible servers borrowing the hosts the slots are
        on, after telling their owners: whole hosts, as for host
        reservations, not only the part the slots need."""
        preemption.reclaim(self.nova,
                           [h for h, _ in self._hosts(ctx, reservation)],
                           lease, reservation, notify)

    def swap_host(self, ctx, lease, reservation, old_host, new_host):
        """Slots of a running reservation moved off ``old_host`` (it left
        the pool): the new hosts get them in its aggregate and in
        Placement, and ``old_host`` loses them unless slots remain there."""
        self.on_start(ctx, lease, reservation)
        if old_host.id in {h.id for h, _ in self._hosts(ctx, reservation)}:
            return
        agg = self.nova.find_aggregate(reservation.id)
        if agg is not None and old_host.service_name in (agg.hosts or []):
            self.nova.remove_host(agg.id, old_host.service_name)
        child = placement_client.child_uuid(self._provider(ctx, old_host))
        if self.placement.get_provider(child) is not None:
            self.placement.delete_inventory(
                child, placement_client.resource_class(reservation.id))

    def after_update(self, ctx, lease, reservation):
        """Bring Nova and Placement in line after a lease update."""
        if lease.status == status.ACTIVE:
            self.on_start(ctx, lease, reservation)
        elif lease.status == status.PENDING:
            self.prepare(ctx, lease, reservation)

    @serialized
    def on_end(self, ctx, lease, reservation):
        """Servers deleted, then every object removed; tolerates a start
        (or a prepare) that never ran."""
        self._remove(lease, reservation, self._group_id(ctx, reservation),
                     self._hosts(ctx, reservation))

    def _group_id(self, ctx, reservation):
        with db.reader(ctx) as session:
            detail = session.get(models.InstanceReservation, reservation.id)
            return detail.server_group_id if detail else None

    def _remove(self, lease, reservation, group_id, hosts):
        flavor_id = reservation.id
        self.nova.delete_servers(self.nova.servers_with_flavor(flavor_id))
        self.nova.remove_flavor_access(flavor_id, lease.project_id)
        self.nova.delete_flavor(flavor_id)
        if group_id:
            self.nova.delete_server_group(group_id)
        for group in self.nova.find_server_groups(
                nova_objects.server_group_name(reservation.id)):
            self.nova.delete_server_group(group.id)

        agg = self.nova.find_aggregate(reservation.id)
        if agg is not None:
            self.nova.delete_aggregate(agg.id)

        rc = placement_client.resource_class(reservation.id)
        for host, _ in hosts:
            parent = host.provider_uuid
            if not parent:
                found = self.placement.find_provider(
                    host.hypervisor_hostname)
                parent = found and found['uuid']
            if not parent:
                continue
            child = placement_client.child_uuid(parent)
            if self.placement.get_provider(child) is None:
                continue
            # The provider stays (see child_uuid); only this class goes.
            self.placement.delete_inventory(child, rc)
        self.placement.delete_resource_class(rc)

    def discard(self, ctx, lease, reservation):
        """A lease deleted before it started: remove what prepare() made.
        Safe because only servers of the reservation flavor are deleted,
        and the project cannot boot them before the start."""
        self.on_end(ctx, lease, reservation)

    def discard_later(self, ctx, lease, reservation):
        return functools.partial(self._remove, lease, reservation,
                                 self._group_id(ctx, reservation),
                                 self._hosts(ctx, reservation))

    def _provider(self, ctx, host):
        if host.provider_uuid:
            return host.provider_uuid
        found = self.placement.find_provider(host.hypervisor_hostname)
        if found is None:
            raise placement_client.PlacementError(
                reason='no resource provider is named %s'
                % host.hypervisor_hostname)
        with db.writer(ctx) as session:
            session.execute(sa.update(models.Host)
                            .where(models.Host.id == host.id)
                            .values(provider_uuid=found['uuid']))
        return found['uuid']


def _group_policy(group):
    policy = getattr(group, 'policy', None)
    if policy:
        return policy
    policies = getattr(group, 'policies', None) or []
    return policies[0] if policies else None
