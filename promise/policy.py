"""oslo.policy enforcement with the in-code defaults of promise.policies."""

from oslo_policy import policy

from promise.common import lazy
from promise import conf
from promise import exceptions
from promise import policies

CONF = conf.CONF


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


def authorize(ctx, action, target):
    """Raise PolicyNotAuthorized unless ``ctx`` may do ``action``."""
    try:
        get_enforcer().authorize(action, target, ctx,
                                 do_raise=True,
                                 exc=exceptions.PolicyNotAuthorized,
                                 action=action)
    except policy.PolicyNotRegistered:
        raise exceptions.PolicyNotAuthorized(action=action)


def check(ctx, action, target):
    return get_enforcer().authorize(action, target, ctx, do_raise=False)
