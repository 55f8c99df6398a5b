"""Step functions over time. Pure functions: no I/O.

A timeline is a list of (start, end, value) steps that tile a window;
intervals are half-open [start, end).
"""

import collections
import datetime

# Stands for "forever" where an interval has no end.
FOREVER = datetime.datetime.max


def merge(intervals):
    """Union of [start, end) intervals as sorted, disjoint intervals."""
    merged = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(intervals, holes):
    """Parts of ``intervals`` not covered by ``holes`` (both merged)."""
    result = []
    holes = merge(holes)
    for start, end in merge(intervals):
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                result.append((cursor, h_start))
            cursor = max(cursor, h_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def clip(intervals, start, end):
    return [(max(s, start), min(e, end)) for s, e in intervals
            if s < end and e > start]


def count(start, end, intervals, base=0):
    """How many of ``intervals`` cover each moment of [start, end), plus
    ``base``: the exact step function, a new step only where it changes."""
    deltas = collections.Counter()
    for s, e in clip(intervals, start, end):
        deltas[s] += 1
        deltas[e] -= 1
    return _steps(start, end, deltas, base)


def weighted(start, end, intervals, base=0):
    """Like count(), for (start, end, weight) triples."""
    deltas = collections.Counter()
    for s, e, weight in intervals:
        if s < end and e > start and weight:
            deltas[max(s, start)] += weight
            deltas[min(e, end)] -= weight
    return _steps(start, end, deltas, base)


def from_deltas(start, end, deltas):
    """The step function over [start, end) of ``deltas`` ({moment: change
    of the value}, the value being 0 before the first moment), as
    count() makes it: changes at or before ``start`` make the first
    value, those at or after ``end`` do not show."""
    base, inside = 0, collections.Counter()
    for moment, change in deltas.items():
        if moment <= start:
            base += change
        elif moment < end:
            inside[moment] += change
    return _steps(start, end, inside, base)


def _steps(start, end, deltas, base):
    value = base + deltas.get(start, 0)
    steps = []
    cursor = start
    for moment in sorted(t for t in deltas if start < t < end):
        new = value + deltas[moment]
        if new != value:
            steps.append((cursor, moment, value))
            cursor, value = moment, new
    steps.append((cursor, end, value))
    return steps


def combine(start, end, **timelines):
    """Align several timelines on the union of their breakpoints:
    [(start, end, {name: value})], merging equal neighbours."""
    points = {start, end}
    for steps in timelines.values():
        points.update(s for s, _, _ in steps)
    points = sorted(p for p in points if start <= p <= end)
    cursors = {name: 0 for name in timelines}
    result = []
    for a, b in zip(points, points[1:]):
        values = {}
        for name, steps in timelines.items():
            i = cursors[name]
            while steps[i][1] <= a:
                i += 1
            cursors[name] = i
            values[name] = steps[i][2]
        if result and result[-1][2] == values:
            result[-1] = (result[-1][0], b, values)
        else:
            result.append((a, b, values))
    return result
