"""Three mariadbd processes replicating with Galera (Debian's galera-4),
every address pinned to 127.0.0.1, state transfer by rsync.

Node 1 bootstraps the cluster; nodes 2 and 3 join it by SST. A node that
was killed rejoins with ``start(node)``: it recovers its position and takes
IST or SST from the others, as a crashed server does."""

import os
import pwd
import shutil
import signal
import subprocess
import time

from promise_cluster import common

PROVIDER = '/usr/lib/galera/libgalera_smm.so'
MARIADBD = '/usr/sbin/mariadbd'


def node_dir(node):
    return os.path.join(common.state_dir(), 'galera%d' % node)


def socket_path(node):
    return os.path.join(node_dir(node), 'mysqld.sock')


def ensure_installed():
    missing = [p for p, pkg in ((MARIADBD, 'mariadb-server'),
                                (PROVIDER, 'galera-4'),
                                ('/usr/bin/rsync', 'rsync'),
                                ('/usr/bin/wsrep_sst_rsync',
                                 'mariadb-server'))
               if not os.path.exists(p)]
    if missing:
        common.apt_install('mariadb-server', 'mariadb-client', 'galera-4',
                           'rsync')


def _config(node):
    p = common.ports(node)
    peers = ','.join('%s:%d' % (common.HOST, common.ports(n)['gcomm'])
                     for n in common.NODES)
    d = node_dir(node)
    provider_options = ';'.join([
        'gmcast.listen_addr=tcp://%s:%d' % (common.HOST, p['gcomm']),
        'ist.recv_addr=%s:%d' % (common.HOST, p['ist']),
        'base_port=%d' % p['gcomm'],
        # A SIGKILLed node is declared gone within seconds, not 15 s.
        'evs.suspect_timeout=PT3S', 'evs.inactive_timeout=PT6S',
        'gcache.size=64M'])
    return '\n'.join([
        '[mysqld]',
        'user = %s' % _user(),
        'datadir = %s/data' % d,
        'socket = %s' % socket_path(node),
        'pid-file = %s/mysqld.pid' % d,
        'log-error = %s/error.log' % d,
        'bind-address = %s' % common.HOST,
        'port = %d' % p['sql'],
        'skip-name-resolve = OFF',
        'max_connections = 500',
        'binlog_format = ROW',
        'default_storage_engine = InnoDB',
        'innodb_autoinc_lock_mode = 2',
        'innodb_buffer_pool_size = 64M',
        'innodb_log_file_size = 48M',
        # Galera makes a commit durable on the other nodes.
        'innodb_flush_log_at_trx_commit = 0',
        'character_set_server = utf8mb4',
        'wsrep_on = ON',
        'wsrep_provider = %s' % PROVIDER,
        'wsrep_cluster_name = promise-cluster',
        'wsrep_cluster_address = gcomm://%s' % peers,
        'wsrep_node_name = galera%d' % node,
        'wsrep_node_address = %s:%d' % (common.HOST, p['gcomm']),
        'wsrep_node_incoming_address = %s:%d' % (common.HOST, p['sql']),
        'wsrep_provider_options = "%s"' % provider_options,
        'wsrep_sst_method = rsync',
        'wsrep_sst_receive_address = %s:%d' % (common.HOST, p['sst']),
        'wsrep_slave_threads = 2',
        '',
    ])


def _user():
    # Not root: rsync's SST daemon would drop to "nobody" and fail to write.
    return 'mysql' if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())[0]


def _defaults_file(node):
    return os.path.join(node_dir(node), 'my.cnf')


def prepare(node):
    d = node_dir(node)
    os.makedirs(os.path.join(d, 'data'), exist_ok=True)
    with open(_defaults_file(node), 'w') as f:
        f.write(_config(node))
    if os.geteuid() == 0:
        for path in (d, os.path.join(d, 'data')):
            shutil.chown(path, _user(), _user())
    if node == 1 and not os.path.exists(os.path.join(d, 'data', 'mysql')):
        # Only the first node gets a system database: the others receive
        # everything by SST.
        common.run(['mariadb-install-db',
                    '--defaults-file=%s' % _defaults_file(node),
                    '--user=%s' % _user(),
                    '--auth-root-authentication-method=normal',
                    '--skip-test-db'], timeout=300)


def pid(node):
    return common.read_pid(os.path.join(node_dir(node), 'mysqld.pid'))


def running(node):
    return common.pid_alive(pid(node))


def start(node, bootstrap=False, timeout=180):
    if running(node):
        return
    prepare(node)
    argv = [MARIADBD, '--defaults-file=%s' % _defaults_file(node)]
    if bootstrap:
        argv.append('--wsrep-new-cluster')
    log = open(os.path.join(node_dir(node), 'mysqld.out'), 'ab')
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()

    def synced():
        if proc.poll() is not None:
            raise common.ClusterError(
                'galera%d exited (%s):\n%s' % (
                    node, proc.returncode,
                    common.tail(os.path.join(node_dir(node), 'error.log'))))
        return status(node).get('wsrep_local_state_comment') == 'Synced'
    common.wait_for(synced, timeout, 'galera%d to be Synced' % node)


def sql(node, statement, timeout=30):
    """Run one statement on a node over its socket; rows as tab lines."""
    proc = common.run(['mariadb', '--no-defaults', '-S', socket_path(node),
                       '-uroot', '-N', '-B', '-e', statement],
                      timeout=timeout, check=False)
    if proc.returncode != 0:
        return None
    return [line.split('\t') for line in proc.stdout.splitlines()]


def status(node):
    if not os.path.exists(socket_path(node)):
        return {}
    rows = sql(node, "SHOW GLOBAL STATUS LIKE 'wsrep_%'", timeout=10)
    return dict(rows) if rows else {}


def bootstrap_users():
    # Root from 127.0.0.1 without a password (as the machine's MariaDB),
    # and HAProxy's health-check user.
    sql(1, "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; "
           "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; "
           "CREATE USER IF NOT EXISTS 'haproxy'@'127.0.0.1'; "
           "FLUSH PRIVILEGES")


def kill(node, sig=signal.SIGKILL):
    p = pid(node)
    if common.pid_alive(p):
        os.kill(p, sig)
        common.wait_for(lambda: not common.pid_alive(p), 60,
                        'galera%d to exit' % node, interval=0.2)


def stop(node):
    p = pid(node)
    if not common.pid_alive(p):
        return
    os.kill(p, signal.SIGTERM)
    try:
        common.wait_for(lambda: not common.pid_alive(p), 60,
                        'galera%d to stop' % node, interval=0.2)
    except common.ClusterError:
        os.kill(p, signal.SIGKILL)
        time.sleep(1)


def up():
    ensure_installed()
    alive = [n for n in common.NODES if running(n)]
    if alive:
        # A cluster that lost nodes is mended, never rebuilt: the dead
        # rejoin and take the survivors' data.
        for n in common.NODES:
            start(n)
        return
    # Nothing runs: a new cluster, from nothing (down removes the data).
    for n in common.NODES:
        shutil.rmtree(node_dir(n), True)
    start(1, bootstrap=True)
    bootstrap_users()
    for n in (2, 3):
        start(n)


def down():
    for n in reversed(common.NODES):
        stop(n)


def cluster_size(node):
    try:
        return int(status(node).get('wsrep_cluster_size', 0))
    except ValueError:
        return 0


def url(node, database=''):
    return 'mysql+pymysql://root@%s:%d/%s' % (
        common.HOST, common.ports(node)['sql'], database)
