"""The alembic migrations build exactly the schema of the models."""

import os

import fixtures
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa

from promise.db import migration
from promise.db import models
from promise.tests.unit import base


class TestModelsMigrationsSync(test_migrations.ModelsMigrationsSync,
                               base.TestCase):

    def setUp(self):
        super().setUp()
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'sync.sqlite')
        self.engine = sa.create_engine('sqlite:///%s' % path,
                                       poolclass=sa.pool.NullPool)
        self.addCleanup(self.engine.dispose)

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        with engine.begin() as conn:
            migration.upgrade('head', connection=conn)


class TestMigrationCommands(base.TestCase):

    def test_fixture_database_is_at_head(self):
        self.assertEqual(migration.head(), migration.current())

    def test_empty_database_has_no_revision(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'empty.sqlite')
        engine = sa.create_engine('sqlite:///%s' % path)
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            self.assertIsNone(migration.current(conn))
            migration.upgrade('head', connection=conn)
            conn.commit()
        with engine.connect() as conn:
            self.assertEqual(migration.head(), migration.current(conn))
            tables = set(sa.inspect(conn).get_table_names())
        for table in ('leases', 'reservations', 'events',
                      'alembic_version'):
            self.assertIn(table, tables)
