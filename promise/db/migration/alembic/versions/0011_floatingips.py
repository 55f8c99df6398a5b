"""Floating IP reservations: registered addresses, virtual:floatingip
reservations and their allocations.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
TABLE_OPTS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'floatingips',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('floating_network_id', sa.String(36), nullable=False),
        sa.Column('subnet_id', sa.String(36), nullable=False),
        sa.Column('floating_ip_address', sa.String(45), nullable=False),
        sa.Column('reservable', sa.Boolean, nullable=False),
        sa.Column('generation', sa.Integer, nullable=False),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime),
        sa.UniqueConstraint('floating_network_id', 'floating_ip_address',
                            name='uniq_floatingips0network0address'),
        **TABLE_OPTS)

    op.create_table(
        'floatingip_reservations',
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('network_id', sa.String(36), nullable=False),
        sa.Column('amount', sa.Integer, nullable=False),
        sa.Column('required_floatingips', sa.Text),
        **TABLE_OPTS)

    op.create_table(
        'floatingip_allocations',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('floatingip_id', sa.String(36),
                  sa.ForeignKey('floatingips.id'), nullable=False),
        sa.Column('start_date', DateTime, nullable=False),
        sa.Column('end_date', DateTime, nullable=False),
        **TABLE_OPTS)
    op.create_index('floatingip_allocations_fip_window_idx',
                    'floatingip_allocations',
                    ['floatingip_id', 'start_date', 'end_date'])
    op.create_index('floatingip_allocations_reservation_idx',
                    'floatingip_allocations', ['reservation_id'])
