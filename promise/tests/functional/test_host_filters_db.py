"""Property queries narrowed in SQL keep every matching host on the real
MariaDB and PostgreSQL, where the database compares strings its own way
(MariaDB's default collation ignores case and trailing spaces): the
checks of promise/tests/unit/test_host_filters.py on a fresh database of
each server (schema from the models), no services needed."""

import contextlib

import sqlalchemy as sa
from sqlalchemy import orm
import testtools

from promise.db import models
from promise.tests.functional import fixtures as func_fixtures
from promise.tests.unit import test_host_filters


class _OnServer(test_host_filters.NarrowingChecks):

    BACKEND = None

    def setUp(self):
        super().setUp()
        database = self.useFixture(func_fixtures.Database(self.BACKEND))
        models.Base.metadata.create_all(database.engine)
        self.engine = database.engine
        self.add_hosts()

    @contextlib.contextmanager
    def session(self):
        with orm.Session(self.engine) as session:
            yield session
            session.commit()

    def test_collation_is_what_the_checks_expect(self):
        with self.engine.connect() as conn:
            same = conn.scalar(sa.text("SELECT 'A' = 'a'"))
        # Proves the MariaDB run exercises a case-blind comparison.
        self.assertEqual(self.BACKEND == 'mysql', bool(same))


class TestMariaDB(_OnServer, testtools.TestCase):
    BACKEND = 'mysql'


class TestPostgreSQL(_OnServer, testtools.TestCase):
    BACKEND = 'postgresql'
