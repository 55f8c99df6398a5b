"""Project locks: the row quota decisions of a project take turns on.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'project_locks',
        sa.Column('project_id', sa.String(255), primary_key=True),
        sa.Column('generation', sa.Integer, nullable=False,
                  server_default='0'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
