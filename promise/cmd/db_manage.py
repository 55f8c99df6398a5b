"""promise-db-manage upgrade [REV] | current | check | history | stamp REV

``check`` exits 1 unless the database is at head (0 when it is), so a
deployment tool can tell whether ``upgrade`` has work to do.
"""

import logging
import sys

from oslo_config import cfg

from promise.common import config
from promise import conf
from promise.db import migration

CONF = conf.CONF


def _log_progress():
    """Each revision applied, with its time, on stderr (logging is not
    otherwise set up for this command)."""
    logger = logging.getLogger(migration.__name__)
    logger.setLevel(logging.INFO)
    if any(getattr(h, 'promise_progress', False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.promise_progress = True
    handler.setFormatter(logging.Formatter(
        '%(asctime)s %(levelname)s %(message)s'))
    logger.addHandler(handler)


def _upgrade():
    _log_progress()
    migration.upgrade(CONF.command.revision)
    print('Database is at revision %s' % migration.current())


def _stamp():
    _log_progress()
    migration.stamp(CONF.command.revision)
    print('Database is at revision %s' % migration.current())


def _current():
    print(migration.current() or 'None (empty database)')


def _history():
    for rev in migration.history(connection=None):
        marks = ''.join([' (head)' if rev.is_head else '',
                         ' (current)' if rev.is_current else ''])
        print('%s -> %s%s, %s' % (rev.down_revision or '<base>',
                                  rev.revision, marks, rev.title))


def _check():
    try:
        todo = migration.pending()
    except migration.UnknownRevision as exc:
        print('%s Upgrade Promise before using this database.' % exc)
        raise SystemExit(1)
    at = migration.current()
    if todo:
        print('Database is at revision %s; head is %s: %d revision(s) to '
              'apply (%s). Run promise-db-manage upgrade head.'
              % (at or 'None (empty database)', migration.head(), len(todo),
                 ', '.join(r.revision for r in todo)))
        raise SystemExit(1)
    print('Database is at revision %s (head): nothing to apply.' % at)


def _add_commands(subparsers):
    parser = subparsers.add_parser('upgrade',
                                   help='Upgrade the schema to a revision.')
    parser.add_argument('revision', nargs='?', default='head')
    parser.set_defaults(func=_upgrade)
    parser = subparsers.add_parser('current',
                                   help='Print the current revision.')
    parser.set_defaults(func=_current)
    parser = subparsers.add_parser(
        'check', help='Exit 0 when the database is at head, 1 otherwise.')
    parser.set_defaults(func=_check)
    parser = subparsers.add_parser(
        'history', help='List the revisions, newest first, marking head '
                        'and the database\'s current revision.')
    parser.set_defaults(func=_history)
    parser = subparsers.add_parser(
        'stamp', help='Record a revision as applied without running '
                      'migrations.')
    parser.add_argument('revision')
    parser.set_defaults(func=_stamp)


def main():
    CONF.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', handler=_add_commands))
    config.parse_args(sys.argv, configure_logging=False)
    CONF.command.func()
