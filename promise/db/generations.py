"""Generation checks: how one allocation decision knows that no other
committed meanwhile on the same rows (hosts, floating IPs).

A decision reads the rows it picks, then bumps their ``generation`` with
one conditional UPDATE. If any row changed since it was read, fewer rows
match, ConcurrentUpdate is raised and the caller's transaction is retried
from scratch. Plain row versions work the same on Galera, where
SELECT ... FOR UPDATE does not lock across nodes but a write conflict
fails certification.
"""

import sqlalchemy as sa
from sqlalchemy.orm import attributes as orm_attributes

from promise import exceptions


def claim(session, table, rows):
    """Bump the generation of ``rows`` (of model ``table``) as read."""
    if not rows:
        return
    stmt = (sa.update(table)
            .where(sa.or_(*[sa.and_(table.id == r.id,
                                    table.generation == r.generation)
                            for r in rows]))
            .values(generation=table.generation + 1)
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != len(rows):
        raise exceptions.ConcurrentUpdate()
    for row in rows:
        # The UPDATE above did it; keep the ORM from sending another.
        orm_attributes.set_committed_value(row, 'generation',
                                           row.generation + 1)
