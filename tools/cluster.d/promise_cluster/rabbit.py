"""Three RabbitMQ nodes of Debian's rabbitmq-server clustered on one
machine: their own node names, ports, mnesia and Erlang cookie; the AMQP
listener, the Erlang distribution and epmd on 127.0.0.1 only."""

import os
import shutil
import signal
import subprocess

from promise_cluster import common

SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl'


def node_name(node):
    return 'promise-rmq%d@localhost' % node


def node_dir(node):
    return os.path.join(common.state_dir(), 'rabbit%d' % node)


def home():
    return os.path.join(common.state_dir(), 'rabbit-home')


def ensure_installed():
    if not (os.path.exists(SERVER) and os.path.exists(CTL)):
        common.apt_install('rabbitmq-server')


def env(node):
    d = node_dir(node)
    p = common.ports(node)
    return dict(
        os.environ,
        # The Erlang cookie is read from $HOME: one for the three nodes and
        # rabbitmqctl, not the machine's RabbitMQ's.
        HOME=home(),
        RABBITMQ_NODENAME=node_name(node),
        RABBITMQ_NODE_IP_ADDRESS=common.HOST,
        RABBITMQ_NODE_PORT=str(p['amqp']),
        RABBITMQ_DIST_PORT=str(p['dist']),
        RABBITMQ_MNESIA_BASE=os.path.join(d, 'mnesia'),
        RABBITMQ_LOG_BASE=os.path.join(d, 'log'),
        RABBITMQ_CONFIG_FILE=os.path.join(d, 'rabbitmq.conf'),
        RABBITMQ_CONF_ENV_FILE=os.path.join(d, 'rabbitmq-env.conf'),
        RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(d, 'enabled_plugins'),
        RABBITMQ_PID_FILE=os.path.join(d, 'rabbitmq.pid'),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=(
            '-kernel inet_dist_use_interface {127,0,0,1}'),
        ERL_EPMD_ADDRESS=common.HOST,
        ERL_CRASH_DUMP=os.path.join(d, 'erl_crash.dump'))


def prepare(node):
    d = node_dir(node)
    os.makedirs(d, exist_ok=True)
    os.makedirs(home(), exist_ok=True)
    cookie = os.path.join(home(), '.erlang.cookie')
    if not os.path.exists(cookie):
        with open(cookie, 'w') as f:
            f.write(os.urandom(16).hex().upper())
        os.chmod(cookie, 0o400)
    with open(os.path.join(d, 'rabbitmq.conf'), 'w') as f:
        f.write('listeners.tcp.local = %s:%d\n'
                % (common.HOST, common.ports(node)['amqp']))
        f.write('loopback_users.guest = true\n')
        # A node that loses the others pauses rather than split-brains.
        f.write('cluster_partition_handling = pause_minority\n')
    with open(os.path.join(d, 'enabled_plugins'), 'w') as f:
        f.write('[].\n')
    open(os.path.join(d, 'rabbitmq-env.conf'), 'w').close()


def ctl(node, *args, timeout=120, check=True):
    return common.run([CTL, '-n', node_name(node)] + list(args),
                      timeout=timeout, env=env(node), check=check)


def pid(node):
    return common.read_pid(os.path.join(node_dir(node), 'rabbitmq.pid'))


def running(node):
    return common.pid_alive(pid(node))


def start(node, timeout=180):
    if running(node):
        return
    prepare(node)
    log = open(os.path.join(node_dir(node), 'server.out'), 'ab')
    proc = subprocess.Popen([SERVER], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env(node),
                            cwd=node_dir(node), start_new_session=True)
    log.close()
    # rabbitmq-server writes its pid file itself (RABBITMQ_PID_FILE).

    def booted():
        if proc.poll() is not None:
            raise common.ClusterError(
                'rabbit node %d exited (%s):\n%s' % (
                    node, proc.returncode,
                    common.tail(os.path.join(node_dir(node), 'server.out'))))
        return ctl(node, 'await_startup', '--timeout', '5', timeout=30,
                   check=False).returncode == 0
    common.wait_for(booted, timeout, 'rabbit node %d to boot' % node, 1)


def join(node):
    """Make a fresh node a member of node 1's cluster."""
    ctl(node, 'stop_app')
    ctl(node, 'join_cluster', node_name(1))
    ctl(node, 'start_app')


def running_nodes(node):
    proc = ctl(node, 'cluster_status', '--formatter', 'json', timeout=30,
               check=False)
    if proc.returncode != 0:
        return []
    import json
    try:
        text = proc.stdout[proc.stdout.index('{'):]
        return sorted(json.loads(text).get('running_nodes', []))
    except ValueError:
        return []


def kill(node):
    p = pid(node)
    if common.pid_alive(p):
        # The whole process group: beam.smp and its erl_child_setup.
        os.killpg(os.getpgid(p), signal.SIGKILL)
        common.wait_for(lambda: not common.pid_alive(p), 60,
                        'rabbit node %d to exit' % node, 0.2)


def stop(node):
    if running(node):
        ctl(node, 'stop', timeout=120, check=False)
    if running(node):
        kill(node)


def up():
    ensure_installed()
    if any(running(n) for n in common.NODES):
        # Mended, not rebuilt: a dead node starts on its own mnesia and
        # rejoins.
        for n in common.NODES:
            start(n)
    else:
        for n in common.NODES:
            shutil.rmtree(node_dir(n), True)
        for n in common.NODES:
            start(n)
            if n != 1:
                join(n)
    common.wait_for(lambda: len(running_nodes(1)) == 3, 60,
                    'a RabbitMQ cluster of three nodes')


def down():
    for n in reversed(common.NODES):
        stop(n)


def transport_url(order=common.NODES):
    """oslo.messaging's URL naming every node, ``order`` first."""
    return 'rabbit://%s/' % ','.join(
        'guest:guest@%s:%d' % (common.HOST, common.ports(n)['amqp'])
        for n in order)


def kombu_url(node):
    return 'amqp://guest:guest@%s:%d//' % (common.HOST,
                                           common.ports(node)['amqp'])
