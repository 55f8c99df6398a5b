"""Command-line and config-file parsing shared by every promise-* command."""

from oslo_log import log as logging

from promise import conf
from promise.conf import net_value as net_value_conf
from promise.conf import opts

CONF = conf.CONF


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
