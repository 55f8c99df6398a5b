"""Webhook subscriptions and the delivery outbox.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql')
TABLE_OPTS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'subscriptions',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('all_projects', sa.Boolean, nullable=False),
        sa.Column('event_types', sa.Text, nullable=False),
        sa.Column('lease_id', sa.String(36)),
        sa.Column('resource_type', sa.String(66)),
        sa.Column('url', sa.String(2048), nullable=False),
        sa.Column('secret', sa.String(255)),
        sa.Column('threshold_metric', sa.String(32)),
        sa.Column('threshold_op', sa.String(2)),
        sa.Column('threshold_value', sa.Integer),
        sa.Column('threshold_resource_type', sa.String(66)),
        sa.Column('threshold_state', sa.Boolean),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime),
        **TABLE_OPTS)
    op.create_index('subscriptions_project_id_idx', 'subscriptions',
                    ['project_id'])
    op.create_table(
        'deliveries',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('subscription_id', sa.String(36),
                  sa.ForeignKey('subscriptions.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('event_type', sa.String(66), nullable=False),
        sa.Column('body', LongText, nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('attempts', sa.Integer, nullable=False),
        sa.Column('next_attempt_at', DateTime),
        sa.Column('claimed_by', sa.String(255)),
        sa.Column('claimed_until', DateTime),
        sa.Column('last_response_code', sa.Integer),
        sa.Column('last_error', sa.String(255)),
        sa.Column('delivered_at', DateTime),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime),
        **TABLE_OPTS)
    op.create_index('deliveries_status_next_idx', 'deliveries',
                    ['status', 'next_attempt_at'])
    op.create_index('deliveries_subscription_idx', 'deliveries',
                    ['subscription_id', 'created_at'])
