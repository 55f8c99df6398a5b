"""Instance reservations: host capacity columns, instance reservations and
their slot allocations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
TABLE_OPTS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    for name in ('capacity_vcpus', 'capacity_memory_mb', 'capacity_disk_gb',
                 'used_vcpus', 'used_memory_mb', 'used_disk_gb'):
        op.add_column('hosts', sa.Column(name, sa.Integer))
    op.add_column('hosts', sa.Column('capacity_updated_at', DateTime))

    op.create_table(
        'instance_reservations',
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('amount', sa.Integer, nullable=False),
        sa.Column('vcpus', sa.Integer, nullable=False),
        sa.Column('memory_mb', sa.Integer, nullable=False),
        sa.Column('disk_gb', sa.Integer, nullable=False),
        sa.Column('affinity', sa.Boolean),
        sa.Column('resource_properties', sa.Text),
        sa.Column('flavor_id', sa.String(255)),
        sa.Column('source_flavor_id', sa.String(255)),
        sa.Column('source_extra_specs', sa.Text),
        sa.Column('aggregate_id', sa.Integer),
        sa.Column('server_group_id', sa.String(36)),
        **TABLE_OPTS)

    op.create_table(
        'instance_allocations',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('host_id', sa.Integer, sa.ForeignKey('hosts.id'),
                  nullable=False),
        sa.Column('slots', sa.Integer, nullable=False),
        sa.Column('vcpus', sa.Integer, nullable=False),
        sa.Column('memory_mb', sa.Integer, nullable=False),
        sa.Column('disk_gb', sa.Integer, nullable=False),
        sa.Column('start_date', DateTime, nullable=False),
        sa.Column('end_date', DateTime, nullable=False),
        **TABLE_OPTS)
    op.create_index('instance_allocations_host_window_idx',
                    'instance_allocations',
                    ['host_id', 'start_date', 'end_date'])
    op.create_index('instance_allocations_reservation_idx',
                    'instance_allocations', ['reservation_id'])
