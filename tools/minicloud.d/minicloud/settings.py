# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Where everything lives and which ports a cloud uses.

The paths come from MINICLOUD_CACHE (the venv, shared by clouds) and
MINICLOUD_STATE (one cloud: configs, logs, pids, data); the API ports are
fixed per cloud in cloud.json when it is first brought up.
"""

import os

SUPPORT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
TOOLS = os.path.dirname(SUPPORT)
REPO = os.path.dirname(TOOLS)
SCRIPT = os.path.join(TOOLS, 'minicloud')
CONSTRAINTS = os.path.join(SUPPORT, 'constraints.txt')


def _dir_from_env(var, default):
    return os.path.abspath(os.path.expanduser(os.environ.get(var, default)))


DEFAULT_STATE = '~/.local/state/promise-minicloud'
CACHE = _dir_from_env('MINICLOUD_CACHE', '~/.cache/promise/minicloud')
VENV = os.path.join(CACHE, 'venv')
STATE = _dir_from_env('MINICLOUD_STATE', DEFAULT_STATE)
ETC = os.path.join(STATE, 'etc')
LOGS = os.path.join(STATE, 'log')
RUN = os.path.join(STATE, 'run')
DATA = os.path.join(STATE, 'data')
PYDIR = os.path.join(STATE, 'py')
STAMPS = os.path.join(STATE, 'stamps')
CLOUD_JSON = os.path.join(STATE, 'cloud.json')
SECRETS_JSON = os.path.join(STATE, 'secrets.json')

HOST = '127.0.0.1'
REGION = 'RegionOne'
BASE_PORTS = {
    'keystone': 5000,
    'placement': 8778,
    'glance': 9292,
    'nova-api': 8774,
    'neutron': 9696,
}
# The ports of the cloud at hand; init_ports() fills it in place.
PORTS = dict(BASE_PORTS)
DEFAULT_PROMISE_PORT = 1234
SHARED_DB_PORT = 3306
SHARED_MQ_PORT = 5672
PRIVATE_DB_PORT = int(os.environ.get('MINICLOUD_PRIVATE_DB_PORT', '3307'))
PRIVATE_MQ_PORT = int(os.environ.get('MINICLOUD_PRIVATE_MQ_PORT', '5673'))
PRIVATE_MQ_NODE = 'minicloud@localhost'
RABBITMQCTL = '/usr/sbin/rabbitmqctl'


def log_of(name):
    """The log file of a service or set-up step."""
    return os.path.join(LOGS, name + '.log')


def etc(*parts):
    """A path under the cloud's config dir."""
    return os.path.join(ETC, *parts)


def data(*parts):
    """A path under the cloud's data dir."""
    return os.path.join(DATA, *parts)


def vbin(name):
    """A program of the cloud venv."""
    return os.path.join(VENV, 'bin', name)


def keystone_url():
    return 'http://%s:%d/v3' % (HOST, PORTS['keystone'])


def port_offset():
    return int(os.environ.get('MINICLOUD_PORT_OFFSET', '0'))


def init_ports(cloud):
    """Set PORTS for this cloud: those recorded in cloud.json, else the
    base ports plus MINICLOUD_PORT_OFFSET (to run a second cloud beside
    the first), which are then recorded."""
    if cloud.get('ports'):
        ports = dict(cloud['ports'])
    else:
        ports = {k: v + port_offset() for k, v in BASE_PORTS.items()}
        cloud['ports'] = dict(ports)
    PORTS.clear()
    PORTS.update(ports)
    return PORTS
