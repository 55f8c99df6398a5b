"""Webhook subscriptions as the API shows them.

Invariant: one shape whoever builds it, the API on a read or
promise-manager answering a create; the secret is never in it.
"""

from promise.common import dates


def subscription(sub):
    threshold = None
    if sub.threshold_metric is not None:
        threshold = {'metric': sub.threshold_metric, 'op': sub.threshold_op,
                     'value': sub.threshold_value,
                     'resource_type': (sub.threshold_resource_type or
                                       'physical:host'),
                     'crossed': bool(sub.threshold_state)}
    return {'id': sub.id, 'project_id': sub.project_id,
            'user_id': sub.user_id, 'all_projects': sub.all_projects,
            'event_types': sub.patterns, 'lease_id': sub.lease_id,
            'resource_type': sub.resource_type, 'threshold': threshold,
            'url': sub.url,
            'created_at': dates.format_timestamp(sub.created_at),
            'updated_at': dates.format_timestamp(sub.updated_at)}
