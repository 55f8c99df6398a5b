"""When a lease's events run: the start, the before-end warning and the
end, from the lease's dates.

Invariant: a lease has exactly one event of each type; moving the dates
moves the events that have not run yet, and a prolonged lease gets its
before-end event again if the new time is still ahead.
"""

import datetime

from oslo_utils import uuidutils

from promise import conf
from promise.db import models
from promise import exceptions
from promise import status

CONF = conf.CONF


def before_end_time(start, end, before_end_date=None):
    if before_end_date is not None:
        return before_end_date
    when = end - datetime.timedelta(
        minutes=CONF.manager.minutes_before_end_lease)
    return max(start, when)


def check_period(start, end, before_end):
    if end <= start:
        raise exceptions.InvalidPeriod()
    if before_end is not None and not start <= before_end <= end:
        raise exceptions.InvalidInput(
            reason='before_end_date must be between the start and the end '
                   'of the lease.')


def new_events(start, end, before_end=None):
    """The events of a new lease over [start, end)."""
    return [models.Event(id=uuidutils.generate_uuid(), event_type=event_type,
                         time=when, status=status.Event.UNDONE)
            for event_type, when in (
                (status.Event.START, start),
                (status.Event.BEFORE_END,
                 before_end_time(start, end, before_end)),
                (status.Event.END, end))]


def reschedule(lease, values, now):
    """Move the events of ``lease`` to its (new) dates."""
    before_end = before_end_time(lease.start_date, lease.end_date,
                                 values.get('before_end_date'))
    times = {status.Event.START: lease.start_date,
             status.Event.END: lease.end_date,
             status.Event.BEFORE_END: before_end}
    for event in lease.events:
        when = times.get(event.event_type)
        if when is None or event.time == when:
            continue
        if event.status == status.Event.UNDONE:
            event.time = when
        elif (event.event_type == status.Event.BEFORE_END and
              event.status == status.Event.DONE and when > now):
            # A prolonged lease gets its before-end action again.
            event.time, event.status = when, status.Event.UNDONE
