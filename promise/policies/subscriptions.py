"""Webhook subscriptions (/v1/subscriptions)."""

from oslo_policy import policy

from promise.policies import base

GET = 'promise:subscriptions:get'
POST = 'promise:subscriptions:post'
ALL_PROJECTS = 'promise:subscriptions:all_projects'
DELETE = 'promise:subscriptions:delete'

rules = [
    policy.DocumentedRuleDefault(
        name=GET, check_str=base.ADMIN_OR_PROJECT_READER,
        description='List webhook subscriptions or show one, with its '
                    'deliveries (the secret is never shown).',
        operations=[{'path': '/v1/subscriptions', 'method': 'GET'},
                    {'path': '/v1/subscriptions/{subscription_id}',
                     'method': 'GET'},
                    {'path': '/v1/subscriptions/{subscription_id}/'
                             'deliveries',
                     'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=POST, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description="Subscribe a webhook to the project's events.",
        operations=[{'path': '/v1/subscriptions', 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=ALL_PROJECTS, check_str=base.ADMIN,
        description="Subscribe a webhook to every project's events "
                    '("all_projects": true).',
        operations=[{'path': '/v1/subscriptions', 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Delete a webhook subscription and its deliveries.',
        operations=[{'path': '/v1/subscriptions/{subscription_id}',
                     'method': 'DELETE'}]),
]


def list_rules():
    return rules
