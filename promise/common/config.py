"""Command-line and config-file parsing shared by every promise-* command."""

import os
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from promise import conf
from promise.conf import net_value as net_value_conf
from promise.conf import opts

CONF = conf.CONF
LOG = logging.getLogger(__name__)

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


def parse_args(argv, default_config_files=None, configure_logging=True,
               sqlite_default=False):
    """Parse the command line and configuration files of ``argv[0]``.

    sqlite_default: whether a missing ``[database] connection`` may mean
    the SQLite file under ``state_path`` (promise-all only); any other
    command stops with a message naming the option, so that two services
    never quietly run on two private databases.
    """
    if configure_logging:
        logging.register_options(CONF)
    opts.set_defaults(CONF)
    CONF(argv[1:], project='promise',
         version=_version(),
         default_config_files=default_config_files)
    # Refuse to start on settings that would give wrong answers later.
    net_value_conf.exit_if_invalid(CONF)
    if not sqlite_default:
        exit_without_database(argv[0] if argv else 'promise')
    if configure_logging:
        logging.setup(CONF, 'promise')
        # Every option's value, secrets masked, at debug level.
        CONF.log_opt_values(logging.getLogger(__name__), logging.DEBUG)


def database_configured(conf=CONF):
    """Whether ``[database] connection`` was set by the operator (a file,
    the command line or the environment), not left at its default."""
    located = conf.get_location('connection', group='database')
    return (located is not None and bool(conf.database.connection) and
            located.location not in (cfg.Locations.opt_default,
                                     cfg.Locations.set_default))


def exit_without_database(command, conf=CONF, stream=None):
    if database_configured(conf):
        return
    (stream or sys.stderr).write(
        '%s: [database] connection is not set. Set it in promise.conf '
        '(e.g. mysql+pymysql://promise:PASSWORD@HOST/promise); only '
        'promise-all defaults to a SQLite file.\n'
        % os.path.basename(command))
    raise SystemExit(2)


def reload_on_sighup(name):
    """SIGHUP re-reads the configuration files and applies the options
    that may change while running (``debug``, log levels), as oslo.service
    does with restart_method 'mutate'. Without it SIGHUP, which logrotate
    sends, would end the process without a word."""
    def handler(signum, frame):
        # oslo.config takes locks: not inside the signal handler.
        threading.Thread(target=_mutate, args=(name,), daemon=True,
                         name='promise-sighup').start()
    signal.signal(signal.SIGHUP, handler)


def _mutate(name):
    LOG.info('%s: SIGHUP, reading the configuration files again', name)
    try:
        # oslo.config logs each option that changed.
        CONF.mutate_config_files()
    except Exception:
        LOG.exception('%s: the configuration files could not be read '
                      'again; the running settings stay', name)
        return
    LOG.debug('%s logs at debug level', name)


def _version():
    try:
        from promise import version
        return version.version_info.version_string()
    except Exception:  # pbr needs git metadata or an sdist
        return 'unknown'
