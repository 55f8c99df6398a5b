"""promise-manager: RPC server and the lease event loop."""

import signal
import sys
import threading

from oslo_log import log as logging

from promise.clients import keystone
from promise.common import config
from promise.common import transport
from promise import conf
from promise.manager import service

CONF = conf.CONF
LOG = logging.getLogger(__name__)


def warn_if_no_nova():
    """One line at start instead of a traceback every periodic pass."""
    if not keystone.configured('nova'):
        LOG.warning('%s Leases without Nova work still run.',
                    keystone.NOT_CONFIGURED % {'group': 'nova'})


def run(svc):
    """Start ``svc`` and block until SIGTERM or SIGINT stops it."""
    stopping = threading.Event()

    def _stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    config.reload_on_sighup('promise-manager')
    svc.start()
    while not stopping.wait(1):
        pass
    svc.stop()
    svc.wait()


def main():
    config.parse_args(sys.argv)
    transport.init(CONF)
    warn_if_no_nova()
    run(service.ManagerService())
    transport.cleanup()
