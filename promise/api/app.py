"""WSGI application: the middleware stack around the pecan app."""

import inspect

from keystonemiddleware import auth_token
from keystonemiddleware import oauth2_token
from oslo_log import log as logging
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from promise.api import hooks
from promise.api.middleware import context as context_mw
from promise.api.middleware import error_body
from promise.api.middleware import microversion
from promise.api.middleware import request_guard
from promise.api.middleware import request_log
from promise import conf

CONF = conf.CONF
LOG = logging.getLogger(__name__)

# Version discovery answers without a token, as Nova and Placement do.
UNAUTHENTICATED_PATHS = ('', '/', '/versions')


HEALTHCHECK_PATH = '/healthcheck'
MAX_BODY_BYTES = 1024 * 1024


class _Dispatch:
    """Send health checks and version discovery around authentication."""

    def __init__(self, health, public, protected):
        self.health = health
        self.public = public
        self.protected = protected

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if path == HEALTHCHECK_PATH:
            return self.health(environ, start_response)
        if path in UNAUTHENTICATED_PATHS:
            return self.public(environ, start_response)
        return self.protected(environ, start_response)


class _BearerOrToken:
    """Keystone authentication either way: an ``Authorization: Bearer``
    token (OAuth2 client credentials, issued by Keystone's
    /v3/OS-OAUTH2/token, as a VNFM such as Tacker sends) goes to
    keystonemiddleware's oauth2_token; anything else to auth_token. Both
    validate the token with Keystone from [keystone_authtoken]."""

    def __init__(self, token, bearer):
        self.token = token
        self.bearer = bearer

    def __call__(self, environ, start_response):
        authorization = environ.get('HTTP_AUTHORIZATION', '')
        if ('HTTP_X_AUTH_TOKEN' not in environ and
                authorization[:7].lower() == 'bearer '):
            return self.bearer(environ, start_response)
        return self.token(environ, start_response)


class _PathArgs(pecan.Pecan):
    """Pecan, except that a handler's named arguments come from the path
    only. Pecan fills them from the query string and the JSON body too,
    so ``DELETE /v1/leases`` with ``{"lease_id": ...}`` would delete that
    lease. A handler's ``**query`` still gets the query string. A handler
    whose id the path lacks (``DELETE /v1/os-hosts``) is a 405."""

    def get_args(self, state, all_params, remainder, argspec, im_self):
        query = {k: v for k, v in state.request.GET.mixed().items()
                 if k not in argspec.args}
        args, varargs, kwargs = super().get_args(state, query, remainder,
                                                 argspec, im_self)
        needed = len(argspec.args) - len(argspec.defaults or ())
        given = len(args) + (1 if inspect.ismethod(state.controller) else 0)
        if given < needed:
            pecan.abort(405)
        return args, varargs, kwargs


def setup_app(rpcapi=None):
    """Build the API; ``rpcapi`` defaults to a real RPC client."""
    # A request that finds the database away answers 503 at once: oslo.db
    # would otherwise retry opening it for 10 x 10 s inside that request.
    # A configured [database] max_retries still wins.
    CONF.set_default('max_retries', 0, group='database')
    # Room for a grant request of 1000 resources; oslo's own default
    # (112 KiB) is below that. [oslo_middleware] max_request_body_size.
    CONF.register_opts(sizelimit.OPTS, group='oslo_middleware')
    CONF.set_default('max_request_body_size', MAX_BODY_BYTES,
                     group='oslo_middleware')
    app = _PathArgs(
        'promise.api.controllers.root.RootController',
        hooks=[hooks.ContextHook(rpcapi)],
        force_canonical=False, guess_content_type_from_ext=False)
    if CONF.auth_strategy == 'keystone':
        protected = _BearerOrToken(
            auth_token.AuthProtocol(context_mw.KeystoneContext(app),
                                    {'oslo_config_config': CONF}),
            oauth2_token.OAuth2Protocol(context_mw.KeystoneContext(app),
                                        {'oslo_config_config': CONF}))
    else:
        LOG.warning('auth_strategy is noauth: requests are trusted '
                    'without a token. Never use this in production.')
        protected = context_mw.NoAuthContext(app)
    app = _Dispatch(healthcheck.Healthcheck(None, CONF), app, protected)
    app = request_guard.RequestGuard(app)
    # Bodies over [oslo_middleware] max_request_body_size are a 413 before
    # anything reads them.
    app = sizelimit.RequestBodySizeLimiter(app, CONF)
    app = microversion.Microversion(error_body.ErrorBody(app))
    app = cors.CORS(app, CONF)
    # Inside RequestId: the line names the request's id.
    app = request_log.RequestLog(app)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, CONF)
    return app
