"""Refuse requests whose method or path is not what it seems, before any
routing: only the real HTTP method and a well-formed path decide what
happens.

* pecan's RestController takes a ``_method`` parameter (query string or
  form body) over the real method, so ``POST ...?_method=DELETE`` would
  delete: any ``_method`` is a 400.
* A path or query string that is not UTF-8 cannot name anything; webob
  would fail to decode it deep inside routing (a 500): a 400 here.
* pecan parses a JSON body itself while routing, with Python's recursive
  parser: a body nested deeper than validation.MAX_DEPTH is a 400 before
  that (the parser would run out of stack: a 500).

It sits inside oslo.middleware's size limiter, so it never reads more
than [oslo_middleware] max_request_body_size.

Answers carry the Blazar body; ErrorBody, outside, turns them into
problem+json under /grant.
"""

from urllib import parse

import webob
import webob.dec

from promise.api import errors
from promise.api import validation
from promise import exceptions

OVERRIDE = '_method'
_FORMS = ('', 'application/x-www-form-urlencoded', 'multipart/form-data')


def _utf8(raw):
    """Whether a WSGI string (bytes as latin-1), once %-decoded, is
    UTF-8."""
    try:
        parse.unquote_to_bytes(raw.encode('latin-1')).decode('utf-8')
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


class RequestGuard:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, req):
        environ = req.environ
        for key in ('PATH_INFO', 'QUERY_STRING'):
            if not _utf8(environ.get(key, '')):
                return errors.response(
                    400, 'The request path or query string is not valid '
                         'UTF-8.')
        if OVERRIDE in req.GET or self._form_override(req):
            return errors.response(
                400, 'The %s parameter is not supported: send the HTTP '
                     'method itself.' % OVERRIDE)
        if req.is_body_readable and 'json' in (req.content_type or ''):
            try:
                validation.check_depth(req.body.decode('utf-8', 'replace'))
            except exceptions.InvalidInput as exc:
                return errors.from_exception(exc)
        return req.get_response(self.app)

    @staticmethod
    def _form_override(req):
        # webob reads a form body (which pecan then looks into for
        # _method) only for these content types.
        if req.method not in ('POST', 'PUT', 'PATCH', 'DELETE'):
            return False
        if req.content_type not in _FORMS or not req.content_length:
            return False
        try:
            return OVERRIDE in req.POST
        except Exception:
            return False
