"""Engine and transactions (oslo.db enginefacade).

Every function that changes data takes part in one transaction: callers open
it with ``writer(ctx)`` and pass the session down, so an allocation decision
and the rows that record it commit together or not at all.
"""

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from promise.common import lazy
from promise import conf

CONF = conf.CONF


def _new_facade():
    facade = enginefacade.transaction_context()
    # The rest of [database] is read from CONF when the facade starts.
    facade.configure(sqlite_fk=True,
                     on_engine_create=[_sqlite_write_locks, _galera_reads])
    return facade


_FACADE = lazy.Lazy(_new_facade)
_facade = _FACADE.get


def _sqlite_write_locks(engine):
    """SQLite (promise-all's database): take the write lock when a
    transaction begins. A transaction that read first and writes later
    would otherwise meet another writer in a lock upgrade that SQLite
    refuses at once ("database is locked") instead of waiting for it."""
    if engine.dialect.name != 'sqlite':
        return

    def _begin(connection):
        if 'in_transaction' not in connection.info:
            connection.exec_driver_sql('BEGIN IMMEDIATE')
            connection.info['in_transaction'] = True

    # This replaces oslo.db's own listener, which emits a deferred BEGIN
    # (its commit/rollback listeners, which clear the mark, stay).
    for listener in list(engine.dispatch.begin):
        if getattr(listener, '__name__', '') == '_sqlite_emit_begin':
            sa.event.remove(engine, 'begin', listener)
    sa.event.listen(engine, 'begin', _begin)


def _galera_reads(engine):
    """On a Galera node, reads wait for the write sets the cluster has
    committed ([galera] sync_wait): a row lock is local to a node, so a
    decision must not start from a view another node has moved past."""
    if engine.dialect.name != 'mysql':
        return

    def _connect(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        try:
            try:
                cursor.execute('SELECT @@wsrep_on')
                row = cursor.fetchone()
            except Exception:  # noqa: S110 - MySQL without wsrep
                return
            if row and str(row[0]) in ('1', 'ON'):
                cursor.execute('SET SESSION wsrep_sync_wait = %d'
                               % CONF.galera.sync_wait)
        finally:
            cursor.close()

    sa.event.listen(engine, 'connect', _connect)
    # oslo.db tried a connection before this hook ran; it is pooled.
    engine.dispose()


class _Holder:
    """enginefacade keeps per-transaction state on the object it is given."""


def writer(ctx=None):
    return _facade().writer.using(ctx if ctx is not None else _Holder())


def reader(ctx=None):
    return _facade().reader.using(ctx if ctx is not None else _Holder())


def unreachable(exc):
    """True when ``exc`` means the database server cannot be reached: an
    outage (503), not a bug. oslo.db says so with DBConnectionError, but
    lets a failure to connect through as a raw OperationalError when it
    does not know the driver's words for it (libpq's "connection to server
    at ... failed: Connection refused")."""
    if isinstance(exc, db_exc.DBConnectionError):
        return True
    # No statement: it failed while opening a connection.
    return isinstance(exc, sa.exc.OperationalError) and exc.statement is None


# Server errors another attempt may not meet: a Galera node not ready for
# queries (1047), a deadlock or lost certification (1213), the connection
# gone (2006, 2013).
_TRANSIENT_CODES = (1047, 1213, 2006, 2013)


def transient(exc):
    """True when ``exc`` (or what it wraps) is a database failure that a
    later attempt of the same work may not meet: the server or a cluster
    node went away, a deadlock, a certification failure. Work that failed
    so is taken again, not recorded as failed."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if unreachable(exc) or isinstance(exc, db_exc.DBDeadlock):
            return True
        args = getattr(exc, 'args', ())
        if args and args[0] in _TRANSIENT_CODES:
            return True
        exc = (getattr(exc, 'inner_exception', None) or
               getattr(exc, 'orig', None) or exc.__cause__ or
               exc.__context__)
    return False


def get_engine():
    return _facade().writer.get_engine()


def reset():
    """Forget the engine (tests point CONF at a new database)."""
    facade = _FACADE.reset()
    if facade is not None:
        try:
            facade.dispose_pool()
        except Exception:  # noqa: S110 - nothing to release
            pass
