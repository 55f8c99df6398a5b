"""The one way a transaction is taken again after it lost a race.

Every caller retries on a database deadlock, with a growing wait; what
else counts as a lost race, how many attempts and how long the waits are
differ by caller, so they are the parameters. The named decorators below
are the ones in use; a retried function must open its own transaction, so
that each attempt starts from a fresh view of the database.
"""

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc

from promise import exceptions


def _never(exc):
    return False


def _concurrent_update(exc):
    return isinstance(exc, exceptions.ConcurrentUpdate)


def _duplicate_entry(exc):
    return isinstance(exc, db_exc.DBDuplicateEntry)


def on_conflict(max_retries, retry_interval, max_retry_interval=10,
                jitter=False, also=_never):
    """Retry on a deadlock, and on any exception ``also(exc)`` accepts."""
    return oslo_db_api.wrap_db_retry(
        max_retries=max_retries, retry_interval=retry_interval,
        inc_retry_interval=True, max_retry_interval=max_retry_interval,
        jitter=jitter, retry_on_deadlock=True, exception_checker=also)


# A decision that lost a race (deadlock, or a host generation that moved)
# is taken again from scratch, with a fresh view of the database.
decision = on_conflict(max_retries=20, retry_interval=0.01,
                       max_retry_interval=0.2, jitter=True,
                       also=_concurrent_update)

# Two writers may add the same row at once: the loser starts over and
# finds the row.
insert_once = on_conflict(max_retries=10, retry_interval=0.01,
                          max_retry_interval=0.2, jitter=True,
                          also=_duplicate_entry)

# Bookkeeping writes (outbox rows, threshold state) that only deadlocks
# can make fail.
deadlock = on_conflict(max_retries=10, retry_interval=0.05)
