"""Planned capacity changes and observed usage.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
TABLE_OPTS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'capacity_changes',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('host_id', sa.Integer,
                  sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('type', sa.String(16), nullable=False),
        sa.Column('start_date', DateTime, nullable=False),
        sa.Column('end_date', DateTime),
        sa.Column('reason', sa.String(255)),
        sa.Column('project_id', sa.String(255)),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime),
        **TABLE_OPTS)
    op.create_index('capacity_changes_host_idx', 'capacity_changes',
                    ['host_id', 'start_date'])
    op.create_table(
        'usage',
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('host_id', sa.Integer,
                  sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('servers', sa.Integer, nullable=False),
        sa.Column('updated_at', DateTime, nullable=False),
        **TABLE_OPTS)
