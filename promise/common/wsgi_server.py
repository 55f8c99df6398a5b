"""A small threaded HTTP server for promise-api and promise-all.

Production deployments run promise.wsgi.api under uwsgi or gunicorn; this
server is for the console scripts (development, tests, the demo).
"""

import socketserver
from wsgiref import simple_server

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(simple_server.WSGIRequestHandler):

    def log_request(self, code='-', size='-'):
        """The application's RequestLog middleware logs each request,
        with its request id; this server's errors are still logged."""

    def log_message(self, fmt, *args):
        LOG.info('%s %s', self.address_string(), fmt % args)


def make_server(app, host, port):
    return simple_server.make_server(host, port, app, server_class=_Server,
                                     handler_class=_Handler)
