"""promise-all: API and manager in one process, for a laptop.

Uses oslo.messaging's in-process transport and, unless configured
otherwise, SQLite under [DEFAULT] state_path; the schema is brought up to
date at start.
"""

import os
import signal
import sys
import threading

from oslo_log import log as logging
from oslo_messaging import opts as messaging_opts

from promise.api import app as api_app
from promise.cmd import api as api_cmd
from promise.cmd import manager as manager_cmd
from promise.common import config
from promise.common import transport
from promise import conf
from promise.db import migration
from promise.manager import service

CONF = conf.CONF
LOG = logging.getLogger(__name__)


def main():
    # oslo.messaging registers its options lazily; register them now so the
    # in-process transport can be the default here.
    for group, opts in messaging_opts.list_opts():
        if group is None:
            CONF.register_opts(opts)
    CONF.set_default('transport_url', 'fake:/')
    config.parse_args(sys.argv, sqlite_default=True)
    os.makedirs(CONF.state_path, exist_ok=True)
    migration.upgrade('head')
    transport.init(CONF)
    manager_cmd.warn_if_no_nova()
    manager = service.ManagerService()
    manager.start()
    server = api_cmd.serve(api_app.setup_app())

    def _stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.serve_forever()
    manager.stop()
    manager.wait()
    transport.cleanup()
