"""Webhook secrets encrypted at rest.

A Fernet token does not fit the 255 characters of ``secret``, which keeps
the rows written without a key.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('subscriptions',
                  sa.Column('secret_encrypted', sa.String(1024)))
