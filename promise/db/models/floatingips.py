"""Floating IP addresses registered as reservable, and virtual:floatingip
reservations."""

import json

import sqlalchemy as sa

from promise.db.models.base import Base
from promise.db.models.base import DateTime
from promise.db.models.base import TimestampMixin


class FloatingIP(TimestampMixin, Base):
    """An address of an external Neutron network that an admin registered
    with Promise. It lies outside its subnet's allocation pools, so Neutron
    never hands it out by itself: only a lease that holds it gets it."""
    __tablename__ = 'floatingips'
    __table_args__ = (
        sa.UniqueConstraint('floating_network_id', 'floating_ip_address',
                            name='uniq_floatingips0network0address'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    floating_network_id = sa.Column(sa.String(36), nullable=False)
    subnet_id = sa.Column(sa.String(36), nullable=False)
    # Canonical text (ipaddress.ip_address(...).compressed), so that two
    # spellings of one IPv6 address are one row.
    floating_ip_address = sa.Column(sa.String(45), nullable=False)
    reservable = sa.Column(sa.Boolean, nullable=False, default=True)
    # Bumped by every allocation decision that takes the address: two
    # transactions that picked it cannot both commit.
    generation = sa.Column(sa.Integer, nullable=False, default=0)


class FloatingIPReservation(Base):
    """The virtual:floatingip fields of a reservation."""
    __tablename__ = 'floatingip_reservations'

    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        primary_key=True)
    network_id = sa.Column(sa.String(36), nullable=False)
    amount = sa.Column(sa.Integer, nullable=False)
    # JSON list of the addresses the reservation must hold.
    required_floatingips = sa.Column(sa.Text)

    def fields(self):
        return {'network_id': self.network_id, 'amount': self.amount,
                'required_floatingips': json.loads(
                    self.required_floatingips or '[]')}


class FloatingIPAllocation(Base):
    """An address held by a reservation over the lease window (copied from
    the lease, so that finding free addresses is one overlap query)."""
    __tablename__ = 'floatingip_allocations'
    __table_args__ = (
        sa.Index('floatingip_allocations_fip_window_idx',
                 'floatingip_id', 'start_date', 'end_date'),
        sa.Index('floatingip_allocations_reservation_idx', 'reservation_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'),
        nullable=False)
    floatingip_id = sa.Column(sa.String(36),
                              sa.ForeignKey('floatingips.id'),
                              nullable=False)
    start_date = sa.Column(DateTime, nullable=False)
    end_date = sa.Column(DateTime, nullable=False)
