"""Hosts, their capabilities, and physical:host reservations."""

import sqlalchemy as sa
from sqlalchemy import orm

from promise.db.models.base import Base
from promise.db.models.base import DateTime
from promise.db.models.base import TimestampMixin


class Host(TimestampMixin, Base):
    """A Nova compute host registered with Promise."""
    __tablename__ = 'hosts'
    __table_args__ = (
        sa.UniqueConstraint('hypervisor_hostname',
                            name='uniq_hosts0hypervisor_hostname'),
    )

    # Nova's hypervisor id: python-blazarclient treats digit strings as ids.
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    hypervisor_hostname = sa.Column(sa.String(255), nullable=False)
    hypervisor_type = sa.Column(sa.String(255))
    hypervisor_version = sa.Column(sa.BigInteger)
    # Nova compute service host: what aggregates are made of.
    service_name = sa.Column(sa.String(255), nullable=False)
    # Placement resource provider (the compute node uuid).
    provider_uuid = sa.Column(sa.String(36))
    vcpus = sa.Column(sa.Integer, nullable=False)
    cpu_info = sa.Column(sa.Text)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    local_gb = sa.Column(sa.Integer, nullable=False)
    availability_zone = sa.Column(sa.String(255))
    reservable = sa.Column(sa.Boolean, nullable=False, default=True)
    # Set by Promise from Nova's view of the compute service ('up', or
    # 'down' / 'disabled'); only healthy hosts are reservable.
    health = sa.Column(sa.String(16), nullable=False, default='up',
                       server_default='up')
    health_reason = sa.Column(sa.String(255))
    # Bumped by every allocation decision that involves the host: two
    # transactions that picked the same host cannot both commit.
    generation = sa.Column(sa.Integer, nullable=False, default=0)

    capabilities = orm.relationship(
        'HostCapability', lazy='selectin', cascade='all, delete-orphan',
        passive_deletes=True, order_by='HostCapability.name')


class HostCapability(Base):
    """An operator-defined property of a host ("extra capability")."""
    __tablename__ = 'host_capabilities'

    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                        primary_key=True)
    name = sa.Column(sa.String(64), primary_key=True)
    value = sa.Column(sa.String(255), nullable=False)


class ResourceProperty(Base):
    """Known property names per resource type and whether they are private
    (hidden from the property list unless asked for)."""
    __tablename__ = 'resource_properties'

    resource_type = sa.Column(sa.String(66), primary_key=True)
    name = sa.Column(sa.String(64), primary_key=True)
    private = sa.Column(sa.Boolean, nullable=False, default=False)


class HostReservation(Base):
    """The physical:host fields of a reservation."""
    __tablename__ = 'host_reservations'

    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        primary_key=True)
    count_min = sa.Column(sa.Integer, nullable=False)
    count_max = sa.Column(sa.Integer, nullable=False)
    hypervisor_properties = sa.Column(sa.Text)
    resource_properties = sa.Column(sa.Text)
    before_end = sa.Column(sa.String(36))
    aggregate_id = sa.Column(sa.Integer)

    def fields(self):
        return {'min': self.count_min, 'max': self.count_max,
                'hypervisor_properties': self.hypervisor_properties or '',
                'resource_properties': self.resource_properties or '',
                'before_end': self.before_end or '',
                'aggregate_id': self.aggregate_id}


class HostAllocation(Base):
    """A host held by a reservation over the lease window.

    The window is copied from the lease so that finding free hosts is one
    indexed overlap query, without joining leases.
    """
    __tablename__ = 'host_allocations'
    __table_args__ = (
        sa.Index('host_allocations_host_window_idx',
                 'host_id', 'start_date', 'end_date'),
        sa.Index('host_allocations_reservation_idx', 'reservation_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        nullable=False)
    host_id = sa.Column(sa.Integer, sa.ForeignKey('hosts.id'),
                        nullable=False)
    start_date = sa.Column(DateTime, nullable=False)
    end_date = sa.Column(DateTime, nullable=False)
