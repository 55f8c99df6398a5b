"""Command-line and config-file parsing shared by every promise-* command."""

import os

from oslo_log import log as logging

from promise import conf
from promise.conf import net_value as net_value_conf
from promise.conf import opts

CONF = conf.CONF

WSGI_CONFIG_DIR = '/etc/promise'
WSGI_CONFIG_FILES = ['promise.conf']


def wsgi_config_files(env=None):
    """The configuration files a WSGI server's environment names, or None
    for oslo.config's usual search.

    ``OS_PROMISE_CONFIG_FILES`` (names separated by ``;``, default
    ``promise.conf``) in ``OS_PROMISE_CONFIG_DIR`` (default
    ``/etc/promise``), as Nova and Placement read theirs; otherwise the
    comma separated paths of ``PROMISE_CONFIG_FILES``.
    """
    env = os.environ if env is None else env
    dirname = env.get('OS_PROMISE_CONFIG_DIR', '').strip()
    names = [n.strip() for n in
             env.get('OS_PROMISE_CONFIG_FILES', '').split(';') if n.strip()]
    if dirname or names:
        return [os.path.join(dirname or WSGI_CONFIG_DIR, name)
                for name in names or WSGI_CONFIG_FILES]
    legacy = [n.strip() for n in
              env.get('PROMISE_CONFIG_FILES', '').split(',') if n.strip()]
    return legacy or None


def parse_args(argv, default_config_files=None, configure_logging=True):
    if configure_logging:
        logging.register_options(CONF)
    opts.set_defaults(CONF)
    CONF(argv[1:], project='promise',
         version=_version(),
         default_config_files=default_config_files)
    # Refuse to start on settings that would give wrong answers later.
    net_value_conf.exit_if_invalid(CONF)
    if configure_logging:
        logging.setup(CONF, 'promise')


def _version():
    try:
        from promise import version
        return version.version_info.version_string()
    except Exception:  # pbr needs git metadata or an sdist
        return 'unknown'
