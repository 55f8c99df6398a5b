"""promise-api: serves the REST API; changes go to promise-manager."""

import signal
import sys
import threading

from oslo_log import log as logging

from promise.api import app as api_app
from promise.common import config
from promise.common import transport
from promise.common import wsgi_server
from promise import conf

CONF = conf.CONF
LOG = logging.getLogger(__name__)


def serve(app, ready=None):
    server = wsgi_server.make_server(app, CONF.api.host, CONF.api.port)
    LOG.info('promise-api listening on http://%s:%d', CONF.api.host,
             server.server_port)
    if ready is not None:
        ready(server)
    return server


def main():
    config.parse_args(sys.argv)
    transport.init(CONF)
    server = serve(api_app.setup_app())

    def _stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    config.reload_on_sighup('promise-api')
    server.serve_forever()
    transport.cleanup()
