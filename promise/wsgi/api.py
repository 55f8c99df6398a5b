"""WSGI entry point for uwsgi / gunicorn / mod_wsgi.

Configuration files, as Nova and Placement find theirs:

* ``OS_PROMISE_CONFIG_FILES``: file names separated by ``;``, relative to
  ``OS_PROMISE_CONFIG_DIR`` (default ``/etc/promise``); ``promise.conf``
  when unset.
* ``PROMISE_CONFIG_FILES``: comma separated paths (older name, written by
  the devstack plugin); used when ``OS_PROMISE_CONFIG_FILES`` and
  ``OS_PROMISE_CONFIG_DIR`` are unset.

The application is built when this module is imported, so that a worker
with a bad configuration fails to start instead of answering 500 to every
request, and so that concurrent first requests find it ready. Command-line
arguments are not parsed: they belong to the WSGI server.
"""

import threading

from promise.api import app as api_app
from promise.common import config
from promise.common import transport
from promise import conf

CONF = conf.CONF

_lock = threading.Lock()
_application = None


def init_application():
    """The WSGI application, built once per process."""
    global _application
    with _lock:
        if _application is None:
            try:
                config.parse_args(
                    ['promise-api'],
                    default_config_files=config.wsgi_config_files())
            except SystemExit as exc:
                # A WSGI server restarts a worker that exits; an exception
                # at import makes it give up (gunicorn: "Worker failed to
                # boot"). The message is on stderr already.
                raise RuntimeError('promise.wsgi.api: invalid configuration '
                                   '(exit status %s)' % exc.code)
            transport.init(CONF)
            _application = api_app.setup_app()
        return _application


application = init_application()
