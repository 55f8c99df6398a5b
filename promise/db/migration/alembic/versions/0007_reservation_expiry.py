"""Reservation expiry (minutes after the start with nothing running).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('reservations', sa.Column('expiry', sa.Integer))
