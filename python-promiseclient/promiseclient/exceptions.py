"""What the client raises."""


class PromiseClientException(Exception):
    """Base of every error python-promiseclient raises itself."""


class CommandError(PromiseClientException):
    """Bad command-line input, found before anything is sent."""


class HTTPError(PromiseClientException):
    """Promise answered with a 4xx or 5xx status.

    ``message`` is Promise's ``error_message`` (the Blazar error body) when
    the answer carries one, else the status line and the start of the body.
    ``body`` is the decoded JSON answer (or None), so callers can read the
    extra keys Promise adds, such as ``max_reservable`` and ``alternatives``
    of a 409 on lease creation.
    """

    def __init__(self, status_code, message, body=None, method=None,
                 url=None, request_id=None):
        self.status_code = status_code
        self.message = message
        self.body = body
        self.method = method
        self.url = url
        self.request_id = request_id
        super().__init__(message)

    def __str__(self):
        text = '%s (HTTP %s)' % (self.message, self.status_code)
        if self.request_id:
            text += ' (Request-ID: %s)' % self.request_id
        return text


class NotFound(HTTPError):
    """404."""


class Conflict(HTTPError):
    """409."""


def from_response(resp, method=None, url=None):
    """The HTTPError that a failed response stands for."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    message = None
    if isinstance(body, dict):
        message = body.get('error_message')
        if not message and isinstance(body.get('error'), dict):
            # Not Promise's own shape (a proxy or the WSGI server in front
            # of it): still show what it says.
            message = body['error'].get('message')
    if not message:
        text = (resp.text or '').strip()
        message = '%s %s' % (resp.status_code, resp.reason or '')
        if text:
            message = '%s: %s' % (message.strip(), text[:500])
    cls = {404: NotFound, 409: Conflict}.get(resp.status_code, HTTPError)
    return cls(resp.status_code, message.strip(), body=body, method=method,
               url=url,
               request_id=resp.headers.get('x-openstack-request-id'))
