"""physical:host — whole hosts for the lease window, handed over through a
Nova aggregate named after the reservation."""

import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.common import properties
from promise.db import api as db
from promise.db import models
from promise.db import quota as quota_db
from promise import exceptions
from promise.plugins import base as plugin_base
from promise.plugins.hosts import aggregates
from promise.plugins.hosts import allocation
from promise.plugins.hosts import capacity
from promise.plugins.hosts import healing
from promise.plugins.hosts import schemas
from promise.plugins import preemption
from promise import status

BEFORE_END_ACTIONS = ('', 'default', 'snapshot')


class HostPlugin(plugin_base.ResourcePlugin):
    resource_type = 'physical:host'
    has_capacity = True
    quota_resources = (quota_db.HOSTS,)
    request_schema = schemas.CREATE
    update_properties = schemas.UPDATE

    def __init__(self, nova=None):
        self._nova = nova

    @property
    def nova(self):
        return self._nova or nova_client.client()

    # -- database side (inside the lease transaction) -------------------------

    def reserve(self, session, lease, reservation, values):
        count_min, count_max = _counts(values)
        hyper, resource = _queries(values)
        before_end = values.get('before_end') or ''
        if before_end not in BEFORE_END_ACTIONS:
            raise exceptions.InvalidInput(
                reason='before_end must be "", "default" or "snapshot".')
        reservation.host = models.HostReservation(
            count_min=count_min, count_max=count_max,
            hypervisor_properties=properties.as_text(
                values.get('hypervisor_properties')),
            resource_properties=properties.as_text(
                values.get('resource_properties')),
            before_end=before_end)
        chosen = allocation.choose(session, lease.start_date,
                                   lease.end_date, count_min, count_max,
                                   hyper, resource)
        self._allocate(reservation, lease, [h.id for h in chosen])

    def update(self, session, lease, reservation, values):
        detail = reservation.host
        held = [a.host_id for a in reservation.host_allocations]
        started = lease.status == status.ACTIVE
        count_min = int(values.get('min', detail.count_min))
        count_max = int(values.get('max', detail.count_max))
        if count_max < count_min or count_min < 1:
            raise exceptions.InvalidInput(
                reason='max must be at least min, and min at least 1.')
        for key in ('hypervisor_properties', 'resource_properties'):
            if key in values:
                if started:
                    raise exceptions.InvalidInput(
                        reason='%s cannot change once the lease has '
                               'started.' % key)
                properties.parse(values[key], key)
                setattr(detail, key, properties.as_text(values[key]))
        if 'before_end' in values:
            if values['before_end'] not in BEFORE_END_ACTIONS:
                raise exceptions.InvalidInput(
                    reason='before_end must be "", "default" or '
                           '"snapshot".')
            detail.before_end = values['before_end']
        window_same = all(a.start_date == lease.start_date and
                          a.end_date == lease.end_date
                          for a in reservation.host_allocations)
        if (window_same and (count_min, count_max) ==
                (detail.count_min, detail.count_max) and
                'hypervisor_properties' not in values and
                'resource_properties' not in values):
            return
        counts_changed = ((count_min, count_max) !=
                          (detail.count_min, detail.count_max))
        if started and counts_changed:
            raise exceptions.InvalidInput(
                reason='The host count of an active reservation cannot '
                       'change.')
        hyper = properties.parse(detail.hypervisor_properties,
                                 'hypervisor_properties')
        resource = properties.parse(detail.resource_properties,
                                    'resource_properties')
        if started:
            # Running servers never move: the same hosts, or nothing.
            chosen = allocation.choose(
                session, lease.start_date, lease.end_date, len(held),
                len(held), exclude_reservation=reservation.id,
                only=set(held))
        else:
            chosen = allocation.choose(
                session, lease.start_date, lease.end_date, count_min,
                count_max, hyper, resource,
                exclude_reservation=reservation.id, prefer=held)
        detail.count_min, detail.count_max = count_min, count_max
        reservation.host_allocations.clear()
        session.flush()
        self._allocate(reservation, lease, [h.id for h in chosen])

    def max_reservable(self, session, start, end, values):
        return allocation.count_free(session, start, end, *_queries(values))

    def fits_at(self, session, start, until, duration, values):
        count_min, _ = _counts(values)
        free = allocation.free_at(session, start, until, duration,
                                  *_queries(values))
        if free.total < count_min:
            return False
        return lambda moment: free(moment) >= count_min

    def release_times(self, session, start, until):
        return allocation.release_times(session, start, until)

    @classmethod
    def rehome(cls, session, host_id, lo, hi):
        return healing.rehome(session, host_id, lo, hi)

    @classmethod
    def heal(cls, session, now):
        return healing.heal(session, now)

    @classmethod
    def capacity_timeline(cls, session, start, end, hypervisor_query=None,
                          resource_query=None, shape=None):
        return capacity.timeline_of(session, start, end, hypervisor_query,
                                    resource_query, shape)

    @staticmethod
    def _allocate(reservation, lease, host_ids):
        for host_id in host_ids:
            reservation.host_allocations.append(models.HostAllocation(
                host_id=host_id, start_date=lease.start_date,
                end_date=lease.end_date))

    # -- Nova side (idempotent; may run again after a crash) -----------------

    def prepare(self, ctx, lease, reservation):
        agg = aggregates.for_reservation(self.nova, reservation.id,
                                         lease.project_id)
        if reservation.host.aggregate_id != agg.id:
            with db.writer(ctx) as session:
                session.execute(
                    sa.update(models.HostReservation)
                    .where(models.HostReservation.reservation_id ==
                           reservation.id)
                    .values(aggregate_id=agg.id))
                session.execute(
                    sa.update(models.Reservation)
                    .where(models.Reservation.id == reservation.id)
                    .values(resource_id=str(agg.id)))
            reservation.host.aggregate_id = agg.id
            reservation.resource_id = str(agg.id)
        return agg

    def preempt(self, ctx, lease, reservation, notify):
        """Delete preemptible servers borrowing the reserved hosts, after
        telling their owners."""
        preemption.reclaim(self.nova, self._hosts(ctx, reservation), lease,
                           reservation, notify)

    def on_start(self, ctx, lease, reservation):
        agg = self.prepare(ctx, lease, reservation)
        aggregates.hand_over(self.nova, agg.id,
                             self._service_names(ctx, reservation))

    def before_end(self, ctx, lease, reservation):
        if reservation.host.before_end != 'snapshot':
            return
        for host in self._hosts(ctx, reservation):
            for server_id, server_name in self.nova.servers_on(
                    host.hypervisor_hostname):
                self.nova.snapshot_server(
                    server_id, '%s-before-end' % (server_name or server_id))

    def on_end(self, ctx, lease, reservation):
        hosts = self._hosts(ctx, reservation)
        names = [h.service_name for h in hosts]
        servers = []
        for host in hosts:
            servers.extend(s for s, _ in self.nova.servers_on(
                host.hypervisor_hostname))
        self.nova.delete_servers(servers)
        agg = self.nova.find_aggregate(reservation.id)
        if agg is not None:
            aggregates.take_back(self.nova, agg.id, names)
        else:
            # The aggregate never existed or is gone: still make sure the
            # hosts are back in the free pool.
            pool = aggregates.freepool(self.nova)
            for name in names:
                self.nova.add_host(pool.id, name)

    def discard(self, ctx, lease, reservation):
        # A lease deleted before it started: its aggregate holds no host
        # yet, but take back any that a half-done start put there.
        agg = self.nova.find_aggregate(reservation.id)
        if agg is not None:
            aggregates.take_back(self.nova, agg.id, list(agg.hosts))

    def swap_host(self, ctx, lease, reservation, old_host, new_host):
        """A running reservation moved from ``old_host`` (leaving the pool)
        to ``new_host``: follow in Nova."""
        agg = self.prepare(ctx, lease, reservation)
        aggregates.hand_over(self.nova, agg.id, [new_host.service_name])
        pool = aggregates.freepool(self.nova)
        self.nova.add_host(pool.id, old_host.service_name)
        self.nova.remove_host(agg.id, old_host.service_name)

    def _hosts(self, ctx, reservation):
        ids = [a.host_id for a in reservation.host_allocations]
        if not ids:
            return []
        with db.reader(ctx) as session:
            return list(session.scalars(
                sa.select(models.Host).where(models.Host.id.in_(ids))))

    def _service_names(self, ctx, reservation):
        return [h.service_name for h in self._hosts(ctx, reservation)]


def _queries(values):
    """(hypervisor_properties, resource_properties) of a request, parsed."""
    return tuple(properties.parse(values.get(field), field) for field in
                 ('hypervisor_properties', 'resource_properties'))


def _counts(values):
    try:
        count_min = int(values.get('min') or 1)
        count_max = int(values.get('max') or count_min)
    except (TypeError, ValueError):
        raise exceptions.InvalidInput(reason='min and max must be whole '
                                             'numbers.')
    if count_min < 1 or count_max < count_min:
        raise exceptions.InvalidInput(
            reason='physical:host needs 1 <= min <= max (got min=%s, '
                   'max=%s).' % (count_min, count_max))
    return count_min, count_max
