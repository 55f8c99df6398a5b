"""What every part of the benchmark shares: its paths, logging, the clock,
the machine's load, and timing (one sampling loop, one summary of
samples into p50 / p95 / max)."""

import datetime
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HERE)
BASELINE = os.path.join(HERE, 'baseline.json')


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def api_date(value):
    return value.strftime('%Y-%m-%d %H:%M')


def load():
    return os.getloadavg()[0]


def log(msg):
    sys.stderr.write('[%s] %s\n' % (time.strftime('%H:%M:%S'), msg))
    sys.stderr.flush()


def wait_quiet(limit, max_wait):
    """Wait, at most ``max_wait`` seconds, for the 1-minute load to drop
    below ``limit``."""
    deadline = time.monotonic() + max_wait
    while load() >= limit and time.monotonic() < deadline:
        log('load %.2f >= %.2f; waiting' % (load(), limit))
        time.sleep(15)


def summary(samples):
    """Samples in seconds -> {'n', 'p50', 'p95', 'max'} in ms."""
    if not samples:
        return {'n': 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return {'n': len(ordered), 'p50': statistics.median(ordered) * 1000,
            'p95': p95 * 1000, 'max': ordered[-1] * 1000}


def sample(runs, once, warmup=0):
    """Call ``once(i)`` ``warmup`` times unmeasured, then ``runs`` times
    measured; ``once`` returns ``(seconds, result)``.

    Returns the summary of the measured seconds and the last result.
    """
    last = None
    for i in range(warmup):
        _, last = once(i)
    samples = []
    for i in range(runs):
        elapsed, last = once(i)
        samples.append(elapsed)
    return summary(samples), last
