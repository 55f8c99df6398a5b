"""virtual:instance and flavor:instance — ``amount`` instance slots of a
shape, booked on hosts for the lease window and handed to the project as
a private Nova flavor.

What exists in Nova and Placement for a reservation ``R``:
- a private flavor with id ``R`` (name ``reservation:R``) whose extra specs
  ask for one unit of ``CUSTOM_RESERVATION_<R>`` and none of the standard
  resource classes, plus the key promise.nova.filter recognises;
- a server group ``reservation:R`` when ``affinity`` is true or false;
- an aggregate named ``R`` holding the reserved hosts, whose metadata
  names the reservation and the owning project (read by the filter);
- the resource class ``CUSTOM_RESERVATION_<R>``, and while the lease is
  active, one child resource provider per reserved host carrying an
  inventory of that class equal to the slots on the host.
So the (amount+1)th boot finds no allocation candidate, a boot lands only
on the reservation's hosts, and ordinary flavors never consume the slots.
Every Nova/Placement step below is idempotent: an event that runs again
after a crash finishes the job.
"""

import collections
import functools
import threading

from oslo_log import log as logging
from oslo_serialization import jsonutils
from oslo_utils import strutils
import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.clients import placement as placement_client
from promise.common import properties
from promise.common import shapes
from promise.db import api as db
from promise.db import models
from promise import exceptions
from promise.plugins import base
from promise.plugins.instances import capacity
from promise.plugins.instances import healing
from promise.plugins.instances import nova_objects
from promise.plugins.instances import schemas
from promise.plugins.instances import slots
from promise import status

LOG = logging.getLogger(__name__)

SHAPE_FIELDS = ('vcpus', 'memory_mb', 'disk_gb')
# The key under which resolve() leaves the looked-up source flavor.
RESOLVED = '_source_flavor'


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


