"""Webhook subscriptions on the manager side: creating and deleting them.

The API checks the request (schema, policy, the lease it names) and sends
typed values; the subscription belongs to the caller's project.
"""

from oslo_log import log as logging
from oslo_serialization import jsonutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from promise.db import api as db
from promise.db.models import subscriptions as sub_models
from promise import exceptions
from promise.notifications import signing
from promise.notifications import thresholds

LOG = logging.getLogger(__name__)


class SubscriptionManager:

    def create(self, ctx, values):
        threshold = values.get('threshold')
        sub = sub_models.Subscription(
            id=uuidutils.generate_uuid(), project_id=ctx.project_id,
            user_id=ctx.user_id,
            all_projects=bool(values.get('all_projects')),
            event_types=jsonutils.dumps(list(values['event_types'])),
            lease_id=values.get('lease_id'),
            resource_type=values.get('resource_type'),
            url=values['url'])
        # At rest only encrypted when a key is configured (signing.py).
        sub.secret, sub.secret_encrypted = signing.seal(values.get('secret'))
        with db.writer(ctx) as session:
            if threshold:
                sub.threshold_metric = threshold['metric']
                sub.threshold_op = threshold['op']
                sub.threshold_value = threshold['value']
                sub.threshold_resource_type = threshold.get('resource_type')
                # Only a later crossing fires: start where the metric is.
                sub.threshold_state = thresholds.inside(
                    sub, thresholds.current(
                        session, sub.threshold_metric,
                        sub.threshold_resource_type))
            session.add(sub)
        LOG.info('Subscription %s of project %s to %s at %s', sub.id,
                 sub.project_id, ', '.join(values['event_types']),
                 _redacted(sub.url))
        return sub.id

    def delete(self, ctx, subscription_id):
        """Delete a subscription and its deliveries, sent or not."""
        with db.writer(ctx) as session:
            sub = sub_models.Subscription
            gone = session.execute(
                sa.delete(sub).where(sub.id == subscription_id)
                .execution_options(synchronize_session=False)).rowcount
        if not gone:
            raise exceptions.NotFound(object='Subscription',
                                      id=subscription_id)
        LOG.info('Subscription %s deleted', subscription_id)


def _redacted(url):
    # Credentials in the URL stay out of the log.
    scheme, sep, rest = url.partition('://')
    if '@' in rest.split('/', 1)[0]:
        rest = '***@' + rest.split('@', 1)[1]
    return scheme + sep + rest
