"""OpenStack-API-Version: reservation X.Y negotiation."""

import microversion_parse
import webob.dec

from promise.api import errors

SERVICE_TYPE = 'reservation'
HEADER = 'OpenStack-API-Version'
MIN_VERSION = (1, 0)
# 1.1: lease list pages link to the next page (leases_links).
MAX_VERSION = (1, 1)
ENV_KEY = 'promise.microversion'


def version_string(version):
    return '%d.%d' % version


def requested(environ):
    """The version a request was answered at (the minimum when the
    middleware did not run)."""
    return environ.get(ENV_KEY, MIN_VERSION)


def parse(text):
    """'latest', 'X.Y' or None (no header) to a version tuple."""
    if text is None:
        return MIN_VERSION
    text = text.strip()
    if text == 'latest':
        return MAX_VERSION
    try:
        if not text.isascii() or len(text) > 20:
            raise ValueError(text)
        major, minor = (int(p) for p in text.split('.'))
    except ValueError:
        # Echoed cut short: a header can be kilobytes.
        raise ValueError('Invalid %s header value %r: use "reservation '
                         'X.Y" or "reservation latest".'
                         % (HEADER, text[:40]))
    return major, minor


class Microversion:

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            text = microversion_parse.get_version(
                req.headers, service_type=SERVICE_TYPE)
            version = parse(text)
        except ValueError as exc:
            return self._decorate(errors.response(400, str(exc)),
                                  MIN_VERSION)
        if not MIN_VERSION <= version <= MAX_VERSION:
            return self._decorate(errors.response(
                406, 'Version %s is not supported: this Promise speaks '
                     'reservation %s to %s.'
                % (version_string(version), version_string(MIN_VERSION),
                   version_string(MAX_VERSION))), MIN_VERSION)
        req.environ[ENV_KEY] = version
        return self._decorate(req.get_response(self.app), version)

    @staticmethod
    def _decorate(resp, version):
        resp.headers[HEADER] = '%s %s' % (SERVICE_TYPE,
                                          version_string(version))
        vary = resp.headers.get('Vary')
        resp.headers['Vary'] = HEADER if not vary else '%s, %s' % (vary,
                                                                   HEADER)
        return resp
