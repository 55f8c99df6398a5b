"""promise.db.migration's stamp, history and pending, and the
promise-db-manage subcommands built on them, on a SQLite file."""

import io
import os

import fixtures
import sqlalchemy as sa
import testtools

from promise.cmd import db_manage
from promise.db import migration


class TestMigrationAPI(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'm.sqlite')
        self.engine = sa.create_engine('sqlite:///%s' % self.path,
                                       poolclass=sa.pool.NullPool)
        self.addCleanup(self.engine.dispose)
        self.revisions = [r.revision for r in reversed(migration.history())]

    def conn(self):
        return self.engine.begin()

    def test_pending_lists_what_upgrade_applies(self):
        with self.conn() as conn:
            self.assertEqual(self.revisions,
                             [r.revision for r in migration.pending(conn)])
            migration.upgrade(self.revisions[-3], connection=conn)
        with self.conn() as conn:
            self.assertEqual(self.revisions[-2:],
                             [r.revision for r in migration.pending(conn)])
            migration.upgrade('head', connection=conn)
        with self.conn() as conn:
            self.assertEqual([], migration.pending(conn))

    def test_history_marks_head_and_current(self):
        with self.conn() as conn:
            migration.upgrade(self.revisions[1], connection=conn)
        with self.conn() as conn:
            history = migration.history(conn)
        self.assertEqual(self.revisions[::-1],
                         [r.revision for r in history])
        self.assertEqual([migration.head()],
                         [r.revision for r in history if r.is_head])
        self.assertEqual([self.revisions[1]],
                         [r.revision for r in history if r.is_current])
        self.assertIsNone(history[-1].down_revision)
        self.assertTrue(all(r.title for r in history))

    def test_stamp_records_without_migrating(self):
        with self.conn() as conn:
            migration.stamp('head', connection=conn)
        with self.conn() as conn:
            self.assertEqual(migration.head(), migration.current(conn))
            self.assertEqual({'alembic_version'},
                             set(sa.inspect(conn).get_table_names()))

    def test_unknown_revision(self):
        with self.conn() as conn:
            migration.upgrade('head', connection=conn)
            conn.execute(sa.text(
                "UPDATE alembic_version SET version_num = 'f00d'"))
        with self.conn() as conn:
            exc = self.assertRaises(migration.UnknownRevision,
                                    migration.pending, conn)
        self.assertEqual('f00d', exc.revision)
        self.assertIn('f00d', str(exc))

    def test_upgrade_logs_each_revision(self):
        logs = self.useFixture(fixtures.FakeLogger(
            name=migration.__name__, level='INFO'))
        with self.conn() as conn:
            migration.upgrade(self.revisions[1], connection=conn)
        self.assertIn('2 revision(s) to apply', logs.output)
        for rev in self.revisions[:2]:
            self.assertIn('Applied revision %s (' % rev, logs.output)
        self.assertNotIn('Applied revision %s' % self.revisions[2],
                         logs.output)


class TestDbManage(testtools.TestCase):
    """The subcommands, through main(), on a configured SQLite file."""

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.config = os.path.join(tmp, 'promise.conf')
        with open(self.config, 'w') as f:
            f.write('[database]\nconnection = sqlite:///%s\n'
                    % os.path.join(tmp, 'db.sqlite'))

    def run_main(self, *args):
        from oslo_config import cfg
        from promise import conf
        from promise.db import api as db
        self.addCleanup(db.reset)
        self.addCleanup(conf.CONF.reset)
        self.addCleanup(conf.CONF.unregister_opt,
                        cfg.SubCommandOpt('command'))
        db.reset()
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.useFixture(fixtures.MonkeyPatch(
            'sys.argv', ['promise-db-manage', '--config-file', self.config]
            + list(args)))
        code = 0
        try:
            db_manage.main()
        except SystemExit as exc:
            code = exc.code
        finally:
            conf.CONF.clear()
        return code, out.getvalue()

    def test_check_fails_until_upgraded(self):
        code, out = self.run_main('check')
        self.assertEqual(1, code, out)
        self.assertIn('Run promise-db-manage upgrade head', out)
        self.assertEqual(0, self.run_main('upgrade')[0])
        code, out = self.run_main('check')
        self.assertEqual(0, code, out)
        self.assertIn('(head): nothing to apply', out)

    def test_stamp_and_history(self):
        first = migration.history()[-1].revision
        self.assertEqual(0, self.run_main('stamp', first)[0])
        code, out = self.run_main('history')
        self.assertEqual(0, code)
        self.assertIn('<base> -> %s (current), ' % first, out)
        self.assertIn(' -> %s (head), ' % migration.head(), out)
        code, out = self.run_main('check')
        self.assertEqual(1, code, out)
