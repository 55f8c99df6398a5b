"""The two error bodies of the API: Blazar's, which every error uses, and
SOL013 problem+json, which every error under /grant uses instead.

Invariant: each shape is built here and nowhere else.
"""

from oslo_serialization import jsonutils
import webob
import webob.exc

PROBLEM = 'application/problem+json'
# The ETSI NFV-SOL003 Grant API version /grant answers as, in the
# ``Version`` header of every answer.
GRANT_API_VERSION = '1.4.0'


# No message is longer: one that names a client's value (a 5000-character
# id in the path, say) must not send it back whole.
MAX_MESSAGE = 1000


def _capped(message):
    if isinstance(message, str) and len(message) > MAX_MESSAGE:
        return message[:MAX_MESSAGE] + '...'
    return message


def body(status, message, **extra):
    data = {'error_code': status, 'error_message': _capped(message),
            'error_name': status}
    data.update(extra)
    return data


def response(status, message, headers=None, **extra):
    resp = webob.Response(status=status, content_type='application/json',
                          charset='UTF-8')
    resp.text = jsonutils.dumps(body(status, message, **extra))
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def from_exception(exc):
    return response(exc.code, exc.message, **exc.extra())


def problem(status, detail, title=None):
    """A SOL013 problem+json answer; ``title`` defaults to the status's
    reason phrase."""
    if title is None:
        title = webob.exc.status_map[status].title
    resp = webob.Response(status=status, content_type=PROBLEM,
                          charset='UTF-8')
    resp.text = jsonutils.dumps({'status': status,
                                 'detail': _capped(detail), 'title': title})
    resp.headers['Version'] = GRANT_API_VERSION
    return resp
