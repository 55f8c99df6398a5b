"""Schema migrations (alembic), driven by promise-db-manage and read by
promise-status.

Every function that touches the database takes an open connection, or
opens one on the configured database when given none.
"""

import collections
import logging
import os
import time

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from alembic.util import exc as alembic_exc

from promise.db import api as db

LOG = logging.getLogger(__name__)

_SCRIPTS = os.path.join(os.path.dirname(__file__), 'alembic')

# One revision of the history: its id, the one before it, its title (the
# first line of its docstring), and whether it is the head or the
# database's current revision.
Revision = collections.namedtuple(
    'Revision', 'revision down_revision title is_head is_current')


class UnknownRevision(Exception):
    """The database is at a revision this code does not have (a newer
    release wrote it, or the history was edited)."""

    def __init__(self, revision):
        super().__init__(
            'The database is at revision %s, which this version of Promise '
            'does not know.' % revision)
        self.revision = revision


def get_config(connection=None, script_location=None):
    config = alembic_config.Config()
    config.set_main_option('script_location', script_location or _SCRIPTS)
    config.attributes['connection'] = connection
    return config


def get_scripts(script_location=None):
    return alembic_script.ScriptDirectory.from_config(
        get_config(script_location=script_location))


def _with_connection(fn, connection, begin=False):
    if connection is not None:
        return fn(connection)
    engine = db.get_engine()
    with (engine.begin() if begin else engine.connect()) as conn:
        return fn(conn)


def _progress(ctx, step, heads, run_args):
    """alembic's on_version_apply: one line per revision applied."""
    started = ctx.config.attributes.get('promise_step_started')
    elapsed = time.monotonic() - started if started else 0.0
    if step.is_stamp:
        LOG.info('Stamped the database at revision %s.',
                 ', '.join(step.destination_revision_ids) or 'base')
    else:
        title = _title(step.up_revision)
        LOG.info('Applied revision %s%s in %.2fs', step.up_revision_id,
                 ' (%s)' % title if title else '', elapsed)
    ctx.config.attributes['promise_step_started'] = time.monotonic()


def upgrade(revision='head', connection=None):
    """Apply the migrations up to ``revision``, logging each one."""
    def run(conn):
        todo = pending(conn, target=revision)
        if not todo:
            LOG.info('Database is already at %s: nothing to apply.',
                     current(conn))
            return
        LOG.info('Upgrading the database from %s to %s: %d revision(s) '
                 'to apply (%s).', current(conn) or 'an empty schema',
                 todo[-1].revision, len(todo),
                 ', '.join(r.revision for r in todo))
        config = get_config(conn)
        config.attributes['on_version_apply'] = _progress
        config.attributes['promise_step_started'] = time.monotonic()
        command.upgrade(config, revision)
    _with_connection(run, connection, begin=True)


def stamp(revision='head', connection=None):
    """Record ``revision`` as the database's revision without running any
    migration (for a schema built some other way)."""
    def run(conn):
        config = get_config(conn)
        config.attributes['on_version_apply'] = _progress
        command.stamp(config, revision)
    _with_connection(run, connection, begin=True)


def current(connection=None):
    """The revision the database is at, or None for an empty database."""
    return _with_connection(
        lambda conn: alembic_migration.MigrationContext.configure(
            conn).get_current_revision(), connection)


def head(script_location=None):
    return get_scripts(script_location).get_current_head()


def _title(script):
    """The first paragraph of the revision's docstring, on one line."""
    doc = (script.module.__doc__ or script.doc or '').strip()
    first = doc.split('\n\n')[0]
    return ' '.join(first.split()).rstrip('.')


def _known(scripts, revision):
    try:
        return scripts.get_revision(revision) is not None
    except alembic_exc.CommandError:
        return False


def pending(connection=None, target='head'):
    """The revisions between the database's and ``target``, oldest first
    ([] when the database is there already).

    Raises UnknownRevision when the database is at a revision this code
    does not have.
    """
    scripts = get_scripts()
    at = current(connection)
    if at is not None and not _known(scripts, at):
        raise UnknownRevision(at)
    todo = [_revision(s, None, None) for s in
            scripts.iterate_revisions(target, at or 'base')]
    return list(reversed(todo))


def _revision(script, head_revision, current_revision):
    return Revision(script.revision, script.down_revision, _title(script),
                    script.revision == head_revision,
                    script.revision == current_revision)


def history(connection=False):
    """Every revision, newest first. With a connection (or None: the
    configured database) the database's current revision is marked too;
    connection=False reads only the scripts."""
    scripts = get_scripts()
    at = current(connection) if connection is not False else None
    top = scripts.get_current_head()
    return [_revision(s, top, at) for s in scripts.walk_revisions()]
