"""Leases, reservations and their events.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def _timestamps():
    return [sa.Column('created_at', DateTime, nullable=False),
            sa.Column('updated_at', DateTime)]


def upgrade():
    op.create_table(
        'leases',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(80), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('trust_id', sa.String(255)),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('status_reason', sa.Text),
        sa.Column('degraded', sa.Boolean, nullable=False),
        sa.Column('start_date', DateTime, nullable=False),
        sa.Column('end_date', DateTime, nullable=False),
        *_timestamps(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('leases_project_id_idx', 'leases',
                    ['project_id', 'created_at'])
    op.create_index('leases_name_idx', 'leases', ['name'])
    op.create_index('leases_status_idx', 'leases', ['status'])
    op.create_index('leases_created_at_idx', 'leases', ['created_at'])

    op.create_table(
        'reservations',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('lease_id', sa.String(36),
                  sa.ForeignKey('leases.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('resource_id', sa.String(255)),
        sa.Column('resource_type', sa.String(66), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('missing_resources', sa.Boolean, nullable=False),
        sa.Column('resources_changed', sa.Boolean, nullable=False),
        *_timestamps(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('reservations_lease_id_idx', 'reservations', ['lease_id'])

    op.create_table(
        'events',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('lease_id', sa.String(36),
                  sa.ForeignKey('leases.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('event_type', sa.String(66), nullable=False),
        sa.Column('time', DateTime, nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('claimed_by', sa.String(255)),
        sa.Column('claimed_until', DateTime),
        sa.Column('message', sa.Text),
        *_timestamps(),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('events_status_time_idx', 'events', ['status', 'time'])
    op.create_index('events_lease_id_idx', 'events', ['lease_id'])
