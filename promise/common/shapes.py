"""The value types every layer shares for instance-sized capacity.

A ``Shape`` is an amount of each resource Promise counts (what one slot
or one server needs, or what a host can hold); a ``Usage`` is ``slots``
slots of one ``shape`` held over [start, end).
"""

import collections

RESOURCES = ('vcpus', 'memory_mb', 'disk_gb')
Shape = collections.namedtuple('Shape', RESOURCES)
Usage = collections.namedtuple('Usage', 'start end slots shape')

ZERO = Shape(0, 0, 0)


def add(a, b, times=1):
    """``a + times * b``, resource by resource."""
    return Shape(*(x + y * times for x, y in zip(a, b)))
