"""The rules every other policy is written with, in OpenStack's secure
RBAC personas: project reader, project member, admin and service.

Every rule is for project-scoped tokens only (scope_types=['project']): the
data here belongs to projects, and a domain- or system-scoped token names
no project, so oslo.policy refuses it (403) before any check string runs.
A project-scoped admin is an administrator of the whole cloud, as in Nova
(Blazar's tempest suite and dashboard run as one).

``project_id:%(project_id)s`` never matches when either side has no
project: promise.policy leaves a None project out of the target and
promise.context leaves it out of the credentials, so the check finds no
value instead of comparing "None" with "None".
"""

from oslo_policy import policy

SCOPE = ['project']

ADMIN = 'rule:admin'
PROJECT_READER = 'rule:project_reader'
PROJECT_MEMBER = 'rule:project_member'
# Through Blazar's base rule names, so that a policy file written for
# Blazar that redefines them changes Promise's rules as it did Blazar's.
ADMIN_OR_PROJECT_READER = 'rule:project_reader_or_admin'
ADMIN_OR_PROJECT_MEMBER = 'rule:project_member_or_admin'
# The machine-to-machine doors (/grant, /api/multicloud) also admit the
# optional service role, for a VNFM or ONAP that calls with a service user.
ADMIN_OR_PROJECT_READER_OR_SERVICE = (ADMIN_OR_PROJECT_READER +
                                      ' or rule:service')
ADMIN_OR_PROJECT_MEMBER_OR_SERVICE = (ADMIN_OR_PROJECT_MEMBER +
                                      ' or rule:service')

ADMIN_RULE = 'admin'
SERVICE_RULE = 'service'


BLAZAR_ALIAS = ('Blazar\'s name for this rule: a policy file written for '
                'Blazar that sets it still applies. Use the promise: name.')


def rule(name, check_str, description, operations=None, blazar=None):
    """A rule of this service: documented when it has ``operations``,
    and for project-scoped tokens only. ``blazar``: Blazar's name for the
    same rule, honoured as a deprecated alias (oslo.policy uses an
    operator's override of the old name when the new one is not set).
    The alias has the same default, so it never widens access."""
    deprecated = None
    if blazar is not None:
        deprecated = policy.DeprecatedRule(
            name=blazar, check_str=check_str,
            deprecated_reason=BLAZAR_ALIAS, deprecated_since='1.0.0')
    if operations is None:
        return policy.RuleDefault(name, check_str, description=description,
                                  scope_types=SCOPE,
                                  deprecated_rule=deprecated)
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=operations, scope_types=SCOPE, deprecated_rule=deprecated)


rules = [
    rule(ADMIN_RULE, 'role:admin',
         'An administrator of the cloud: a project-scoped token with the '
         'admin role, in any project.'),
    rule('project_reader', 'role:reader and project_id:%(project_id)s',
         'Anyone who may read the project that owns the target.'),
    rule('project_member', 'role:member and project_id:%(project_id)s',
         'A member of the project that owns the target.'),
    # Blazar's base rules, by Blazar's names and meanings: Promise's
    # lease rules are written with the last two.
    rule('admin_or_owner', 'rule:admin or project_id:%(project_id)s',
         "Blazar's rule for its non-admin APIs before secure RBAC; kept so "
         'that a policy file written for Blazar that uses it still loads.'),
    rule('project_reader_api', PROJECT_READER,
         "Blazar's name for project_reader."),
    rule('project_member_api', PROJECT_MEMBER,
         "Blazar's name for project_member."),
    rule('project_reader_or_admin', 'rule:project_reader_api or rule:admin',
         'A reader of the target\'s project, or an administrator '
         "(Blazar's rule for reading leases)."),
    rule('project_member_or_admin', 'rule:project_member_api or rule:admin',
         'A member of the target\'s project, or an administrator '
         "(Blazar's rule for changing leases)."),
    rule(SERVICE_RULE, 'role:service and project_id:%(project_id)s',
         'Another service (a VNFM, ONAP) calling a machine-to-machine '
         'door with a service user: like a member, it acts for the '
         'project its token is scoped to, and for no other.'),
]


def list_rules():
    return rules
