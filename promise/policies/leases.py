"""Leases (/v1/leases)."""

from oslo_policy import policy

from promise.policies import base

GET = 'promise:leases:get'
POST = 'promise:leases:post'
CHECK = 'promise:leases:check'
PUT = 'promise:leases:put'
DELETE = 'promise:leases:delete'

rules = [
    policy.DocumentedRuleDefault(
        name=GET, check_str=base.ADMIN_OR_PROJECT_READER,
        description='List leases or show one.',
        operations=[{'path': '/v1/leases', 'method': 'GET'},
                    {'path': '/v1/leases/{lease_id}', 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=POST, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Create a lease.',
        operations=[{'path': '/v1/leases', 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=CHECK, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Ask whether a lease would fit, and for the offer '
                    '(what fits, and alternative windows), without '
                    'creating it.',
        operations=[{'path': '/v1/leases/check', 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=PUT, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Change a lease.',
        operations=[{'path': '/v1/leases/{lease_id}', 'method': 'PUT'}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Delete a lease.',
        operations=[{'path': '/v1/leases/{lease_id}', 'method': 'DELETE'}]),
]


def list_rules():
    return rules
