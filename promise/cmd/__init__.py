"""Console scripts."""

# Threads, not eventlet, before anything imports oslo.messaging.
from promise.common import threads  # noqa: F401
