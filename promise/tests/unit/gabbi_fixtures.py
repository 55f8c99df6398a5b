"""gabbi fixtures: each YAML file gets its own database, its own
promise-manager (in-process, fake transport) and its own WSGI app."""

from gabbi import fixture

from promise.tests.unit import base

# The app the current YAML file talks to; set by APIFixture.
_APP = None


def _current_app(environ, start_response):
    if _APP is None:
        raise RuntimeError('No gabbi APIFixture is running')
    return _APP(environ, start_response)


def setup_app():
    """The gabbi ``intercept``.

    gabbi calls it while it builds the tests, before any fixture runs, so it
    returns a WSGI callable that forwards to the app of the running fixture.
    """
    return _current_app


class APIFixture(fixture.GabbiFixture):
    """Fresh SQLite database, a real ManagerService and the real app.

    ``[manager] minutes_before_end_lease`` is 30 (not the default 60), so the
    YAML tests can tell that the option is honoured.
    """

    MINUTES_BEFORE_END_LEASE = 30

    def start_fixture(self):
        global _APP
        self.api = base.APIFixture(
            event_interval=1,
            minutes_before_end_lease=self.MINUTES_BEFORE_END_LEASE)
        self.api.setUp()
        _APP = self.api.app

    def stop_fixture(self):
        global _APP
        _APP = None
        if getattr(self, 'api', None) is not None:
            self.api.cleanUp()
            self.api = None
