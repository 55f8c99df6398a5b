"""Helpers every test tier uses."""

import time


def wait_for(predicate, timeout=10, interval=0.05, what='condition'):
    """Call predicate until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError('Timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)
