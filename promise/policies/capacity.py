"""Capacity (/v1/capacity) and capacity changes (/v1/capacity-changes)."""

from promise.policies import base

GET = 'promise:capacity:get'
CHANGES_GET = 'promise:capacity_changes:get'
CHANGES_POST = 'promise:capacity_changes:post'
CHANGES_DELETE = 'promise:capacity_changes:delete'

rules = [
    base.rule(
        name=GET, check_str=base.ADMIN_OR_PROJECT_READER,
        description='See total, reserved, used and available capacity '
                    'over time.',
        operations=[{'path': '/v1/capacity', 'method': 'GET'}]),
    base.rule(
        name=CHANGES_GET, check_str=base.ADMIN,
        description='List planned capacity changes or show one.',
        operations=[{'path': '/v1/capacity-changes', 'method': 'GET'},
                    {'path': '/v1/capacity-changes/{change_id}',
                     'method': 'GET'}]),
    base.rule(
        name=CHANGES_POST, check_str=base.ADMIN,
        description='Plan a host downtime or a future join; reservations '
                    'it hits are re-homed or flagged.',
        operations=[{'path': '/v1/capacity-changes', 'method': 'POST'}]),
    base.rule(
        name=CHANGES_DELETE, check_str=base.ADMIN,
        description='Cancel a planned capacity change.',
        operations=[{'path': '/v1/capacity-changes/{change_id}',
                     'method': 'DELETE'}]),
]


def list_rules():
    return rules
