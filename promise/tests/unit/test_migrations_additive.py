"""Migrations only expand (promise.db.migration.additive), and the check
catches a revision that does not."""

import os
import shutil
import textwrap

import fixtures

from promise.db import migration
from promise.db.migration import additive
from promise.tests.unit import base


class TestHistoryIsAdditive(base.TestCase):

    def test_every_revision_only_expands(self):
        self.assertEqual([], additive.violations())

    def test_every_revision_is_judged(self):
        # Each script ran and asked for something: an empty recording
        # would let any revision through.
        for script in migration.get_scripts().walk_revisions():
            for dialect in additive.DIALECTS:
                self.assertNotEqual(
                    [], additive.operations(script, dialect),
                    '%s on %s' % (script.revision, dialect))


class TestSyntheticRevisions(base.TestCase):
    """A copy of the history with one more revision on top."""

    def setUp(self):
        super().setUp()
        self.location = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'alembic')
        shutil.copytree(migration.get_config().get_main_option(
            'script_location'), self.location,
            ignore=shutil.ignore_patterns('__pycache__'))
        self.head = migration.head()

    def add_revision(self, body):
        path = os.path.join(self.location, 'versions', '9999_synthetic.py')
        with open(path, 'w') as f:
            f.write(textwrap.dedent('''\
                """A synthetic revision."""

                from alembic import op
                import sqlalchemy as sa

                revision = '9999'
                down_revision = %r
                branch_labels = None
                depends_on = None


                def upgrade():
                ''') % self.head)
            f.write(textwrap.indent(textwrap.dedent(body), '    '))
        self.assertEqual('9999', migration.head(self.location))
        return additive.violations(self.location)

    def assertRefused(self, body, *words):
        found = self.add_revision(body)
        self.assertEqual(1, len(found), found)
        self.assertTrue(found[0].startswith('9999: '), found)
        for word in words:
            self.assertIn(word, found[0])

    def test_drop_column_is_refused(self):
        self.assertRefused("op.drop_column('subscriptions', 'secret')\n",
                           'drop_column', 'subscriptions.secret')

    def test_drop_column_in_batch_is_refused(self):
        self.assertRefused(
            "with op.batch_alter_table('hosts') as batch:\n"
            "    batch.drop_column('health_reason')\n",
            'drop_column', 'hosts.health_reason')

    def test_drop_table_is_refused(self):
        self.assertRefused("op.drop_table('capacity_changes')\n",
                           'drop_table', 'capacity_changes')

    def test_rename_column_is_refused(self):
        self.assertRefused(
            "op.alter_column('leases', 'name', new_column_name='title',\n"
            "                existing_type=sa.String(80))\n",
            'renames leases.name')

    def test_not_null_is_refused(self):
        self.assertRefused(
            "op.alter_column('reservations', 'expiry', nullable=False,\n"
            "                existing_type=sa.Integer())\n",
            'NOT NULL', 'reservations.expiry')

    def test_shorter_string_is_refused(self):
        self.assertRefused(
            "op.alter_column('subscriptions', 'secret_encrypted',\n"
            "                type_=sa.String(16),\n"
            "                existing_type=sa.String(1024))\n",
            'subscriptions.secret_encrypted', 'not a widening')

    def test_not_null_column_without_default_is_refused(self):
        self.assertRefused(
            "op.add_column('leases', sa.Column('colour', sa.String(8),\n"
            "                                  nullable=False))\n",
            'leases.colour', 'server_default')

    def test_unique_index_on_existing_table_is_refused(self):
        self.assertRefused(
            "op.create_index('leases_name_uq', 'leases', ['name'],\n"
            "                unique=True)\n", 'leases_name_uq')

    def test_contracting_sql_is_refused(self):
        self.assertRefused("op.execute('DELETE FROM events')\n",
                           'DELETE FROM events')

    def test_expanding_revision_passes(self):
        self.assertEqual([], self.add_revision('''\
            op.add_column('leases', sa.Column('colour', sa.String(8)))
            op.add_column('leases', sa.Column('shade', sa.String(8),
                                              nullable=False,
                                              server_default='light'))
            op.alter_column('subscriptions', 'secret_encrypted',
                            type_=sa.String(2048),
                            existing_type=sa.String(1024))
            op.alter_column('reservations', 'expiry', nullable=True,
                            existing_type=sa.Integer())
            op.create_table(
                'palettes',
                sa.Column('id', sa.String(36), primary_key=True),
                sa.Column('lease_id', sa.String(36), nullable=False))
            op.create_index('palettes_lease_uq', 'palettes', ['lease_id'],
                            unique=True)
            op.create_foreign_key('palettes_lease_fk', 'palettes',
                                  'leases', ['lease_id'], ['id'])
            op.execute("UPDATE leases SET colour = 'blue'")
            '''))