def parse_affinity(value):
    """true | false | null, from what the API and the CLI send."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('', 'none', 'null'):
        return None
    try:
        return strutils.bool_from_string(text, strict=True)
    except ValueError:
        raise exceptions.InvalidInput(
            reason='affinity must be true, false or None (got %r).'
            % (value,))


def _int(values, key, minimum, default=None):
    value = values.get(key)
    if value is None or value == '':
        if default is not None:
            return default
        raise exceptions.MissingParameter(param=key)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise exceptions.InvalidInput(reason='%s must be a whole number.'
                                             % key)
    if number < minimum:
        raise exceptions.InvalidInput(reason='%s must be at least %d.'
                                             % (key, minimum))
    return number


def _text(value):
    if value is None or value == '':
        return ''
    if isinstance(value, str):
        return value
    return jsonutils.dumps(value)


class InstancePlugin(base.ResourcePlugin):
    resource_type = 'virtual:instance'
    instance_slots = True
    has_capacity = True
    request_schema = schemas.VIRTUAL
    update_properties = schemas.VIRTUAL_UPDATE
    UPDATABLE = ('amount', 'vcpus', 'memory_mb', 'disk_gb', 'affinity',
                 'resource_properties')

    def __init__(self, nova=None, placement=None):
        self._nova = nova
        self._placement = placement

    @property
    def nova(self):
        return self._nova or nova_client.client()

    @property
    def placement(self):
        return self._placement or placement_client.client()

    # -- before the transaction -------------------------------------------

    def resolve(self, ctx, values):
        """Look up in Nova what reserve() needs (nothing for
        virtual:instance). Called by the lease manager before it opens the
        database transaction, for new reservations and for changes."""
        return values

    # -- database side (inside the lease transaction) ---------------------

    def _shape(self, values, current=None):
        def get(key, minimum, default=None):
            if key in values or current is None:
                return _int(values, key, minimum, default)
            return getattr(current, key)
        return shapes.Shape(get('vcpus', 1), get('memory_mb', 1),
                            get('disk_gb', 0, default=0))

    def reserve(self, session, lease, reservation, values):
        amount, shape, affinity, query = self._request(values)
        query_text = _text(values.get('resource_properties'))
        reservation.resource_id = reservation.id
        reservation.instance = models.InstanceReservation(
            amount=amount, vcpus=shape.vcpus, memory_mb=shape.memory_mb,
            disk_gb=shape.disk_gb, affinity=affinity,
            resource_properties=query_text, flavor_id=reservation.id,
            **self._source_fields(lease, values))
        placement = slots.choose(session, lease.start_date, lease.end_date,
                                 amount, shape, affinity, query)
        self._allocate(reservation, lease, placement, shape)

    def _source_fields(self, lease, values):
        return {}

    # -- offers (read-only, inside a transaction) ---------------------------

    def _request(self, values):
        """(amount, shape, affinity, query) of a create body."""
        return (_int(values, 'amount', 1), self._shape(values),
                parse_affinity(values.get('affinity')),
                properties.parse(_text(values.get('resource_properties')),
                                 'resource_properties'))

    def max_reservable(self, session, start, end, values):
        """How many instances of the shape fit the whole window (with the
        reservation's affinity)."""
        try:
            _, shape, affinity, query = self._request(
                dict(values, amount=values.get('amount') or 1))
        except exceptions.Invalid:
            return 0
        _, free = slots.free_by_host(session, start, end, shape, query)
        return slots.max_amount(free, affinity)

    def release_times(self, session, start, until):
        return slots.release_times(session, start, until)

    @classmethod
    def capacity_timeline(cls, session, start, end, hypervisor_query=None,
                          resource_query=None, shape=None):
        return capacity.timeline_of(session, start, end, hypervisor_query,
                                    resource_query, shape)

    @classmethod
    def rehome(cls, session, host_id, lo, hi):
        # Slots are not moved: the reservations are flagged.
        return healing.flag(session, cls.resource_type, host_id, lo, hi)

    @staticmethod
    def _allocate(reservation, lease, placement, shape):
        for host_id in sorted(placement):
            reservation.instance_allocations.append(
                models.InstanceAllocation(
                    host_id=host_id, slots=placement[host_id],
                    vcpus=shape.vcpus, memory_mb=shape.memory_mb,
                    disk_gb=shape.disk_gb, start_date=lease.start_date,
                    end_date=lease.end_date))

    def _check_keys(self, values):
        unknown = set(values) - set(self.UPDATABLE) - {RESOLVED,
                                                       'resource_type'}
        if unknown:
            raise exceptions.InvalidInput(
                reason='%s reservations cannot change %s.'
                % (self.resource_type, ', '.join(sorted(unknown))))

    def update(self, session, lease, reservation, values):
        self._check_keys(values)
        self._update(session, lease, reservation, values)

    def _update(self, session, lease, reservation, values):
        detail = reservation.instance
        values = dict(values)
        values.pop('resource_type', None)
        values.pop(RESOLVED, None)
        started = lease.status == status.ACTIVE
        amount = (_int(values, 'amount', 1) if 'amount' in values
                  else detail.amount)
        shape = self._shape(values, detail)
        affinity = (parse_affinity(values['affinity'])
                    if 'affinity' in values else detail.affinity)
        query_text = (_text(values['resource_properties'])
                      if 'resource_properties' in values
                      else detail.resource_properties or '')
        query = properties.parse(query_text, 'resource_properties')
        current = (amount, tuple(shape), affinity, query_text)
        before = (detail.amount, (detail.vcpus, detail.memory_mb,
                                  detail.disk_gb),
                  detail.affinity, detail.resource_properties or '')
        held = {a.host_id: a.slots for a in reservation.instance_allocations}
        if started:
            if current[1:] != before[1:]:
                raise exceptions.InvalidInput(
                    reason='Once a reservation has started, only its '
                           'amount may change (and only grow).')
            if amount < detail.amount:
                raise exceptions.InvalidInput(
                    reason='The amount of an active reservation can only '
                           'grow (it holds %d).' % detail.amount)
        window_same = all(a.start_date == lease.start_date and
                          a.end_date == lease.end_date
                          for a in reservation.instance_allocations)
        if window_same and current == before:
            return
        if started:
            # Nothing moves once started: the slots held stay where they
            # are (and must still be free over a new window); growth goes
            # where it fits.
            placement = slots.choose(
                session, lease.start_date, lease.end_date, amount, shape,
                affinity, query, exclude_reservation=reservation.id,
                held=held)
        else:
            placement = slots.choose(
                session, lease.start_date, lease.end_date, amount, shape,
                affinity, query, exclude_reservation=reservation.id,
                prefer=sorted(held))
        detail.amount = amount
        detail.vcpus, detail.memory_mb, detail.disk_gb = shape
        detail.affinity = affinity
        detail.resource_properties = query_text
        reservation.instance_allocations.clear()
        session.flush()
        self._allocate(reservation, lease, placement, shape)

    # -- Nova and Placement side (idempotent) ------------------------------

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
        token = getattr(ctx, 'auth_token', None)
        if token and ctx.project_id == lease.project_id:
            if self._nova is not None:
                return self._nova  # tests
            return nova_client.for_user(token)
        LOG.warning('Reservation of lease %s: no token of project %s at '
                    'hand, so its server group is made by Promise and only '
                    'admins can boot into it', lease.id, lease.project_id)
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
        flavor_id = reservation.id
        self.nova.delete_servers(self.nova.servers_with_flavor(flavor_id))
        self.nova.remove_flavor_access(flavor_id, lease.project_id)
        self.nova.delete_flavor(flavor_id)

        detail = None
        with db.reader(ctx) as session:
            detail = session.get(models.InstanceReservation, reservation.id)
            group_id = detail.server_group_id if detail else None
        if group_id:
            self.nova.delete_server_group(group_id)
        for group in self.nova.find_server_groups(
                nova_objects.server_group_name(reservation.id)):
            self.nova.delete_server_group(group.id)

        agg = self.nova.find_aggregate(reservation.id)
        if agg is not None:
            self.nova.delete_aggregate(agg.id)

        rc = placement_client.resource_class(reservation.id)
        for host, _ in self._hosts(ctx, reservation):
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


class FlavorInstancePlugin(InstancePlugin):
    """flavor:instance: the shape (and extra specs) of an existing flavor
    the project can use."""
    resource_type = 'flavor:instance'
    # /v1/capacity counts by shape with virtual:instance.
    has_capacity = False
    request_schema = schemas.FLAVOR
    update_properties = schemas.FLAVOR_UPDATE
    UPDATABLE = ('amount', 'affinity', 'resource_properties', 'flavor_id')

    def resolve(self, ctx, values):
        if not values.get('flavor_id'):
            if 'flavor_id' in values:
                raise exceptions.MissingParameter(param='flavor_id')
            return values
        return dict(values, **{RESOLVED: self.lookup(
            values['flavor_id'], ctx.project_id,
            getattr(ctx, 'is_admin', False))})

    def lookup(self, flavor_id, project_id, is_admin=False):
        """The flavor's shape and extra specs, if the project may use it."""
        flavor = self.nova.get_flavor(flavor_id)
        if flavor is not None and not is_admin and not getattr(
                flavor, 'is_public', True):
            if project_id not in self.nova.flavor_projects(flavor_id):
                flavor = None
        if flavor is None:
            raise exceptions.InvalidInput(
                reason='Flavor %s does not exist or is not available to '
                       'project %s.' % (flavor_id, project_id))
        if nova_objects.INSTANCE_RESERVATION in flavor.extra_specs:
            raise exceptions.InvalidInput(
                reason='Flavor %s is itself a reservation flavor.'
                % flavor_id)
        swap_gb = -(-int(flavor.swap or 0) // 1024) if flavor.swap else 0
        return {'id': flavor_id,
                'project_id': project_id,
                'vcpus': int(flavor.vcpus),
                'memory_mb': int(flavor.ram),
                'disk_gb': (int(flavor.disk) + int(
                    getattr(flavor, 'OS-FLV-EXT-DATA:ephemeral', 0) or 0) +
                    swap_gb),
                'extra_specs': dict(flavor.extra_specs)}

    def _resolved(self, project_id, values):
        source = values.get(RESOLVED)
        if source is None or source['id'] != values['flavor_id']:
            # The lease manager did not call resolve() before the
            # transaction (see the report of issue 5): look the flavor up
            # now, so that flavor:instance works, at the cost of one Nova
            # call inside the transaction.
            LOG.warning('flavor:instance: flavor %s was not resolved '
                        'before the transaction; looking it up now',
                        values.get('flavor_id'))
            source = self.lookup(values['flavor_id'], project_id)
        return source

    def reserve(self, session, lease, reservation, values):
        if not values.get('flavor_id'):
            raise exceptions.MissingParameter(param='flavor_id')
        super().reserve(session, lease, reservation,
                        self._with_shape(values, lease.project_id))

    def _with_shape(self, values, project_id):
        source = self._resolved(project_id, values)
        values = dict(values, vcpus=source['vcpus'],
                      memory_mb=source['memory_mb'],
                      disk_gb=source['disk_gb'])
        values[RESOLVED] = source
        return values

    def max_reservable(self, session, start, end, values):
        if not values.get('flavor_id'):
            return 0
        project_id = values.get(RESOLVED, {}).get('project_id')
        try:
            values = self._with_shape(values, project_id)
        except exceptions.Invalid:
            return 0
        return super().max_reservable(session, start, end, values)

    def _source_fields(self, lease, values):
        source = values[RESOLVED]
        return {'source_flavor_id': source['id'],
                'source_extra_specs': jsonutils.dumps(
                    source['extra_specs'], sort_keys=True)}

    def update(self, session, lease, reservation, values):
        self._check_keys(values)
        values = dict(values)
        detail = reservation.instance
        flavor_id = values.pop('flavor_id', None)
        if flavor_id and flavor_id not in (detail.source_flavor_id,
                                           reservation.id):
            if lease.status == status.ACTIVE:
                raise exceptions.InvalidInput(
                    reason='Once a reservation has started, only its '
                           'amount may change (and only grow).')
            source = self._resolved(lease.project_id,
                                    dict(values, flavor_id=flavor_id))
            detail.source_flavor_id = source['id']
            detail.source_extra_specs = jsonutils.dumps(
                source['extra_specs'], sort_keys=True)
            values.update(vcpus=source['vcpus'],
                          memory_mb=source['memory_mb'],
                          disk_gb=source['disk_gb'])
        # The shape follows the flavor; it is not a field of its own.
        self._update(session, lease, reservation, values)

    def _source_extra_specs(self, detail):
        if not detail.source_extra_specs:
            return {}
        return jsonutils.loads(detail.source_extra_specs)
