"""Planned capacity changes and observed usage."""

import sqlalchemy as sa

from promise.db.models.base import Base
from promise.db.models.base import DateTime
from promise.db.models.base import TimestampMixin

UNAVAILABLE = 'unavailable'
AVAILABLE = 'available'


class CapacityChange(TimestampMixin, Base):
    """An operator's planned change to a host's availability.

    ``unavailable`` over [start, end) (end None: for good) takes the host
    out of the pool for that time; ``available`` from start means the host
    joins the pool only then.
    """
    __tablename__ = 'capacity_changes'
    __table_args__ = (
        sa.Index('capacity_changes_host_idx', 'host_id', 'start_date'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                        nullable=False)
    type = sa.Column(sa.String(16), nullable=False)
    start_date = sa.Column(DateTime, nullable=False)
    end_date = sa.Column(DateTime)
    reason = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))


class Usage(Base):
    """What Nova actually runs inside a reservation on a host, as last
    observed (reconciled against the Nova API)."""
    __tablename__ = 'usage'

    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        primary_key=True)
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                        primary_key=True)
    servers = sa.Column(sa.Integer, nullable=False)
    updated_at = sa.Column(DateTime, nullable=False)
