"""Date fields of request bodies to naive UTC datetimes."""

from promise.common import dates
from promise import exceptions


def parse(value, allow_now=False):
    if allow_now and value == dates.NOW:
        return dates.utcnow()
    try:
        return dates.parse(value)
    except (TypeError, ValueError):
        raise exceptions.InvalidDate(date=value)
