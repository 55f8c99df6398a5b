"""Webhook subscriptions and their deliveries (the outbox).

An event that matches a subscription becomes a delivery row; managers
claim due rows with a conditional UPDATE and send them, so what is to be
sent survives any manager's restart.
"""

import json

import sqlalchemy as sa

from promise.db.models.base import Base
from promise.db.models.base import DateTime
from promise.db.models.base import LongText
from promise.db.models.base import TimestampMixin

PENDING = 'pending'
SENDING = 'sending'
DELIVERED = 'delivered'
FAILED = 'failed'


class Subscription(TimestampMixin, Base):
    __tablename__ = 'subscriptions'
    __table_args__ = (
        sa.Index('subscriptions_project_id_idx', 'project_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255))
    # Events of every project (admin only), not just project_id's.
    all_projects = sa.Column(sa.Boolean, nullable=False, default=False)
    # JSON list of event types and prefix patterns ("lease.*").
    event_types = sa.Column(sa.Text, nullable=False)
    lease_id = sa.Column(sa.String(36))
    resource_type = sa.Column(sa.String(66))
    url = sa.Column(sa.String(2048), nullable=False)
    # Key of the webhook signatures; never shown back. Stored in
    # secret_encrypted (a Fernet token, notifications/signing.py) when
    # [notifications] secret_encryption_keys is set, else here as it came.
    secret = sa.Column(sa.String(255))
    secret_encrypted = sa.Column(sa.String(1024))
    threshold_metric = sa.Column(sa.String(32))
    threshold_op = sa.Column(sa.String(2))
    threshold_value = sa.Column(sa.Integer)
    threshold_resource_type = sa.Column(sa.String(66))
    # Whether the metric was inside the condition when last evaluated; a
    # capacity.change fires when this turns true.
    threshold_state = sa.Column(sa.Boolean)

    @property
    def patterns(self):
        return json.loads(self.event_types)


class Delivery(TimestampMixin, Base):
    __tablename__ = 'deliveries'
    __table_args__ = (
        # The delivery loop's scan: due deliveries by status and time.
        sa.Index('deliveries_status_next_idx', 'status',
                 'next_attempt_at'),
        sa.Index('deliveries_subscription_idx', 'subscription_id',
                 'created_at'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    subscription_id = sa.Column(
        sa.String(36), sa.ForeignKey('subscriptions.id', ondelete='CASCADE'),
        nullable=False)
    event_type = sa.Column(sa.String(66), nullable=False)
    body = sa.Column(LongText, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(DateTime)
    # Which manager is sending it, and until when its claim holds.
    claimed_by = sa.Column(sa.String(255))
    claimed_until = sa.Column(DateTime)
    last_response_code = sa.Column(sa.Integer)
    last_error = sa.Column(sa.String(255))
    delivered_at = sa.Column(DateTime)
