"""The one error body every API error uses (Blazar's shape)."""

from oslo_serialization import jsonutils
import webob


def body(status, message, **extra):
    data = {'error_code': status, 'error_message': message,
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
