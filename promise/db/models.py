"""SQLAlchemy models. Alembic migrations under db/migration build the same
schema; a functional test compares the two on MariaDB and PostgreSQL."""

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy import orm

from promise.common import dates


# MariaDB's DATETIME drops fractions of a second unless told otherwise, and
# event claims compare sub-second times.
DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


class Base(orm.DeclarativeBase):
    pass


class TimestampMixin:
    created_at = sa.Column(DateTime, nullable=False, default=dates.utcnow)
    updated_at = sa.Column(DateTime, onupdate=dates.utcnow)


class Lease(TimestampMixin, Base):
    __tablename__ = 'leases'
    __table_args__ = (
        sa.Index('leases_project_id_idx', 'project_id', 'created_at'),
        sa.Index('leases_name_idx', 'name'),
        sa.Index('leases_status_idx', 'status'),
        sa.Index('leases_created_at_idx', 'created_at'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    name = sa.Column(sa.String(80), nullable=False)
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255), nullable=False)
    trust_id = sa.Column(sa.String(255))
    status = sa.Column(sa.String(16), nullable=False)
    # Why the lease is in ERROR (or degraded), shown to the user.
    status_reason = sa.Column(sa.Text)
    degraded = sa.Column(sa.Boolean, nullable=False, default=False)
    start_date = sa.Column(DateTime, nullable=False)
    end_date = sa.Column(DateTime, nullable=False)

    reservations = orm.relationship(
        'Reservation', back_populates='lease', lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True,
        order_by='Reservation.created_at')
    events = orm.relationship(
        'Event', back_populates='lease', lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True,
        order_by='Event.time')


class Reservation(TimestampMixin, Base):
    __tablename__ = 'reservations'
    __table_args__ = (
        sa.Index('reservations_lease_id_idx', 'lease_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    lease_id = sa.Column(sa.String(36),
                         sa.ForeignKey('leases.id', ondelete='CASCADE'),
                         nullable=False)
    # Set by the plugin (e.g. the Nova aggregate or flavor it created).
    resource_id = sa.Column(sa.String(255))
    resource_type = sa.Column(sa.String(66), nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    missing_resources = sa.Column(sa.Boolean, nullable=False, default=False)
    resources_changed = sa.Column(sa.Boolean, nullable=False, default=False)

    lease = orm.relationship('Lease', back_populates='reservations')


class Event(TimestampMixin, Base):
    __tablename__ = 'events'
    __table_args__ = (
        # The event loop's scan: due events by status and time.
        sa.Index('events_status_time_idx', 'status', 'time'),
        sa.Index('events_lease_id_idx', 'lease_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    lease_id = sa.Column(sa.String(36),
                         sa.ForeignKey('leases.id', ondelete='CASCADE'),
                         nullable=False)
    event_type = sa.Column(sa.String(66), nullable=False)
    time = sa.Column(DateTime, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    # Which manager runs the event, and until when its claim holds; a claim
    # that outlives its manager is taken over after it expires.
    claimed_by = sa.Column(sa.String(255))
    claimed_until = sa.Column(DateTime)
    message = sa.Column(sa.Text)

    lease = orm.relationship('Lease', back_populates='events')


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


def _host_reservation_fields(self):
    return {'min': self.count_min, 'max': self.count_max,
            'hypervisor_properties': self.hypervisor_properties or '',
            'resource_properties': self.resource_properties or '',
            'before_end': self.before_end or '',
            'aggregate_id': self.aggregate_id}


HostReservation.fields = _host_reservation_fields


def _reservation_fields(self):
    """Type-specific fields from whichever detail row the type has."""
    for name in RESERVATION_DETAILS:
        detail = getattr(self, name, None)
        if detail is not None:
            return detail.fields()
    return {}


# Relationship names of the per-type detail tables.
RESERVATION_DETAILS = ('host',)
Reservation.fields = _reservation_fields
Reservation.host = orm.relationship(
    HostReservation, uselist=False, lazy='selectin',
    cascade='all, delete-orphan', passive_deletes=True)
Reservation.host_allocations = orm.relationship(
    HostAllocation, lazy='selectin', cascade='all, delete-orphan',
    passive_deletes=True, order_by=HostAllocation.host_id)
