"""Builds the RequestContext, from keystonemiddleware's headers or, with
auth_strategy = noauth, from X-User-Id / X-Project-Id / X-Roles."""

import webob.dec

from promise import conf
from promise import context

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


class KeystoneContext:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, req):
        ctx = context.RequestContext.from_environ(req.environ)
        ctx.is_admin = 'admin' in ctx.roles
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
            roles=roles, is_admin='admin' in roles,
            request_id=req.environ.get('openstack.request_id'))
        req.environ[ENV_KEY] = ctx
        return req.get_response(self.app)
