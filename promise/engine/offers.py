"""Offers: what can be reserved when a request does not fit.

``max_reservable`` asks each reservation's plugin how much fits the whole
requested window. ``alternatives`` tries the same lease at later start
times — the requested start, then each moment some capacity frees up —
by running the real reservation code inside a savepoint that is always
rolled back. So an offered window is one that booking would accept, and a
check writes nothing.
"""

import datetime
import time

from promise.common import dates
from promise import exceptions


def _ceil_minute(value):
    floor = value.replace(second=0, microsecond=0)
    if floor == value:
        return floor
    return dates.shift(floor, datetime.timedelta(minutes=1))


def max_reservable(session, plugins, start, end, reservations):
    return [plugins(r['resource_type']).max_reservable(session, start, end,
                                                       r)
            for r in reservations]


def fits(session, reserve, start, end):
    """Whether ``reserve(session, start, end)`` succeeds; never keeps it."""
    savepoint = session.begin_nested()
    try:
        reserve(session, start, end)
        session.flush()
        return True
    except exceptions.PromiseException as exc:
        if exc.code == 409:
            return False
        raise
    finally:
        savepoint.rollback()


def alternatives(session, plugins, reserve, start, end, reservations,
                 horizon, limit, max_trials=200, budget=None):
    """Up to ``limit`` windows of the same duration, earliest first, within
    ``horizon`` after ``start``, in which the whole lease fits. The search
    stops after ``budget`` seconds with what it found: an offer must
    arrive before the API gives up waiting for the answer."""
    if limit <= 0:
        return []
    duration = end - start
    until = dates.shift(start, horizon)
    moments = {start}
    for resource_type in {r['resource_type'] for r in reservations}:
        moments.update(plugins(resource_type).release_times(session, start,
                                                            until))
    found = []
    candidates = sorted({_ceil_minute(m) for m in moments
                         if start <= m <= until})
    deadline = None if budget is None else time.monotonic() + budget
    for moment in candidates[:max_trials]:
        if deadline is not None and time.monotonic() > deadline:
            break
        if moment > dates.LATEST - duration:
            break  # later windows would end past the last date there is
        if fits(session, reserve, moment, moment + duration):
            found.append((moment, moment + duration))
            if len(found) == limit:
                break
    return found
