"""SOL003 grants and the capacity they hold.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql')
TABLE_OPTS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'grants',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('vnf_instance_id', sa.String(255), nullable=False),
        sa.Column('vnf_lcm_op_occ_id', sa.String(255), nullable=False),
        sa.Column('vnfd_id', sa.String(255)),
        sa.Column('operation', sa.String(32), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('body', LongText, nullable=False),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime),
        **TABLE_OPTS)
    op.create_index('grants_vnf_instance_idx', 'grants', ['vnf_instance_id'])
    op.create_table(
        'grant_holds',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('grant_id', sa.String(36),
                  sa.ForeignKey('grants.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('vnf_instance_id', sa.String(255), nullable=False),
        sa.Column('vnf_lcm_op_occ_id', sa.String(255), nullable=False),
        sa.Column('resource_id', sa.String(255), nullable=False),
        sa.Column('vdu', sa.String(255)),
        sa.Column('host_id', sa.Integer,
                  sa.ForeignKey('hosts.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('reservation_id', sa.String(36),
                  sa.ForeignKey('reservations.id', ondelete='CASCADE')),
        sa.Column('vcpus', sa.Integer, nullable=False),
        sa.Column('memory_mb', sa.Integer, nullable=False),
        sa.Column('disk_gb', sa.Integer, nullable=False),
        sa.Column('expires_at', DateTime, nullable=False),
        **TABLE_OPTS)
    op.create_index('grant_holds_host_expiry_idx', 'grant_holds',
                    ['host_id', 'expires_at'])
    op.create_index('grant_holds_vnf_instance_idx', 'grant_holds',
                    ['vnf_instance_id'])
    op.create_index('grant_holds_op_occ_idx', 'grant_holds',
                    ['vnf_lcm_op_occ_id'])
    op.create_index('grant_holds_expiry_idx', 'grant_holds', ['expires_at'])
