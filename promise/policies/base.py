"""The rules every other policy is written with (admin, project reader,
project member)."""

from oslo_policy import policy

ADMIN = 'rule:admin'
PROJECT_READER = 'rule:project_reader'
PROJECT_MEMBER = 'rule:project_member'
ADMIN_OR_PROJECT_READER = 'rule:admin or rule:project_reader'
ADMIN_OR_PROJECT_MEMBER = 'rule:admin or rule:project_member'

ADMIN_RULE = 'admin'

rules = [
    policy.RuleDefault(ADMIN_RULE, 'role:admin',
                       description='An administrator of the cloud.'),
    policy.RuleDefault('project_reader',
                       'role:reader and project_id:%(project_id)s',
                       description='Anyone who may read the project that '
                                   'owns the target.'),
    policy.RuleDefault('project_member',
                       'role:member and project_id:%(project_id)s',
                       description='A member of the project that owns the '
                                   'target.'),
]


def list_rules():
    return rules
