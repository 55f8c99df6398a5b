# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""MariaDB and RabbitMQ: the machine's when they answer on their usual
ports, else private ones run under the state dir (apt-installed when
missing); and on them this cloud's databases, vhost and users, all named
after prefix() so that two clouds never share them.
"""

import os
import subprocess
import time

from minicloud import procs
from minicloud import settings
from minicloud import util
from minicloud.util import Failure
from minicloud.util import say
from minicloud import venv

SERVICE_DBS = ['keystone', 'placement', 'glance', 'nova_api', 'nova',
               'nova_cell0', 'neutron']


def prefix():
    """Names of our databases/vhost/users; unique per state dir."""
    default = os.path.abspath(os.path.expanduser(settings.DEFAULT_STATE))
    if settings.STATE == default:
        return 'minicloud'
    return 'minicloud_' + util.sha256_of(settings.STATE)[:8]


def db_names(cloud):
    names = SERVICE_DBS + (['promise'] if cloud.get('promise') else [])
    return ['%s_%s' % (prefix(), n) for n in names]


def _choose(cloud, key, shared, private):
    """cloud[key], chosen once: the machine's server when it answers (and
    MINICLOUD_PRIVATE_SERVICES=1 does not force a private one), else
    private."""
    if cloud.get(key) is None:
        forced = os.environ.get('MINICLOUD_PRIVATE_SERVICES') == '1'
        if not forced and util.port_answers(shared['port']):
            cloud[key] = dict(shared, private=False)
        else:
            cloud[key] = dict(private, private=True)
    return cloud[key]


def _check_machine_server(label, service, port):
    if not util.port_answers(port):
        raise Failure(service, 'the machine %s on %s:%s does not answer any '
                      'more' % (label, settings.HOST, port))
    say('using the machine %s on %s:%s' % (label, settings.HOST, port))


# --------------------------------------------------------------------------
# MariaDB

def ensure_db_server(cloud):
    db = _choose(cloud, 'db', {'port': settings.SHARED_DB_PORT}, {
        'port': settings.PRIVATE_DB_PORT + settings.port_offset()})
    if db['private']:
        start_private_mariadb(db['port'])
    else:
        _check_machine_server('MariaDB', 'mariadb', db['port'])


def start_private_mariadb(port):
    name = 'mariadb'
    base = os.path.join(settings.STATE, 'mysql')
    log = settings.log_of(name)
    if procs.service_alive(name) and util.port_answers(port):
        return
    if not os.path.exists('/usr/sbin/mariadbd'):
        # Debian starts the packaged server where it can; it is not ours.
        venv.apt_install(['mariadb-server'], name)
    say('starting a private MariaDB on %s:%s' % (settings.HOST, port))
    if util.port_answers(port):
        raise Failure(name, 'port %s:%s is already taken by another process'
                      % (settings.HOST, port), log)
    cnf = os.path.join(base, 'my.cnf')
    util.write_file(cnf, '\n'.join([
        '[mysqld]', 'user = mysql', 'bind-address = %s' % settings.HOST,
        'port = %d' % port, 'datadir = %s/data' % base,
        'socket = %s/mysqld.sock' % base, 'pid-file = %s/mysqld.pid' % base,
        'log-error = %s' % log, 'skip-name-resolve',
        'max_connections = 1000', 'innodb_buffer_pool_size = 64M',
        '[client]', 'socket = %s/mysqld.sock' % base, '']))
    os.makedirs(settings.LOGS, exist_ok=True)
    # mariadbd runs as mysql: it must own its files and reach them.
    subprocess.call(['chown', '-R', 'mysql:', base])
    subprocess.call(['chmod', '755', settings.STATE])
    if not os.path.isdir(os.path.join(base, 'data', 'mysql')):
        procs.run_logged(name, ['mariadb-install-db', '--defaults-file=' + cnf,
                                '--user=mysql',
                                '--auth-root-authentication-method=normal',
                                '--skip-test-db'], log)
    subprocess.call(['touch', log])
    subprocess.call(['chown', 'mysql:', log])
    procs.spawn(name, ['/usr/sbin/mariadbd', '--defaults-file=' + cnf],
                logged=False)
    procs.wait_port(name, port, 60)


def sql_admin(cloud, script_args, log, service='mariadb'):
    """Run tools/minicloud.d/dbtool.py (PyMySQL, as root) with the venv."""
    helper = os.path.join(settings.SUPPORT, 'dbtool.py')
    argv = [settings.vbin('python'), helper,
            '--port', str(cloud['db']['port'])]
    procs.run_logged(service, argv + script_args, log, timeout=120)


def create_databases(cloud, secrets_):
    names = db_names(cloud)
    say('creating databases %s' % ', '.join(names))
    sql_admin(cloud, ['create', '--user', cloud['dbuser'], '--password',
                      secrets_['db'], '--databases'] + names,
              settings.log_of('mariadb-setup'))


# --------------------------------------------------------------------------
# RabbitMQ

def ensure_mq_server(cloud):
    mq = _choose(cloud, 'mq',
                 {'port': settings.SHARED_MQ_PORT, 'node': None},
                 {'port': settings.PRIVATE_MQ_PORT + settings.port_offset(),
                  'node': settings.PRIVATE_MQ_NODE})
    if mq['private']:
        start_private_rabbitmq(cloud, mq)
    else:
        _check_machine_server('RabbitMQ', 'rabbitmq', mq['port'])


def rabbit_env(mq):
    env = procs.base_env()
    if mq['private']:
        base = os.path.join(settings.STATE, 'rabbitmq')
        env.update({
            'RABBITMQ_NODENAME': mq['node'],
            'RABBITMQ_NODE_IP_ADDRESS': settings.HOST,
            'RABBITMQ_NODE_PORT': str(mq['port']),
            'RABBITMQ_DIST_PORT': str(mq['port'] + 20000),
            'ERL_EPMD_ADDRESS': settings.HOST,
            'RABBITMQ_MNESIA_BASE': os.path.join(base, 'mnesia'),
            'RABBITMQ_LOG_BASE': os.path.join(base, 'log'),
            'RABBITMQ_PID_FILE': os.path.join(base, 'rabbit.pid'),
            'RABBITMQ_CONFIG_FILE': os.path.join(base, 'rabbitmq'),
            'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(base, 'plugins'),
            'RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS':
                '-kernel inet_dist_use_interface {127,0,0,1}',
        })
    return env


def _ctl_argv(mq, args):
    node = ['-n', mq['node']] if mq.get('node') else []
    return [settings.RABBITMQCTL, '-q'] + node + list(args)


def rabbitmqctl(mq, *args, log=None, check=True):
    """Run rabbitmqctl; True when it succeeded.  With log, its output goes
    there and a failure raises (unless check is false)."""
    argv = _ctl_argv(mq, args)
    if log:
        try:
            procs.run_logged('rabbitmq', argv, log, env=rabbit_env(mq),
                             timeout=120)
            return True
        except Failure:
            if check:
                raise
            return False
    return subprocess.call(argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=rabbit_env(mq),
                           timeout=120) == 0


def start_private_rabbitmq(cloud, mq):
    base = os.path.join(settings.STATE, 'rabbitmq')
    log = settings.log_of('rabbitmq-setup')
    if rabbitmqctl(mq, 'status') and util.port_answers(mq['port']):
        return
    if not os.path.exists(settings.RABBITMQCTL):
        venv.apt_install(['rabbitmq-server'], 'rabbitmq')
    if util.port_answers(mq['port']):
        raise Failure('rabbitmq', 'port %s:%s is already taken by another '
                      'process' % (settings.HOST, mq['port']), log)
    say('starting a private RabbitMQ on %s:%s' % (settings.HOST, mq['port']))
    util.write_file(os.path.join(base, 'rabbitmq.conf'),
                    'listeners.tcp.default = %s:%d\nloopback_users = none\n'
                    % (settings.HOST, mq['port']))
    util.write_file(os.path.join(base, 'plugins'), '[].\n')
    for d in ('mnesia', 'log'):
        os.makedirs(os.path.join(base, d), exist_ok=True)
    subprocess.call(['chown', '-R', 'rabbitmq:', base])
    subprocess.call(['chmod', '755', settings.STATE])
    # `down` stops epmd only when it was not running before us.
    cloud['epmd_was_running'] = util.port_answers(4369)
    procs.run_logged('rabbitmq', ['rabbitmq-server', '-detached'], log,
                     env=rabbit_env(mq))
    deadline = time.monotonic() + 90
    while not rabbitmqctl(mq, 'await_startup'):
        if time.monotonic() > deadline:
            raise Failure('rabbitmq', 'private RabbitMQ did not start',
                          os.path.join(base, 'log'))
        time.sleep(1)


def create_vhost(cloud, secrets_):
    """This cloud's vhost and user (guest on / without rabbitmqctl)."""
    mq = cloud['mq']
    log = settings.log_of('rabbitmq-setup')
    if not os.path.exists(settings.RABBITMQCTL):
        say('WARNING: %s not found; using guest on vhost / of the machine '
            'RabbitMQ' % settings.RABBITMQCTL)
        cloud['mq_user'], cloud['mq_vhost'] = 'guest', '/'
        secrets_['mq'] = 'guest'
        return
    user = vhost = prefix()
    say('creating RabbitMQ vhost %s and user %s' % (vhost, user))
    existing = subprocess.run(_ctl_argv(mq, ['list_vhosts']),
                              capture_output=True, text=True,
                              env=rabbit_env(mq)).stdout.split()
    if vhost not in existing:
        rabbitmqctl(mq, 'add_vhost', vhost, log=log)
    if not rabbitmqctl(mq, 'change_password', user, secrets_['mq']):
        rabbitmqctl(mq, 'add_user', user, secrets_['mq'], log=log)
    rabbitmqctl(mq, 'set_permissions', '-p', vhost, user, '.*', '.*', '.*',
                log=log)
    cloud['mq_user'], cloud['mq_vhost'] = user, vhost
