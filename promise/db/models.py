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
