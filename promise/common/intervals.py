"""Half-open time windows [start, end). Pure functions."""

import bisect
import datetime

from promise.common import dates


def padded(start, end, minutes):
    """The window widened by ``minutes`` on both sides (cleaning time)."""
    pad = datetime.timedelta(minutes=minutes)
    return dates.shift(start, -pad), dates.shift(end, pad)


def overlaps(a_start, a_end, b_start, b_end):
    # Back-to-back windows (a_end == b_start) do not overlap.
    return a_start < b_end and b_start < a_end


def blocking(busy, duration):
    """The start times at which a window of ``duration`` would overlap one
    of ``busy`` (merged, disjoint [start, end) intervals): open intervals
    (start - duration, end), merged where they overlap. A start exactly at
    the end of one is free: the gap before the next busy interval is then
    exactly ``duration``."""
    result = []
    for start, end in busy:
        lo = dates.shift(start, -duration)
        if result and lo < result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((lo, end))
    return result


class FreeCounter:
    """How many of ``total`` resources are free at a start time, given each
    busy resource's blocking intervals (``blocking``): one sort, then a
    binary search per moment asked."""

    def __init__(self, total, blocked):
        self.total = total
        self._starts = sorted(lo for spans in blocked for lo, _ in spans)
        self._ends = sorted(hi for spans in blocked for _, hi in spans)

    def __call__(self, moment):
        # Blocked at ``moment``: lo < moment < hi. Every interval that
        # ended by then also started before it.
        return self.total - (bisect.bisect_left(self._starts, moment) -
                             bisect.bisect_right(self._ends, moment))
