"""Queries on leases, reservations and events.

Functions take an open session: the caller decides the transaction.
"""

from oslo_db.sqlalchemy import utils as db_utils
import sqlalchemy as sa

from promise.db import models
from promise import exceptions
from promise import status

SORT_KEYS = ('created_at', 'updated_at', 'name', 'start_date', 'end_date',
             'status', 'id')

# Order of events that share a time: a lease starts before it ends.
EVENT_RANK = {status.Event.START: 0, status.Event.BEFORE_END: 1,
              status.Event.END: 2}
UNFINISHED = (status.Event.UNDONE, status.Event.IN_PROGRESS)


# Reservation relationships that views.lease never shows.
_NOT_SHOWN = ('host_allocations', 'instance_allocations',
              'floatingip_allocations')


def view_options():
    """Load what views.lease shows and nothing else: each reservation's
    detail row rides the reservations query (a join, one row each) and
    the allocations are left unloaded. A page of leases is then four
    statements (leases, reservations, usage, events) instead of eight."""
    res = models.Reservation
    loads = [sa.orm.joinedload(getattr(res, name))
             for name in models.leases.RESERVATION_DETAILS]
    loads += [sa.orm.lazyload(getattr(res, name)) for name in _NOT_SHOWN
              if hasattr(res, name)]
    return [sa.orm.selectinload(models.Lease.reservations).options(*loads)]


def get(session, lease_id, for_update=False, view=False):
    """The lease; ``view``: only what views.lease shows is loaded (for
    reading, not for changing it)."""
    query = sa.select(models.Lease).where(models.Lease.id == lease_id)
    if for_update:
        query = query.with_for_update()
    if view:
        query = query.options(*view_options())
    lease = session.scalars(query).first()
    if lease is None:
        raise exceptions.LeaseNotFound(id=lease_id)
    return lease


def find_by_name(session, name, project_id, all_projects=False):
    """At most two leases named ``name``: ``project_id``'s, or every
    project's when ``all_projects``. A None ``project_id`` finds none:
    "no project" never means "every project"."""
    query = sa.select(models.Lease).where(models.Lease.name == name)
    if not all_projects:
        query = query.where(models.Lease.project_id == project_id)
    return list(session.scalars(query.limit(2)))


def list_(session, project_id=None, filters=None, limit=None, marker=None,
          sort_key='created_at', sort_dir='asc', all_projects=False):
    """A page of ``project_id``'s leases, or of every project's when
    ``all_projects``. A None ``project_id`` lists none (the column is
    never NULL): "no project" never means "every project"."""
    query = session.query(models.Lease).options(*view_options())
    if not all_projects:
        query = query.filter(models.Lease.project_id == project_id)
    for key, value in (filters or {}).items():
        query = query.filter(getattr(models.Lease, key) == value)
    marker_obj = None
    if marker is not None:
        marker_obj = session.get(models.Lease, marker)
        if marker_obj is None or (not all_projects and
                                  marker_obj.project_id != project_id):
            raise exceptions.InvalidInput(
                reason='Marker %s is not a lease id in this list.' % marker)
    # id last, so that pages are stable when the sort key has duplicates.
    keys = [sort_key] if sort_key == 'id' else [sort_key, 'id']
    query = db_utils.paginate_query(query, models.Lease, limit, keys,
                                    marker=marker_obj,
                                    sort_dirs=[sort_dir] * len(keys))
    return query.all()


def set_status(session, lease_id, new_status, expected=None, reason=None):
    """Conditional status change; False when the lease was not in
    ``expected`` (another request or manager changed it first)."""
    values = {'status': new_status, 'status_reason': reason}
    stmt = sa.update(models.Lease).where(models.Lease.id == lease_id)
    if expected is not None:
        stmt = stmt.where(models.Lease.status.in_(expected))
    result = session.execute(stmt.values(**values).execution_options(
        synchronize_session=False))
    return result.rowcount == 1


def due_events(session, now, limit):
    """Events ready to run: due (or claimed by a manager whose claim ran
    out) and with no unfinished earlier event of the same lease."""
    event = models.Event
    earlier = sa.orm.aliased(models.Event)
    rank = _rank(event)
    earlier_rank = _rank(earlier)
    blocked = sa.exists().where(
        earlier.lease_id == event.lease_id,
        earlier.id != event.id,
        earlier.status.in_(UNFINISHED),
        sa.or_(earlier.time < event.time,
               sa.and_(earlier.time == event.time, earlier_rank < rank)))
    query = (sa.select(event)
             .where(sa.or_(sa.and_(event.status == status.Event.UNDONE,
                                   event.time <= now),
                           sa.and_(event.status == status.Event.IN_PROGRESS,
                                   event.claimed_until < now)))
             .where(~blocked)
             .order_by(event.time, rank)
             .limit(limit))
    return list(session.scalars(query))


def _rank(event):
    return sa.case(
        *[(event.event_type == name, rank)
          for name, rank in EVENT_RANK.items()], else_=1)


def claim_event(session, event_id, owner, now, until):
    """Atomically take an event; True only for the one manager that won."""
    event = models.Event
    stmt = (sa.update(event)
            .where(event.id == event_id)
            .where(sa.or_(event.status == status.Event.UNDONE,
                          sa.and_(event.status == status.Event.IN_PROGRESS,
                                  event.claimed_until < now)))
            .values(status=status.Event.IN_PROGRESS, claimed_by=owner,
                    claimed_until=until, updated_at=now)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def renew_claim(session, event_id, owner, until):
    """Extend ``owner``'s claim on a running event; False if it is not
    ``owner``'s any more."""
    event = models.Event
    stmt = (sa.update(event)
            .where(event.id == event_id, event.claimed_by == owner,
                   event.status == status.Event.IN_PROGRESS)
            .values(claimed_until=until)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def finish_event(session, event_id, owner, outcome, message=None):
    """Record an event's outcome, unless another manager took it over."""
    event = models.Event
    stmt = (sa.update(event)
            .where(event.id == event_id, event.claimed_by == owner,
                   event.status == status.Event.IN_PROGRESS)
            .values(status=outcome, message=message, claimed_until=None)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def release_event(session, event_id, owner):
    """Give a claimed event back to the loop, to be run again."""
    event = models.Event
    stmt = (sa.update(event)
            .where(event.id == event_id, event.claimed_by == owner,
                   event.status == status.Event.IN_PROGRESS)
            .values(status=status.Event.UNDONE, claimed_until=None)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def next_event_time(session, after):
    """When the earliest not-yet-run event after ``after`` is due."""
    return session.scalar(sa.select(sa.func.min(models.Event.time)).where(
        models.Event.status == status.Event.UNDONE, models.Event.time > after))
