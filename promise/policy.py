"""oslo.policy enforcement with the in-code defaults of promise.policies.

Every rule is for project-scoped tokens (promise.policies.base). A
token without a project (domain- or system-scoped, or unscoped) is
refused here whatever a policy file says, with a 403 that says why: the
list code and the manager must never meet a caller without a project,
and oslo.policy releases that let an operator turn scope enforcement off
would otherwise let such a token through ``role:admin``.
"""

from oslo_policy import policy

from promise.common import lazy
from promise import conf
from promise import exceptions
from promise import policies

CONF = conf.CONF

NEEDS_PROJECT = ('%(action)s needs a project-scoped token; this token is '
                 'scoped to %(scope)s. Ask Keystone for a token scoped to '
                 'the project whose data you want.')


def _new_enforcer():
    enforcer = policy.Enforcer(CONF)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


_ENFORCER = lazy.Lazy(_new_enforcer)


def get_enforcer():
    """The enforcer (also the oslo.policy.enforcer entry point)."""
    return _ENFORCER.get()


def reset():
    _ENFORCER.reset()


def token_scope(ctx):
    """'project', 'domain', 'system' or 'none' (an unscoped token)."""
    if getattr(ctx, 'system_scope', None):
        return 'system'
    if getattr(ctx, 'domain_id', None):
        return 'domain'
    return 'project' if ctx.project_id else 'none'


def _target(target):
    """``target`` without a None project_id: ``project_id:%(project_id)s``
    then finds no value and fails, instead of matching a caller without a
    project ("None" == "None")."""
    return {k: v for k, v in target.items()
            if not (k == 'project_id' and v is None)}


def authorize(ctx, action, target):
    """Raise PolicyNotAuthorized unless ``ctx`` may do ``action``."""
    scope = token_scope(ctx)
    if scope != 'project':
        raise exceptions.PolicyNotAuthorized(
            NEEDS_PROJECT % {'action': action, 'scope': scope},
            action=action)
    try:
        get_enforcer().authorize(action, _target(target), ctx,
                                 do_raise=True,
                                 exc=exceptions.PolicyNotAuthorized,
                                 action=action)
    except (policy.PolicyNotRegistered, policy.InvalidScope):
        raise exceptions.PolicyNotAuthorized(action=action)


def check(ctx, action, target):
    if token_scope(ctx) != 'project':
        return False
    return get_enforcer().authorize(action, _target(target), ctx,
                                    do_raise=False)
