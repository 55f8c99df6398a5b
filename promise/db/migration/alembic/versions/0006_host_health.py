"""Host health as Nova reports it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('hosts', sa.Column('health', sa.String(16),
                                     nullable=False, server_default='up'))
    op.add_column('hosts', sa.Column('health_reason', sa.String(255)))
