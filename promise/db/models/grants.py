"""ETSI NFV-SOL003 grants and the compute capacity they hold.

A grant row keeps the Grant body as answered, for GET. Each COMPUTE
resource it approved is a hold on one host (and, when drawn from a
reservation, on that reservation's slots) until ``expires_at``: holds past
it count for nothing, so correctness never waits for the sweep that
deletes them. Releasing a hold deletes its row.
"""

import sqlalchemy as sa

from promise.db.models.base import Base
from promise.db.models.base import DateTime
from promise.db.models.base import LongText
from promise.db.models.base import TimestampMixin


class Grant(TimestampMixin, Base):
    __tablename__ = 'grants'
    __table_args__ = (
        sa.Index('grants_vnf_instance_idx', 'vnf_instance_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    vnf_instance_id = sa.Column(sa.String(255), nullable=False)
    vnf_lcm_op_occ_id = sa.Column(sa.String(255), nullable=False)
    vnfd_id = sa.Column(sa.String(255))
    operation = sa.Column(sa.String(32), nullable=False)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255))
    # The Grant as answered (JSON).
    body = sa.Column(LongText, nullable=False)


class GrantHold(Base):
    """One approved COMPUTE resource: its flavor's size on one host."""
    __tablename__ = 'grant_holds'
    __table_args__ = (
        # The decision's scan: live holds on candidate hosts.
        sa.Index('grant_holds_host_expiry_idx', 'host_id', 'expires_at'),
        sa.Index('grant_holds_vnf_instance_idx', 'vnf_instance_id'),
        sa.Index('grant_holds_op_occ_idx', 'vnf_lcm_op_occ_id'),
        sa.Index('grant_holds_expiry_idx', 'expires_at'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    grant_id = sa.Column(
        sa.String(36), sa.ForeignKey('grants.id', ondelete='CASCADE'),
        nullable=False)
    # Copied from the grant: releases look holds up by them alone.
    vnf_instance_id = sa.Column(sa.String(255), nullable=False)
    vnf_lcm_op_occ_id = sa.Column(sa.String(255), nullable=False)
    resource_id = sa.Column(sa.String(255), nullable=False)
    vdu = sa.Column(sa.String(255))
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                        nullable=False)
    reservation_id = sa.Column(
        sa.String(36), sa.ForeignKey('reservations.id', ondelete='CASCADE'))
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    disk_gb = sa.Column(sa.Integer, nullable=False)
    expires_at = sa.Column(DateTime, nullable=False)
