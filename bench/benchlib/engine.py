"""The engine alone, in this process, on the deployment's database: the
allocation decisions (whole hosts, with and without a property query;
instance slots) and the capacity timelines, each timed inside one
transaction that is rolled back.

This is the only part of the benchmark that calls Promise's internals
(the engine modules, the config and the db session), and it imports them
in measure_engine() only.
"""

import datetime
import time

from benchlib import common
from benchlib import scenarios


class Rollback(Exception):
    """Raised inside the transaction so that nothing is written."""


def rolled_back(db, window, decide):
    """For common.sample(): ``decide(session, start, end)`` over a new
    ``window()``, timed from opening the transaction to just before its
    rollback."""
    def once(i):
        start, end = window()
        t0 = time.perf_counter()
        try:
            with db.writer() as session:
                decide(session, start, end)
                elapsed = time.perf_counter() - t0
                raise Rollback()
        except Rollback:
            pass
        return elapsed, None
    return once


def measure_engine(conf_path, rng, n):
    from promise.common import config
    from promise.common import shapes
    from promise.db import api as db
    from promise.engine import capacity
    from promise.plugins.hosts import allocation
    from promise.plugins.instances import slots
    config.parse_args(['bench', '--config-file', conf_path],
                      configure_logging=False)
    db.reset()
    shape = shapes.Shape(**scenarios.BENCH_SHAPE)

    def lease_window():
        start = scenarios.bench_start(rng)
        return start, start + datetime.timedelta(hours=12)

    def capacity_window():
        start = common.utcnow().replace(second=0, microsecond=0)
        return start, start + datetime.timedelta(
            days=scenarios.CAPACITY_DAYS)

    gpu = scenarios.GPU_QUERY
    amount = scenarios.BENCH_AMOUNT
    cases = (
        ('engine', lease_window,
         lambda s, a, b: allocation.choose(s, a, b, 1, 1)),
        ('engine_filtered', lease_window,
         lambda s, a, b: allocation.choose(s, a, b, 1, 1,
                                           resource_query=gpu)),
        ('engine_instance', lease_window,
         lambda s, a, b: slots.choose(s, a, b, amount, shape)),
        ('engine_capacity_hosts', capacity_window,
         lambda s, a, b: capacity.timeline(s, 'physical:host', a, b)),
        ('engine_capacity_instance', capacity_window,
         lambda s, a, b: capacity.timeline(s, 'virtual:instance', a, b,
                                           shape=shape)),
    )
    out = {}
    for name, window, decide in cases:
        # A timeline costs more than a decision; fewer runs do.
        runs = max(5, n // 5) if 'capacity' in name else n
        out[name], _ = common.sample(runs, rolled_back(db, window, decide),
                                     warmup=3)
    db.reset()
    return out
