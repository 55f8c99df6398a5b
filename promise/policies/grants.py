"""ETSI NFV-SOL003 grants (/grant/v1)."""

from oslo_policy import policy

from promise.policies import base

CREATE = 'promise:grants:create'
GET = 'promise:grants:get'
NOTIFY = 'promise:grants:notify'

rules = [
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Ask for a grant of a VNF lifecycle operation; an '
                    'approval holds compute capacity for the project.',
        operations=[{'path': '/grant/v1/grants', 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=GET, check_str=base.ADMIN_OR_PROJECT_READER,
        description='Show a grant.',
        operations=[{'path': '/grant/v1/grants/{grant_id}',
                     'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=NOTIFY, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Deliver VNF LCM operation occurrence notifications, '
                    "which end the holds of the project's finished "
                    'operations.',
        operations=[{'path': '/grant/v1/notifications', 'method': 'POST'},
                    {'path': '/grant/v1/notifications', 'method': 'GET'}]),
]


def list_rules():
    return rules
