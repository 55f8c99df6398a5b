"""Offers: what can be reserved when a request does not fit.

``max_reservable`` asks each reservation's plugin how much fits the whole
requested window. ``alternatives`` looks at the same lease at later start
times — the requested start, then each moment some capacity frees up.
Plugins that can tell from one read where their reservation fits
(``fits_at``: a sweep over the free intervals of the matching resources)
rule out the other moments without a trial. A lease of one such
reservation is answered from that alone; otherwise the real reservation
code books each remaining moment inside a savepoint that is always rolled
back, so an offered window is one that booking would accept (the whole
lease, reservations competing for one pool included). A check writes
nothing.
"""

import datetime
import time

from promise.common import dates
from promise import conf
from promise import exceptions

CONF = conf.CONF


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
    ``horizon`` after ``start``, in which the whole lease fits. At most
    ``max_trials`` windows are booked on trial: with every plugin able to
    tell where it fits, only windows that fit are tried. Otherwise the
    trials stop after ``budget`` seconds with what they found: an offer
    must arrive before the API gives up waiting for the answer."""
    if limit <= 0:
        return []
    duration = end - start
    until = dates.shift(start, horizon)
    checks = [check for check in (
        plugins(r['resource_type']).fits_at(session, start, until, duration,
                                            r)
        for r in reservations) if check is not None]
    if any(check is False for check in checks):
        return []
    moments = {start}
    for resource_type in {r['resource_type'] for r in reservations}:
        moments.update(plugins(resource_type).release_times(session, start,
                                                            until))
    found = []
    trials = 0
    # One reservation whose plugin can tell where it fits: its answer is
    # the booking's (tests book every offered window), no trial needed.
    # Several compete for one pool and each window is booked on trial.
    alone = len(reservations) == 1 and len(checks) == 1
    deadline = (None if budget is None or len(checks) == len(reservations)
                else time.monotonic() + budget)
    for moment in sorted({_ceil_minute(m) for m in moments
                          if start <= m <= until}):
        if moment > dates.LATEST - duration:
            break  # later windows would end past the last date there is
        if not all(check(moment) for check in checks):
            continue
        if alone:
            found.append((moment, moment + duration))
            if len(found) == limit:
                break
            continue
        trials += 1
        if trials > max_trials or (deadline is not None and
                                   time.monotonic() > deadline):
            break
        if fits(session, reserve, moment, moment + duration):
            found.append((moment, moment + duration))
            if len(found) == limit:
                break
    return found


def offer(session, plugins, reserve, values, with_feasible=False):
    """The answer to a lease (``values``) that does not fit, or to a
    check: max_reservable and alternatives, with ``feasible`` if asked."""
    start, end = values['start_date'], values['end_date']
    reservations = values.get('reservations', [])
    result = {}
    if with_feasible:
        result['feasible'] = fits(session, reserve, start, end)
    result['max_reservable'] = max_reservable(session, plugins, start, end,
                                              reservations)
    windows = alternatives(
        session, plugins, reserve, start, end, reservations,
        horizon=datetime.timedelta(days=CONF.manager.search_horizon_days),
        limit=CONF.manager.max_alternatives,
        budget=CONF.manager.offer_search_seconds)
    result['alternatives'] = [{'start_date': dates.format_date(a),
                               'end_date': dates.format_date(b)}
                              for a, b in windows]
    return result
