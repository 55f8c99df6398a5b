"""RPC deadlines: the moment after which the caller no longer waits.

The API stamps every call with one (``after``); the manager refuses work
that arrives past it (``check``), so a request the client already heard
503 for never turns into a write it does not know about. A deadline is
seconds since the epoch (``time.time()``): both processes read the same
clock closely enough, and the value crosses RPC as a plain float.
"""

import time

from promise import exceptions


def after(seconds):
    """The deadline ``seconds`` from now."""
    return time.time() + seconds


def check(deadline):
    """Raise RequestExpired when ``deadline`` (or None: none) is past."""
    if deadline is not None and time.time() > deadline:
        raise exceptions.RequestExpired()
