# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""One INFO line per API call, whatever serves the application.

uwsgi and gunicorn log requests in their own formats (if at all), without
the request id or the microversion; this line has both, in the service's
own log, so an operator can go from a user's ``X-OpenStack-Request-Id`` to
what happened. The shape follows Placement's RequestLog::

    10.0.0.5 "GET /v1/leases?limit=5" status: 200 len: 1234
    microversion: 1.0 time: 0.012345 request_id: req-...
"""

import time

from oslo_log import log as logging

from promise.api.middleware import microversion

LOG = logging.getLogger(__name__)

# The path and query as logged; a request line can be kilobytes long.
MAX_URI = 1000
REQUEST_ID_ENV = 'openstack.request_id'

FORMAT = ('%(remote)s "%(method)s %(uri)s" status: %(status)s '
          'len: %(length)s microversion: %(microversion)s '
          'time: %(time).6f request_id: %(request_id)s')


def _uri(environ):
    uri = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    if environ.get('QUERY_STRING'):
        uri += '?' + environ['QUERY_STRING']
    if len(uri) > MAX_URI:
        uri = uri[:MAX_URI] + '...'
    # One line per request, whatever the path holds.
    return uri.replace('\n', '\\n').replace('\r', '\\r')


def _microversion(environ):
    version = environ.get(microversion.ENV_KEY)
    return microversion.version_string(version) if version else '-'


class RequestLog:
    """WSGI middleware: logs each request when its response starts (or
    when the application raises instead)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not LOG.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.monotonic()
        logged = []

        def start_logged(status, headers, exc_info=None):
            length = '-'
            for name, value in headers:
                if name.lower() == 'content-length':
                    length = value
            if not logged:
                logged.append(True)
                self.write(environ, status.split(None, 1)[0], length,
                           time.monotonic() - started)
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start_logged)
        except Exception:
            if not logged:
                self.write(environ, '500', '-', time.monotonic() - started)
            raise

    @staticmethod
    def write(environ, status, length, elapsed):
        LOG.info(FORMAT, {
            'remote': environ.get('REMOTE_ADDR') or '-',
            'method': environ.get('REQUEST_METHOD', '-'),
            'uri': _uri(environ),
            'status': status,
            'length': length,
            'microversion': _microversion(environ),
            'time': elapsed,
            'request_id': environ.get(REQUEST_ID_ENV, '-'),
        })
