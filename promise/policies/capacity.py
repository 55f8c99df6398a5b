from oslo_policy import policy

from promise.policies import base

rules = [
    policy.DocumentedRuleDefault(
        name='promise:capacity:get', check_str=base.ADMIN_OR_PROJECT_READER,
        description='See total, reserved, used and available capacity '
                    'over time.',
        operations=[{'path': '/v1/capacity', 'method': 'GET'}]),
]


def list_rules():
    return rules
