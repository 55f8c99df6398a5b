"""Leases, their reservations and events."""

import sqlalchemy as sa
from sqlalchemy import orm

from promise.db.models.base import Base
from promise.db.models.base import DateTime
from promise.db.models.base import TimestampMixin


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
    # Minutes after the start by which something must run in it, or it is
    # released; None: never.
    expiry = sa.Column(sa.Integer)
    resources_changed = sa.Column(sa.Boolean, nullable=False, default=False)

    lease = orm.relationship('Lease', back_populates='reservations')
    # Per type, the detail row (one at most is set) and the allocations;
    # their models are in hosts.py, instances.py and floatingips.py.
    host = orm.relationship(
        'HostReservation', uselist=False, lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True)
    host_allocations = orm.relationship(
        'HostAllocation', lazy='selectin', cascade='all, delete-orphan',
        passive_deletes=True, order_by='HostAllocation.host_id')
    instance = orm.relationship(
        'InstanceReservation', uselist=False, lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True)
    instance_allocations = orm.relationship(
        'InstanceAllocation', lazy='selectin', cascade='all, delete-orphan',
        passive_deletes=True, order_by='InstanceAllocation.host_id')
    floatingip = orm.relationship(
        'FloatingIPReservation', uselist=False, lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True)
    floatingip_allocations = orm.relationship(
        'FloatingIPAllocation', lazy='selectin',
        cascade='all, delete-orphan', passive_deletes=True,
        order_by='FloatingIPAllocation.floatingip_id')
    # Servers Nova runs in it, per host (capacity.py).
    usage = orm.relationship(
        'Usage', lazy='selectin', cascade='all, delete-orphan',
        passive_deletes=True)

    def fields(self):
        """Type-specific fields from whichever detail row the type has."""
        for name in RESERVATION_DETAILS:
            detail = getattr(self, name)
            if detail is not None:
                return detail.fields()
        return {}


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


# Relationship names of the per-type detail rows of a Reservation.
RESERVATION_DETAILS = ('host', 'instance', 'floatingip')
