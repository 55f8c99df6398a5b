"""ETSI NFV-SOL003 grants (/grant/v1)."""

from promise.policies import base

CREATE = 'promise:grants:create'
GET = 'promise:grants:get'
NOTIFY = 'promise:grants:notify'

rules = [
    base.rule(
        name=CREATE, check_str=base.ADMIN_OR_PROJECT_MEMBER_OR_SERVICE,
        description='Ask for a grant of a VNF lifecycle operation; an '
                    'approval holds compute capacity for the project.',
        operations=[{'path': '/grant/v1/grants', 'method': 'POST'}]),
    base.rule(
        name=GET, check_str=base.ADMIN_OR_PROJECT_READER_OR_SERVICE,
        description='Show a grant.',
        operations=[{'path': '/grant/v1/grants/{grant_id}',
                     'method': 'GET'}]),
    base.rule(
        name=NOTIFY, check_str=base.ADMIN_OR_PROJECT_MEMBER_OR_SERVICE,
        description='Deliver VNF LCM operation occurrence notifications, '
                    "which end the holds of the project's finished "
                    'operations.',
        operations=[{'path': '/grant/v1/notifications', 'method': 'POST'},
                    {'path': '/grant/v1/notifications', 'method': 'GET'}]),
]


def list_rules():
    return rules
