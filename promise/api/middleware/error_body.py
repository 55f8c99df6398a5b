"""Give every error answer the Blazar error body.

Errors raised by Promise's own code already have it; this catches the rest:
routing 404/405 from pecan, 401 from keystonemiddleware, and crashes.
Under /grant (ETSI NFV-SOL003) every error is SOL013 problem+json instead,
with the ``Version`` header, as the grant controllers answer themselves.
"""

import html
import re

from oslo_config import cfg
from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob
import webob.dec
import webob.exc

from promise.api import errors
from promise import conf

CONF = conf.CONF
LOG = logging.getLogger(__name__)

_TAGS = re.compile(r'<[^>]+>')
_KEPT_HEADERS = ('WWW-Authenticate', 'Allow', 'Retry-After')
GRANT_PREFIX = '/grant'


def _is_grant(req):
    # Undecoded: a path that is not UTF-8 must not fail here.
    path = req.environ.get('PATH_INFO', '')
    return path == GRANT_PREFIX or path.startswith(GRANT_PREFIX + '/')


def _message(resp):
    text = resp.text or ''
    if resp.content_type == 'application/json':
        try:
            data = jsonutils.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            if 'error_code' in data:
                return None  # already Blazar-shaped
            error = data.get('error', data)
            if isinstance(error, dict):
                # keystonemiddleware: {"error": {"message": ...}};
                # webob/pecan: {"code", "title", "description"}.
                text = error.get('message') or error.get('description')
                if text:
                    return text
                if 'title' in error:
                    return _explanation(resp)
    # webob/pecan HTML: keep the human sentence, drop the markup.
    text = html.unescape(_TAGS.sub(' ', text))
    text = ' '.join(text.split())
    title = resp.status.split(' ', 1)[-1]
    # webob repeats the status as the page title and heading.
    while text.startswith(resp.status):
        text = text[len(resp.status):].strip()
    return text or title


def _explanation(resp):
    cls = webob.exc.status_map.get(resp.status_int)
    explanation = getattr(cls, 'explanation', None)
    return explanation or resp.status.split(' ', 1)[-1]


class ErrorBody:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            resp = req.get_response(self.app)
        except Exception:
            LOG.exception('Unhandled error serving %s %r', req.method,
                          req.environ.get('PATH_INFO', ''))
            message = ('The server failed to handle the request; see the '
                       'promise-api log.')
            if _is_grant(req):
                return errors.problem(500, message, 'Internal Server Error')
            return errors.response(500, message)
        if resp.status_int < 400:
            return resp
        if resp.content_type == errors.PROBLEM:
            # SOL013 errors of /grant: their clients read that shape.
            return resp
        message = _message(resp)
        if resp.status_int == 413:
            # oslo.middleware's sizelimit leaves a '%s' in its text.
            message = 'The request body is larger than Promise accepts.'
            try:
                message = ('The request body is larger than the %d bytes '
                           'Promise accepts.'
                           % CONF.oslo_middleware.max_request_body_size)
            except cfg.NoSuchOptError:
                pass  # the size limiter is not in this pipeline
        if _is_grant(req):
            if message is None:
                message = jsonutils.loads(resp.text)['error_message']
            new = errors.problem(resp.status_int, message,
                                 resp.status.split(' ', 1)[-1])
        elif message is None:
            return resp
        else:
            new = errors.response(resp.status_int, message)
        for name in _KEPT_HEADERS:
            if name in resp.headers:
                new.headers[name] = resp.headers[name]
        return new
