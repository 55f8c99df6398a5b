"""The database side of instance reservations: which slots of which
hosts a reservation holds, decided inside the lease's transaction.

Invariant: every placement goes through slots.choose, which claims the
hosts it uses with the host generation check, so two concurrent
decisions never both commit slots on one host; nothing here calls
another service.
"""

from promise.common import properties
from promise.common import shapes
from promise.db import models
from promise import exceptions
from promise.plugins.instances import fields
from promise.plugins.instances import slots
from promise import status


class SlotAllocation:
    """Reserve, update and offers for ``amount`` slots of a shape (mixed
    into the instance plugins)."""

    def _shape(self, values, current=None):
        def get(key, minimum, default=None):
            if key in values or current is None:
                return fields.number(values, key, minimum, default)
            return getattr(current, key)
        return shapes.Shape(get('vcpus', 1), get('memory_mb', 1),
                            get('disk_gb', 0, default=0))

    def reserve(self, session, lease, reservation, values):
        amount, shape, affinity, query = self._request(values)
        query_text = properties.as_text(values.get('resource_properties'))
        reservation.resource_id = reservation.id
        reservation.instance = models.InstanceReservation(
            amount=amount, vcpus=shape.vcpus, memory_mb=shape.memory_mb,
            disk_gb=shape.disk_gb, affinity=affinity,
            resource_properties=query_text, flavor_id=reservation.id,
            server_group_id=values.get(fields.SERVER_GROUP),
            **self._source_fields(lease, values))
        placement = slots.choose(session, lease.start_date, lease.end_date,
                                 amount, shape, affinity, query)
        self._allocate(reservation, lease, placement, shape)

    def _source_fields(self, lease, values):
        return {}

    # -- offers (read-only, inside a transaction) ---------------------------

    def _request(self, values):
        """(amount, shape, affinity, query) of a create body."""
        query = properties.as_text(values.get('resource_properties'))
        return (fields.number(values, 'amount', 1), self._shape(values),
                fields.parse_affinity(values.get('affinity')),
                properties.parse(query, 'resource_properties'))

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
        unknown = set(values) - set(self.UPDATABLE) - {fields.RESOLVED,
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
        values.pop(fields.RESOLVED, None)
        started = lease.status == status.ACTIVE
        amount = (fields.number(values, 'amount', 1) if 'amount' in values
                  else detail.amount)
        shape = self._shape(values, detail)
        affinity = (fields.parse_affinity(values['affinity'])
                    if 'affinity' in values else detail.affinity)
        query_text = (properties.as_text(values['resource_properties'])
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
