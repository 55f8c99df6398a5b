"""Hosts, their capabilities, host reservations and allocations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
TABLE_OPTS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'hosts',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=False),
        sa.Column('hypervisor_hostname', sa.String(255), nullable=False),
        sa.Column('hypervisor_type', sa.String(255)),
        sa.Column('hypervisor_version', sa.BigInteger),
        sa.Column('service_name', sa.String(255), nullable=False),
        sa.Column('provider_uuid', sa.String(36)),
        sa.Column('vcpus', sa.Integer, nullable=False),
        sa.Column('cpu_info', sa.Text),
        sa.Column('memory_mb', sa.Integer, nullable=False),
        sa.Column('local_gb', sa.Integer, nullable=False),
        sa.Column('availability_zone', sa.String(255)),
        sa.Column('reservable', sa.Boolean, nullable=False),
        sa.Column('generation', sa.Integer, nullable=False),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime),
        sa.UniqueConstraint('hypervisor_hostname',
                            name='uniq_hosts0hypervisor_hostname'),
        **TABLE_OPTS)

    op.create_table(
        'host_capabilities',
        sa.Column('host_id', sa.Integer,
                  sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('name', sa.String(64), primary_key=True),
        sa.Column('value', sa.String(255), nullable=False),
        **TABLE_OPTS)

    op.create_table(
        'resource_properties',
        sa.Column('resource_type', sa.String(66), primary_key=True),
        sa.Column('name', sa.String(64), primary_key=True),
        sa.Column('private', sa.Boolean, nullable=False),
        **TABLE_OPTS)

    op.create_table(
        'host_reservations',
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('count_min', sa.Integer, nullable=False),
        sa.Column('count_max', sa.Integer, nullable=False),
        sa.Column('hypervisor_properties', sa.Text),
        sa.Column('resource_properties', sa.Text),
        sa.Column('before_end', sa.String(36)),
        sa.Column('aggregate_id', sa.Integer),
        **TABLE_OPTS)

    op.create_table(
        'host_allocations',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('host_id', sa.Integer, sa.ForeignKey('hosts.id'),
                  nullable=False),
        sa.Column('start_date', DateTime, nullable=False),
        sa.Column('end_date', DateTime, nullable=False),
        **TABLE_OPTS)
    op.create_index('host_allocations_host_window_idx', 'host_allocations',
                    ['host_id', 'start_date', 'end_date'])
    op.create_index('host_allocations_reservation_idx', 'host_allocations',
                    ['reservation_id'])
