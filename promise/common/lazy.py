"""A process-wide object built on first use (an engine facade, a client,
the plugin set...).

Invariant: the factory runs at most once until ``reset``, even when
threads ask for the object at the same time; a factory that raises leaves
nothing behind, so the next call tries again.
"""

import threading


class Lazy:

    def __init__(self, factory):
        self._factory = factory
        self._lock = threading.Lock()
        self._value = None

    def get(self):
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._factory()
                value = self._value
        return value

    def set(self, value):
        """Install ``value`` instead of building one (tests)."""
        with self._lock:
            self._value = value

    def reset(self):
        """Forget the object; returns it (or None) for the caller to
        release."""
        with self._lock:
            value, self._value = self._value, None
        return value
