"""What the cluster's parts share: the state directory, the ports, running
commands and waiting for them."""

import json
import os
import shutil
import socket
import subprocess
import time

NODES = (1, 2, 3)
HOST = '127.0.0.1'


def state_dir():
    return os.environ.get('PROMISE_CLUSTER_STATE', '/var/tmp/promise-cluster')


def port_base():
    return int(os.environ.get('PROMISE_CLUSTER_PORT_BASE', '23000'))


def ports(node):
    """Every port of node 1..3, each on 127.0.0.1 (node 0: HAProxy)."""
    base = port_base() + 10 * node
    return {'sql': base + 1, 'gcomm': base + 2, 'ist': base + 3,
            'sst': base + 4, 'amqp': base + 5, 'dist': base + 6}


def haproxy_port():
    return port_base() + 1


class ClusterError(Exception):
    pass


def run(argv, timeout=120, env=None, check=True):
    proc = subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          timeout=timeout, text=True, env=env)
    if check and proc.returncode != 0:
        raise ClusterError('%s failed (%s):\n%s'
                           % (' '.join(argv), proc.returncode, proc.stdout))
    return proc


def port_open(port, host=HOST):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_for(predicate, timeout, what, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise ClusterError('timed out after %ss waiting for %s'
                               % (timeout, what))
        time.sleep(interval)


def tail(path, lines=40):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError as e:
        return '<%s>' % e


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except (OSError, TypeError):
        return False
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split()[2] != 'Z'
    except OSError:
        return False


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def apt_install(*packages):
    """Debian packages the machine lacks, or a clear error."""
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        raise ClusterError('%s missing: install it (needs root and apt-get)'
                           % ' '.join(packages))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    run(['apt-get', 'update', '-qq'], timeout=600, env=env)
    # The packages' own services must not start (no systemd here, and
    # their defaults bind the standard ports).
    policy = '/usr/sbin/policy-rc.d'
    had_policy = os.path.exists(policy)
    if not had_policy:
        with open(policy, 'w') as f:
            f.write('#!/bin/sh\nexit 101\n')
        os.chmod(policy, 0o755)
    try:
        run(['apt-get', 'install', '-y', '-qq'] + list(packages),
            timeout=900, env=env)
    finally:
        if not had_policy:
            os.unlink(policy)


def save_json(name, data):
    path = os.path.join(state_dir(), name)
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(path + '.tmp', path)
