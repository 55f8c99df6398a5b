"""Instance reservations (virtual:instance, flavor:instance): slots of a
shape on hosts, and the capacity of each host that the slots come from."""

import sqlalchemy as sa

from promise.db.models.base import Base
from promise.db.models.base import DateTime
from promise.db.models.hosts import Host

# Capacity of a host for instance slots, from its Placement inventory as
# (total - reserved) * allocation_ratio, and what ordinary (non-reservation)
# consumers used when it was read. NULL: never read, the host gives no
# slots. Declared here so that the hosts module stays about hosts; the
# columns belong to the ``hosts`` table (migration 0003).
Host.capacity_vcpus = sa.Column(sa.Integer)
Host.capacity_memory_mb = sa.Column(sa.Integer)
Host.capacity_disk_gb = sa.Column(sa.Integer)
Host.used_vcpus = sa.Column(sa.Integer)
Host.used_memory_mb = sa.Column(sa.Integer)
Host.used_disk_gb = sa.Column(sa.Integer)
Host.capacity_updated_at = sa.Column(DateTime)


class InstanceReservation(Base):
    """The instance fields of a reservation: ``amount`` slots of one shape."""
    __tablename__ = 'instance_reservations'

    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        primary_key=True)
    amount = sa.Column(sa.Integer, nullable=False)
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    disk_gb = sa.Column(sa.Integer, nullable=False)
    # True: every slot on one host; False: each on its own host; NULL: any.
    affinity = sa.Column(sa.Boolean)
    resource_properties = sa.Column(sa.Text)
    # The reservation flavor (its id is the reservation id).
    flavor_id = sa.Column(sa.String(255))
    # flavor:instance: the flavor the user named, and its extra specs
    # (JSON) as read when the reservation was made; the reservation flavor
    # carries them too.
    source_flavor_id = sa.Column(sa.String(255))
    source_extra_specs = sa.Column(sa.Text)
    aggregate_id = sa.Column(sa.Integer)
    server_group_id = sa.Column(sa.String(36))

    def fields(self):
        return {'amount': self.amount, 'vcpus': self.vcpus,
                'memory_mb': self.memory_mb, 'disk_gb': self.disk_gb,
                'affinity': self.affinity,
                'flavor_id': self.flavor_id,
                'aggregate_id': self.aggregate_id,
                'server_group_id': self.server_group_id,
                'resource_properties': self.resource_properties or ''}


class InstanceAllocation(Base):
    """``slots`` slots of a reservation on one host over the lease window.

    The window and the per-slot shape are copied from the lease and the
    reservation so that the slot engine reads everything it needs about
    the candidate hosts in one query, without joins.
    """
    __tablename__ = 'instance_allocations'
    __table_args__ = (
        sa.Index('instance_allocations_host_window_idx',
                 'host_id', 'start_date', 'end_date'),
        sa.Index('instance_allocations_reservation_idx', 'reservation_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        nullable=False)
    host_id = sa.Column(sa.Integer, sa.ForeignKey('hosts.id'),
                        nullable=False)
    slots = sa.Column(sa.Integer, nullable=False)
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    disk_gb = sa.Column(sa.Integer, nullable=False)
    start_date = sa.Column(DateTime, nullable=False)
    end_date = sa.Column(DateTime, nullable=False)
