"""promise-db-manage upgrade [REV] | current"""

import sys

from oslo_config import cfg

from promise.common import config
from promise import conf
from promise.db import migration

CONF = conf.CONF


def _upgrade():
    migration.upgrade(CONF.command.revision)
    print('Database is at revision %s' % migration.current())


def _current():
    print(migration.current() or 'None (empty database)')


def _add_commands(subparsers):
    parser = subparsers.add_parser('upgrade',
                                   help='Upgrade the schema to a revision.')
    parser.add_argument('revision', nargs='?', default='head')
    parser.set_defaults(func=_upgrade)
    parser = subparsers.add_parser('current',
                                   help='Print the current revision.')
    parser.set_defaults(func=_current)


def main():
    CONF.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', handler=_add_commands))
    config.parse_args(sys.argv, configure_logging=False)
    CONF.command.func()
