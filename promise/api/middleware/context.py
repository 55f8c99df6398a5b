"""Builds the RequestContext, from keystonemiddleware's headers or, with
auth_strategy = noauth, from X-User-Id / X-Project-Id / X-Roles.

``is_admin`` (which the manager reads: an admin's grant requests may end
any project's holds) is the admin policy rule, not the bare role: a
domain- or system-scoped token with the admin role is no admin here.
"""

import webob.dec

from promise import conf
from promise import context
from promise.policies import base as base_rules
from promise import policy

CONF = conf.CONF
ENV_KEY = 'promise.context'

# Keystone implies reader from member and member from admin; noauth callers
# get the same expansion so policies read the same either way.
_IMPLIED = {'admin': ('member', 'reader'), 'member': ('reader',)}


def _expand(roles):
    result = []
    for role in roles:
        for name in (role,) + _IMPLIED.get(role, ()):
            if name not in result:
                result.append(name)
    return result


def _is_admin(ctx):
    return policy.check(ctx, base_rules.ADMIN_RULE, {})


class KeystoneContext:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, req):
        ctx = context.RequestContext.from_environ(req.environ)
        ctx.is_admin = _is_admin(ctx)
        req.environ[ENV_KEY] = ctx
        return req.get_response(self.app)


class NoAuthContext:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, req):
        headers = req.headers
        header = headers.get('X-Roles')
        # Only an absent header means "the [noauth] roles"; an empty one
        # names a caller with no roles.
        roles = (list(CONF.noauth.roles) if header is None else
                 [r.strip() for r in header.split(',') if r.strip()])
        roles = _expand(roles)
        ctx = context.RequestContext(
            user_id=headers.get('X-User-Id') or CONF.noauth.user_id,
            project_id=(headers.get('X-Project-Id') or
                        CONF.noauth.project_id),
            roles=roles, request_id=req.environ.get('openstack.request_id'),
            global_request_id=req.environ.get(
                'openstack.global_request_id'))
        ctx.is_admin = _is_admin(ctx)
        req.environ[ENV_KEY] = ctx
        return req.get_response(self.app)
