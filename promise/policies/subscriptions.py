"""Webhook subscriptions (/v1/subscriptions)."""

from promise.policies import base

GET = 'promise:subscriptions:get'
POST = 'promise:subscriptions:post'
ALL_PROJECTS = 'promise:subscriptions:all_projects'
LIST_ALL_PROJECTS = 'promise:subscriptions:get:all_projects'
DELETE = 'promise:subscriptions:delete'

rules = [
    base.rule(
        name=GET, check_str=base.ADMIN_OR_PROJECT_READER,
        description='List webhook subscriptions or show one, with its '
                    'deliveries (the secret is never shown).',
        operations=[{'path': '/v1/subscriptions', 'method': 'GET'},
                    {'path': '/v1/subscriptions/{subscription_id}',
                     'method': 'GET'},
                    {'path': '/v1/subscriptions/{subscription_id}/'
                             'deliveries',
                     'method': 'GET'}]),
    base.rule(
        name=LIST_ALL_PROJECTS, check_str=base.ADMIN,
        description="List every project's webhook subscriptions (unless "
                    'a project_id or all_projects=false is given).',
        operations=[{'path': '/v1/subscriptions', 'method': 'GET'}]),
    base.rule(
        name=POST, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description="Subscribe a webhook to the project's events.",
        operations=[{'path': '/v1/subscriptions', 'method': 'POST'}]),
    base.rule(
        name=ALL_PROJECTS, check_str=base.ADMIN,
        description="Subscribe a webhook to every project's events "
                    '("all_projects": true).',
        operations=[{'path': '/v1/subscriptions', 'method': 'POST'}]),
    base.rule(
        name=DELETE, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Delete a webhook subscription and its deliveries.',
        operations=[{'path': '/v1/subscriptions/{subscription_id}',
                     'method': 'DELETE'}]),
]


def list_rules():
    return rules
