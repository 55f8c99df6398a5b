"""Blazar's date formats: minute precision in, microseconds out, all UTC."""

import datetime

INPUT_FORMAT = '%Y-%m-%d %H:%M'
OUTPUT_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'
TIMESTAMP_FORMAT = '%Y-%m-%d %H:%M:%S'
NOW = 'now'
# The latest moment date arithmetic lands on: Blazar accepts end dates up
# to 9999-12-31 23:59, and a window padded or searched past them would
# overflow datetime. Whole seconds, as every database column stores it.
LATEST = datetime.datetime.max.replace(microsecond=0)
EARLIEST = datetime.datetime.min


def utcnow():
    """Naive UTC now, the representation used in the database."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse(value):
    """Parse an input date; raises ValueError for anything but the format.

    'now' is handled by callers because its meaning depends on the field.
    """
    return datetime.datetime.strptime(value, INPUT_FORMAT)


def shift(moment, delta):
    """``moment + delta``, held within [EARLIEST, LATEST] instead of
    overflowing."""
    try:
        return min(max(moment + delta, EARLIEST), LATEST)
    except OverflowError:
        return LATEST if delta > datetime.timedelta(0) else EARLIEST


def format_date(value):
    return value.strftime(OUTPUT_FORMAT) if value is not None else None


def format_timestamp(value):
    return value.strftime(TIMESTAMP_FORMAT) if value is not None else None
