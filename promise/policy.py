"""oslo.policy enforcement with the in-code defaults of promise.policies."""

import threading

from oslo_policy import policy

from promise import conf
from promise import exceptions
from promise import policies

CONF = conf.CONF

_LOCK = threading.Lock()
_ENFORCER = None


def get_enforcer():
    """The enforcer (also the oslo.policy.enforcer entry point)."""
    global _ENFORCER
    if _ENFORCER is None:
        with _LOCK:
            if _ENFORCER is None:
                enforcer = policy.Enforcer(CONF)
                enforcer.register_defaults(policies.list_rules())
                _ENFORCER = enforcer
    return _ENFORCER


def reset():
    global _ENFORCER
    _ENFORCER = None


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
