"""Half-open time windows [start, end). Pure functions."""

import datetime

from promise.common import dates


def padded(start, end, minutes):
    """The window widened by ``minutes`` on both sides (cleaning time)."""
    pad = datetime.timedelta(minutes=minutes)
    return dates.shift(start, -pad), dates.shift(end, pad)


def overlaps(a_start, a_end, b_start, b_end):
    # Back-to-back windows (a_end == b_start) do not overlap.
    return a_start < b_end and b_start < a_end
