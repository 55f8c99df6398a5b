"""Base classes and fixtures of the unit tier.

Everything runs in the test process: a fresh SQLite file database per test
(migrated with alembic), oslo.messaging's in-process ``fake:/`` transport,
and, for API tests, a real ManagerService answering the real WSGI app over
that transport. Nothing is shared between tests, so stestr may run them in
parallel.
"""

import datetime
import uuid

import fixtures
from oslo_config import fixture as config_fixture
from oslo_messaging import conffixture as messaging_fixture
from oslotest import base as oslotest_base
import sqlalchemy as sa

from promise.api import app as api_app
from promise.common import dates
from promise.common import transport
from promise import conf
from promise.conf import opts
from promise import context
from promise.db import api as db
from promise.db import leases as lease_db
from promise.db import migration
from promise.db import models
from promise import exceptions
from promise.manager import leases as lease_manager
from promise.manager import service
from promise.notifications import notifier
from promise.plugins import loader
from promise import policy
from promise.tests.unit import fakes
from promise.tests import utils

CONF = conf.CONF


def _reset_singletons():
    db.reset()
    transport.cleanup()
    policy.reset()
    notifier.reset()
    loader.set_plugins(None)


class ConfFixture(fixtures.Fixture):
    """CONF for one test: noauth, its own SQLite file, fake transport.

    Also resets every process-wide singleton (engine, transports, policy
    enforcer, notifier, plugins) before and after, and builds the schema
    with the alembic migrations.
    """

    def __init__(self, event_interval=1, minutes_before_end_lease=None,
                 plugins=None):
        super().__init__()
        self.event_interval = event_interval
        self.minutes_before_end_lease = minutes_before_end_lease
        self.plugins = plugins

    def _setUp(self):
        _reset_singletons()
        self.addCleanup(_reset_singletons)
        self.conf = self.useFixture(config_fixture.Config(CONF)).conf
        # Registers the oslo.messaging options and uses transport_url fake:/.
        self.useFixture(messaging_fixture.ConfFixture(CONF))
        opts.set_defaults(CONF)
        # Parse an empty command line: no promise.conf from the host.
        CONF([], project='promise', default_config_files=[])
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.db_url = 'sqlite:///%s/promise.sqlite' % self.tempdir
        self.conf.set_override('connection', self.db_url, group='database')
        self.conf.set_override('state_path', self.tempdir)
        self.conf.set_override('auth_strategy', 'noauth')
        self.conf.set_override('transport_url', 'fake:/')
        # A unique host and topic: nothing leaks between fixtures.
        suffix = uuid.uuid4().hex[:8]
        self.conf.set_override('host', 'unit-%s' % suffix)
        self.conf.set_override('topic', 'promise.manager.%s' % suffix,
                               group='manager')
        self.conf.set_override('event_interval', self.event_interval,
                               group='manager')
        if self.minutes_before_end_lease is not None:
            self.conf.set_override('minutes_before_end_lease',
                                   self.minutes_before_end_lease,
                                   group='manager')
        self.conf.set_override('rpc_timeout', 30, group='api')
        migration.upgrade('head')
        transport.init(CONF)
        loader.set_plugins(dict(self.plugins or {}))


class APIFixture(fixtures.Fixture):
    """A real ManagerService on the fake transport and the real WSGI app.

    Expects a ConfFixture to be in place (``conf_fixture=None``) or builds
    one itself.
    """

    def __init__(self, conf_fixture=None, **conf_kwargs):
        super().__init__()
        self.conf_fixture = conf_fixture
        self.conf_kwargs = conf_kwargs

    def _setUp(self):
        if self.conf_fixture is None:
            self.conf_fixture = self.useFixture(
                ConfFixture(**self.conf_kwargs))
        self.service = service.ManagerService()
        self.service.start()
        self.addCleanup(self._stop)
        self.app = api_app.setup_app()

    def _stop(self):
        self.service.stop()
        self.service.wait()


class TestCase(oslotest_base.BaseTestCase):
    """A test with its own configuration, database and fake transport."""

    EVENT_INTERVAL = 1
    MINUTES_BEFORE_END_LEASE = None

    def setUp(self):
        super().setUp()
        self.conf_fixture = self.useFixture(ConfFixture(
            event_interval=self.EVENT_INTERVAL,
            minutes_before_end_lease=self.MINUTES_BEFORE_END_LEASE))
        self.conf = self.conf_fixture.conf

    def flags(self, group=None, **kwargs):
        for name, value in kwargs.items():
            self.conf.set_override(name, value, group=group)

    def set_plugins(self, mapping):
        loader.set_plugins(dict(mapping))


def ctx(project_id='project-a', user_id='user-a',
        roles=('member', 'reader')):
    roles = list(roles)
    return context.RequestContext(user_id=user_id, project_id=project_id,
                                  roles=roles, is_admin='admin' in roles)


def utcnow():
    return dates.utcnow()


def minute(value):
    return value.replace(second=0, microsecond=0)


def hours(n):
    return datetime.timedelta(hours=n)


wait_for = utils.wait_for


class LeaseTestCase(TestCase):
    """A TestCase with a LeaseManager, a recording plugin and helpers to
    create leases and look at their rows."""

    def setUp(self):
        super().setUp()
        self.plugin = fakes.RecordingPlugin()
        self.set_plugins({fakes.RESOURCE_TYPE: self.plugin})
        self.woken = []
        self.manager = lease_manager.LeaseManager(
            wake=lambda: self.woken.append(True))
        if hasattr(self.manager, 'shutdown'):
            self.addCleanup(self.manager.shutdown)
        self.context = ctx()

    def create_lease(self, name='lease', start=None, end=None,
                     reservations=1, context=None, **values):
        now = utcnow()
        values.update({
            'name': name,
            'start_date': start if start is not None else now + hours(24),
            'end_date': end if end is not None else now + hours(48),
            'reservations': [{'resource_type': fakes.RESOURCE_TYPE,
                              'size': i} for i in range(reservations)],
        })
        lease_id = self.manager.create_view(context or self.context,
                                            values)['id']
        # Reservations may be prepared in the background after the answer;
        # wait, so that later assertions on plugin calls are not racy.
        wait_for(lambda: len([c for c in self.plugin.calls
                              if c[:2] == ('prepare', lease_id)])
                 >= reservations,
                 what='reservations of %s to be prepared' % lease_id)
        return lease_id

    def clear_calls(self):
        del self.plugin.calls[:]

    def get_lease(self, lease_id):
        with db.reader() as session:
            return lease_db.get(session, lease_id)

    def lease_exists(self, lease_id):
        try:
            self.get_lease(lease_id)
        except exceptions.LeaseNotFound:
            return False
        return True

    def set_status(self, lease_id, new_status):
        with db.writer() as session:
            self.assertTrue(lease_db.set_status(session, lease_id,
                                                new_status))

    def events(self, lease_id):
        """{event_type: Event row}."""
        return {e.event_type: e for e in self.get_lease(lease_id).events}

    def set_event(self, event_id, **values):
        with db.writer() as session:
            session.execute(sa.update(models.Event)
                            .where(models.Event.id == event_id)
                            .values(**values))
