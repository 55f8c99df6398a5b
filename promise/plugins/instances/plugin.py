"""virtual:instance and flavor:instance — ``amount`` instance slots of a
shape, booked on hosts for the lease window and handed to the project as
a private Nova flavor.

What exists in Nova and Placement for a reservation ``R``:
- a private flavor with id ``R`` (name ``reservation:R``) whose extra specs
  ask for one unit of ``CUSTOM_RESERVATION_<R>`` and none of the standard
  resource classes, plus the key the Nova scheduler filter
  (promise_nova.filter) recognises;
- a server group ``reservation:R`` when ``affinity`` is true or false;
- an aggregate named ``R`` holding the reserved hosts, whose metadata
  names the reservation and the owning project (read by the filter);
- the resource class ``CUSTOM_RESERVATION_<R>``, and while the lease is
  active, one child resource provider per reserved host carrying an
  inventory of that class equal to the slots on the host.
So the (amount+1)th boot finds no allocation candidate, a boot lands only
on the reservation's hosts, and ordinary flavors never consume the slots.

The plugins are made of the database side (allocation.SlotAllocation,
inside the lease transaction) and the Nova/Placement side
(nova_side.NovaSide, idempotent); this module adds what each type
declares and how a flavor:instance request gets its shape.
"""

from oslo_serialization import jsonutils

from promise.clients import nova as nova_client
from promise.clients import placement as placement_client
from promise.db import quota as quota_db
from promise import exceptions
from promise.plugins import base as plugin_base
from promise.plugins.instances import allocation
from promise.plugins.instances import capacity
from promise.plugins.instances import fields
from promise.plugins.instances import healing
from promise.plugins.instances import nova_objects
from promise.plugins.instances import nova_side
from promise.plugins.instances import schemas
from promise import status


class InstancePlugin(allocation.SlotAllocation, nova_side.NovaSide,
                     plugin_base.ResourcePlugin):
    resource_type = 'virtual:instance'
    instance_slots = True
    has_capacity = True
    quota_resources = (quota_db.VCPUS, quota_db.MEMORY_MB, quota_db.DISK_GB)
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

    def resolve(self, ctx, values):
        """Look up in Nova what reserve() needs (nothing for
        virtual:instance). Called by the lease manager before it opens the
        database transaction, for new reservations and for changes."""
        return values

    @classmethod
    def capacity_timeline(cls, session, start, end, hypervisor_query=None,
                          resource_query=None, shape=None):
        return capacity.timeline_of(session, start, end, hypervisor_query,
                                    resource_query, shape)

    @classmethod
    def rehome(cls, session, host_id, lo, hi):
        return healing.rehome(session, cls.resource_type, host_id, lo, hi)

    @classmethod
    def heal(cls, session, now):
        return healing.heal(session, cls.resource_type, now)


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
        return dict(values, **{fields.RESOLVED: self.lookup(
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
        # Slots hold what a server of the flavor takes, swap included.
        return {'id': flavor_id,
                'project_id': project_id,
                'vcpus': int(flavor.vcpus),
                'memory_mb': int(flavor.ram),
                'disk_gb': nova_objects.flavor_disk_gb(flavor,
                                                       include_swap=True),
                'extra_specs': dict(flavor.extra_specs)}

    @staticmethod
    def _resolved(values):
        """The source flavor resolve() looked up before the transaction
        (the lease manager resolves every create, offer and update)."""
        source = values.get(fields.RESOLVED)
        if source is None or source['id'] != values['flavor_id']:
            raise RuntimeError('flavor:instance: flavor %s was not resolved '
                               'before the transaction'
                               % values.get('flavor_id'))
        return source

    def reserve(self, session, lease, reservation, values):
        if not values.get('flavor_id'):
            raise exceptions.MissingParameter(param='flavor_id')
        super().reserve(session, lease, reservation,
                        self._with_shape(values))

    def _with_shape(self, values):
        source = self._resolved(values)
        values = dict(values, vcpus=source['vcpus'],
                      memory_mb=source['memory_mb'],
                      disk_gb=source['disk_gb'])
        values[fields.RESOLVED] = source
        return values

    def max_reservable(self, session, start, end, values):
        if not values.get('flavor_id'):
            return 0
        try:
            values = self._with_shape(values)
        except exceptions.Invalid:
            return 0
        return super().max_reservable(session, start, end, values)

    def _source_fields(self, lease, values):
        source = values[fields.RESOLVED]
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
            source = self._resolved(dict(values, flavor_id=flavor_id))
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
