"""Migrations only expand, so old and new code can share a database during
a rolling upgrade.

Each revision's ``upgrade()`` runs in alembic's offline (SQL) mode while
every operation it asks for is recorded, and each operation is judged:

* allowed: create a table; add a nullable column, or a NOT NULL one with a
  server default; add an index or a constraint on a table the same revision
  creates; widen a column (NULL allowed, a longer string); insert rows;
  SQL that neither drops, alters, renames nor deletes;
* refused: drop or rename a table, column, index or constraint; a column
  that becomes NOT NULL, shorter or another type; a new NOT NULL column
  with no server default (the old code's INSERTs would fail); a unique
  index or a constraint on an existing table (rows the old code writes
  could be refused); any operation this module does not know.
"""

import contextlib
import io
import re

from alembic.operations import base as ops_base
from alembic.operations import ops
from alembic.runtime import migration as alembic_migration
import sqlalchemy as sa

from promise.db import migration

DIALECTS = ('mysql', 'postgresql')

_CONTRACTING_SQL = re.compile(r'\b(DROP|ALTER|RENAME|TRUNCATE|DELETE)\b',
                              re.IGNORECASE)

_DROPS = {
    ops.DropTableOp: 'drop_table',
    ops.DropColumnOp: 'drop_column',
    ops.DropIndexOp: 'drop_index',
    ops.DropConstraintOp: 'drop_constraint',
    ops.RenameTableOp: 'rename_table',
}


@contextlib.contextmanager
def _recording(recorded):
    """Every operation invoked (also inside batch_alter_table) goes to
    ``recorded`` before alembic renders it."""
    original = ops_base.AbstractOperations.invoke

    def invoke(self, operation):
        recorded.append(operation)
        return original(self, operation)

    ops_base.AbstractOperations.invoke = invoke
    try:
        yield
    finally:
        ops_base.AbstractOperations.invoke = original


def operations(script, dialect='mysql'):
    """The alembic operations of one revision script's upgrade()."""
    ctx = alembic_migration.MigrationContext.configure(
        dialect_name=dialect,
        opts={'as_sql': True, 'output_buffer': io.StringIO()})
    recorded = []
    with ops_base.Operations.context(ctx), _recording(recorded):
        script.module.upgrade()
    return recorded


def _table(operation):
    for attr in ('table_name', 'source_table'):
        name = getattr(operation, attr, None)
        if name:
            return name
    return None


def _widens_type(old, new):
    """True when every value of ``old`` fits ``new`` (strings: the same
    family, no shorter)."""
    if old is None:
        return False
    old = sa.types.to_instance(old)
    new = sa.types.to_instance(new)
    if isinstance(old, sa.String) and isinstance(new, sa.String):
        if new.length is None:
            return True
        return old.length is not None and new.length >= old.length
    return type(old) is type(new) and repr(old) == repr(new)


def _alter(operation):
    column = '%s.%s' % (operation.table_name, operation.column_name)
    if operation.modify_name is not None:
        return 'alter_column renames %s to %s' % (column,
                                                  operation.modify_name)
    if operation.modify_nullable is False:
        return 'alter_column makes %s NOT NULL' % column
    if operation.modify_type is not None and not _widens_type(
            operation.existing_type, operation.modify_type):
        return ('alter_column changes the type of %s from %s to %s, which '
                'is not a widening' % (column, operation.existing_type,
                                       operation.modify_type))
    return None


def why_not_additive(operation, new_tables):
    """None when ``operation`` only expands the schema, else why not.
    ``new_tables``: the tables the revision created so far (grows)."""
    table = _table(operation)
    if isinstance(operation, ops.CreateTableOp):
        new_tables.add(operation.table_name)
        return None
    if isinstance(operation, ops.BulkInsertOp):
        return None
    for kind, name in _DROPS.items():
        if isinstance(operation, kind):
            return '%s %s' % (name, _describe(operation))
    if table in new_tables:
        # Anything on a table no old code knows about.
        return None
    if isinstance(operation, ops.AddColumnOp):
        column = operation.column
        if not column.nullable and column.server_default is None:
            return ('add_column %s.%s is NOT NULL without a server_default: '
                    'the old code\'s INSERTs would fail'
                    % (table, column.name))
        return None
    if isinstance(operation, ops.CreateIndexOp):
        if operation.unique:
            return ('create_index %s is unique on the existing table %s'
                    % (operation.index_name, table))
        return None
    if isinstance(operation, ops.AddConstraintOp):
        return ('%s on the existing table %s'
                % (type(operation).__name__, table))
    if isinstance(operation, ops.AlterColumnOp):
        return _alter(operation)
    if isinstance(operation, ops.ExecuteSQLOp):
        text = str(operation.sqltext)
        if _CONTRACTING_SQL.search(text):
            return 'execute %r drops, alters, renames or deletes' % text
        return None
    return 'unknown operation %s' % type(operation).__name__


def _describe(operation):
    table = _table(operation)
    for attr in ('column_name', 'index_name', 'constraint_name',
                 'new_table_name'):
        name = getattr(operation, attr, None)
        if name:
            return '%s.%s' % (table, name) if table else name
    return table or ''


def violations(script_location=None, dialects=DIALECTS):
    """Every operation, of every revision, that is not additive, as
    'REVISION: why' lines ([] when the history only expands)."""
    scripts = migration.get_scripts(script_location)
    found = []
    for script in reversed(list(scripts.walk_revisions())):
        for dialect in dialects:
            new_tables = set()
            for operation in operations(script, dialect):
                why = why_not_additive(operation, new_tables)
                if why:
                    line = '%s: %s' % (script.revision, why)
                    if line not in found:
                        found.append(line)
    return found
