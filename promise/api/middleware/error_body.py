"""Give every error answer the Blazar error body.

Errors raised by Promise's own code already have it; this catches the rest:
routing 404/405 from pecan, 401 from keystonemiddleware, and crashes.
"""

import html
import re

from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob
import webob.dec
import webob.exc

from promise.api import errors

LOG = logging.getLogger(__name__)

_TAGS = re.compile(r'<[^>]+>')


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
            LOG.exception('Unhandled error serving %s %s', req.method,
                          req.path)
            return errors.response(500, 'The server failed to handle the '
                                        'request; see the promise-api log.')
        if resp.status_int < 400:
            return resp
        message = _message(resp)
        if message is None:
            return resp
        new = errors.response(resp.status_int, message)
        for name in ('WWW-Authenticate', 'Allow', 'Retry-After'):
            if name in resp.headers:
                new.headers[name] = resp.headers[name]
        return new
