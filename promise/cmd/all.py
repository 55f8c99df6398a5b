"""promise-all: API and manager in one process, for a laptop.

Uses oslo.messaging's in-process transport and, unless configured
otherwise, SQLite under [DEFAULT] state_path; the schema is brought up to
date at start. ``--fake-hosts N`` registers N hosts that exist only in
Promise's database, for trying host leases without a cloud.
"""

import errno
import os
import signal
import socket
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging
from oslo_messaging import opts as messaging_opts
import sqlalchemy as sa

from promise.api import app as api_app
from promise.cmd import api as api_cmd
from promise.cmd import manager as manager_cmd
from promise.common import config
from promise.common import transport
from promise import conf
from promise import context
from promise.db import api as db
from promise.db import migration
from promise.db import models
from promise.manager import service

CONF = conf.CONF
LOG = logging.getLogger(__name__)

CLI_OPTS = [
    cfg.IntOpt('fake-hosts', default=0, min=0, max=1000,
               help='Register this many hosts (fake-host-1, ...) that exist '
                    'only in Promise\'s database, so that host leases can '
                    'be tried without Nova. Their leases start and end, '
                    'but nothing happens in any cloud.'),
]
FAKE_HOST = 'fake-host-%d'
# What a fake host says it has (as a small compute node would).
FAKE_SIZE = {'vcpus': 8, 'memory_mb': 16384, 'local_gb': 100}


def exit_if_port_taken(host, port, stream=sys.stderr):
    """Stop before touching the database when the API could not listen."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    except OSError as exc:
        why = ('is in use' if exc.errno == errno.EADDRINUSE
               else 'cannot be listened on (%s)' % exc.strerror)
        stream.write('promise-all: %s:%d %s; set another [api] port (or '
                     '[api] host) in the configuration file.\n'
                     % (host, port, why))
        raise SystemExit(2)
    finally:
        probe.close()


def add_fake_hosts(count):
    """fake-host-1..count, unless already there. Returns how many were
    added."""
    added = 0
    with db.writer(context.admin_context()) as session:
        known = set(session.scalars(sa.select(
            models.Host.hypervisor_hostname)))
        # Ids are Nova's hypervisor ids for real hosts; these follow them.
        next_id = (session.scalar(sa.select(sa.func.max(models.Host.id)))
                   or 0) + 1
        for i in range(1, count + 1):
            name = FAKE_HOST % i
            if name in known:
                continue
            host = models.Host(
                id=next_id, hypervisor_hostname=name, service_name=name,
                hypervisor_type='fake', hypervisor_version=1,
                cpu_info='{}', reservable=True, generation=0,
                capacity_vcpus=FAKE_SIZE['vcpus'],
                capacity_memory_mb=FAKE_SIZE['memory_mb'],
                capacity_disk_gb=FAKE_SIZE['local_gb'], **FAKE_SIZE)
            session.add(host)
            next_id += 1
            added += 1
    if added:
        LOG.info('%d fake host(s) registered (no Nova behind them)', added)
    return added


def main():
    # oslo.messaging registers its options lazily; register them now so the
    # in-process transport can be the default here.
    for group, opts in messaging_opts.list_opts():
        if group is None:
            CONF.register_opts(opts)
    CONF.set_default('transport_url', 'fake:/')
    CONF.register_cli_opts(CLI_OPTS)
    config.parse_args(sys.argv, sqlite_default=True)
    exit_if_port_taken(CONF.api.host, CONF.api.port)
    os.makedirs(CONF.state_path, exist_ok=True)
    migration.upgrade('head')
    if CONF.fake_hosts:
        add_fake_hosts(CONF.fake_hosts)
    transport.init(CONF)
    manager_cmd.warn_if_no_nova()
    manager = service.ManagerService()
    manager.start()
    server = api_cmd.serve(api_app.setup_app())

    def _stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    config.reload_on_sighup('promise-all')
    server.serve_forever()
    manager.stop()
    manager.wait()
    transport.cleanup()
