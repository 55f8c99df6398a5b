"""The alembic migrations build exactly the schema of the models, on the
real MariaDB and PostgreSQL, through the real promise-db-manage."""

import os

import fixtures
from oslo_db.sqlalchemy import provision
from oslo_db.sqlalchemy import test_migrations

from promise.db import migration
from promise.db import models
from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures


class MigrationTests(test_migrations.ModelsMigrationsSync):

    START_SERVICES = False

    def setUp(self):
        super().setUp()
        self.config_path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'promise.conf')
        with open(self.config_path, 'w') as f:
            f.write('[database]\nconnection = %s\n' % self.deployment.url)

    def db_manage(self, *args):
        rc, out = func_fixtures.run_command(
            [func_fixtures.bin_path('promise-db-manage'), '--config-file',
             self.config_path] + list(args))
        self.assertEqual(0, rc, 'promise-db-manage %s:\n%s'
                         % (' '.join(args), out))
        return out

    # ModelsMigrationsSync hooks.

    def get_engine(self):
        return self.deployment.engine

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        self.db_manage('upgrade', 'head')

    def include_object(self, object_, name, type_, reflected, compare_to):
        return not (type_ == 'table' and name == 'alembic_version')

    # Tests of our own (test_models_sync comes from oslo.db).

    def test_current_prints_head(self):
        head = migration.head()
        self.assertTrue(head)
        self.addCleanup(self._drop_all)
        self.db_manage('upgrade', 'head')
        out = self.db_manage('current')
        self.assertIn(head, out)
        # Upgrading again is a no-op.
        self.db_manage('upgrade', 'head')
        self.assertIn(head, self.db_manage('current'))

    def _drop_all(self):
        engine = self.get_engine()
        provision.Backend(engine.name, engine.url).drop_all_objects(engine)


class TestMigrationsMySQL(MigrationTests, base.MySQLMixin,
                          base.FunctionalTestCase):
    pass


class TestMigrationsPostgreSQL(MigrationTests, base.PostgreSQLMixin,
                               base.FunctionalTestCase):
    pass
