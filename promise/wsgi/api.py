"""WSGI entry point for uwsgi / gunicorn / mod_wsgi.

Configuration comes from /etc/promise/promise.conf, or from the files named
in PROMISE_CONFIG_FILES (comma separated). Command-line arguments are not
parsed: they belong to the WSGI server.
"""

import os

from promise.api import app as api_app
from promise.common import config
from promise.common import transport
from promise import conf

CONF = conf.CONF


def init_application():
    files = os.environ.get('PROMISE_CONFIG_FILES')
    config.parse_args(['promise-api'],
                      default_config_files=(files.split(',') if files
                                            else None))
    transport.init(CONF)
    return api_app.setup_app()


class _LazyApplication:
    """Builds the app on the first request, not at import time."""

    def __init__(self):
        self._app = None

    def __call__(self, environ, start_response):
        if self._app is None:
            self._app = init_application()
        return self._app(environ, start_response)


application = _LazyApplication()
