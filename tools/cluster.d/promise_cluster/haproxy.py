"""HAProxy in front of the Galera nodes as kolla-ansible configures it: one
writer at a time (node 1, the others ``backup``), MySQL health checks, so
every client writes through the same node and certification conflicts
between clients stay rare."""

import os
import shutil
import signal
import subprocess

from promise_cluster import common


def _dir():
    return os.path.join(common.state_dir(), 'haproxy')


def pid_file():
    return os.path.join(_dir(), 'haproxy.pid')


def ensure_installed():
    if not shutil.which('haproxy'):
        common.apt_install('haproxy')


def config():
    lines = [
        'global',
        '    maxconn 2000',
        'defaults',
        '    mode tcp',
        '    timeout connect 5s',
        # Idle pooled connections are recycled by oslo.db before this.
        '    timeout client 3600s',
        '    timeout server 3600s',
        'listen galera',
        '    bind %s:%d' % (common.HOST, common.haproxy_port()),
        '    option mysql-check user haproxy post-41',
        # A killed writer is out within ~2 s; its sessions are cut so that
        # clients reconnect to the next node instead of hanging.
        '    default-server inter 1s fall 2 rise 3 on-marked-down '
        'shutdown-sessions',
    ]
    for n in common.NODES:
        lines.append('    server galera%d %s:%d check%s' % (
            n, common.HOST, common.ports(n)['sql'],
            '' if n == 1 else ' backup'))
    return '\n'.join(lines) + '\n'


def running():
    return common.pid_alive(common.read_pid(pid_file()))


def up():
    ensure_installed()
    os.makedirs(_dir(), exist_ok=True)
    cfg = os.path.join(_dir(), 'haproxy.cfg')
    with open(cfg, 'w') as f:
        f.write(config())
    if running():
        return
    common.run(['haproxy', '-c', '-f', cfg])
    subprocess.run(['haproxy', '-D', '-f', cfg, '-p', pid_file()],
                   check=True, stdin=subprocess.DEVNULL, timeout=30)
    common.wait_for(lambda: common.port_open(common.haproxy_port()), 30,
                    'HAProxy on port %d' % common.haproxy_port())


def down():
    p = common.read_pid(pid_file())
    if common.pid_alive(p):
        os.kill(p, signal.SIGTERM)
        common.wait_for(lambda: not common.pid_alive(p), 30,
                        'HAProxy to stop', 0.2)


def url(database=''):
    return 'mysql+pymysql://root@%s:%d/%s' % (
        common.HOST, common.haproxy_port(), database)
