"""promise-status upgrade check and promise-db-manage check/stamp/history
on the real MariaDB and PostgreSQL: a fresh deployment passes, a database
behind head fails with a line that says what to run.

[nova] points at a small Keystone stand-in served from this process, so
the credentials check makes its real keystoneauth calls.
"""

import http.server
import json
import os
import sys
import threading

import fixtures
from keystoneauth1 import fixture as ks_fixture
from oslo_db.sqlalchemy import provision

from promise.db import migration
from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures


class _Keystone(http.server.BaseHTTPRequestHandler):

    def log_message(self, *args):
        pass

    def _send(self, code, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = 'http://%s:%d/v3' % self.server.server_address
        self._send(200, {'version': {
            'id': 'v3.14', 'status': 'stable',
            'links': [{'rel': 'self', 'href': url}]}})

    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.server.token_requests += 1
        token = ks_fixture.V3Token()
        for service_type in ('compute', 'placement'):
            token.add_service(service_type).add_standard_endpoints(
                public='http://127.0.0.1:9/%s' % service_type)
        self._send(201, token, [('X-Subject-Token', 'functional-token')])


class KeystoneStandIn(fixtures.Fixture):

    def _setUp(self):
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      _Keystone)
        self.server.token_requests = 0
        thread = threading.Thread(target=self.server.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = 'http://127.0.0.1:%d/v3' % self.server.server_address[1]


class UpgradeCheckTests:

    START_SERVICES = False

    def setUp(self):
        super().setUp()
        # Each test starts from an empty database (the class shares one).
        engine = self.deployment.engine
        provision.Backend(engine.name, engine.url).drop_all_objects(engine)
        self.keystone = self.useFixture(KeystoneStandIn())
        self.config_path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'promise.conf')
        with open(self.config_path, 'w') as f:
            f.write('[database]\nconnection = %s\n\n'
                    '[nova]\nauth_type = password\nauth_url = %s\n'
                    'username = promise\npassword = secret\n'
                    'user_domain_name = Default\nproject_name = service\n'
                    'project_domain_name = Default\n'
                    % (self.deployment.url, self.keystone.url))

    def run_cmd(self, argv):
        return func_fixtures.run_command(argv, timeout=120)

    def db_manage(self, *args):
        return self.run_cmd([func_fixtures.bin_path('promise-db-manage'),
                             '--config-file', self.config_path] + list(args))

    def status(self, *extra):
        return self.run_cmd([sys.executable, '-m', 'promise.cmd.status',
                             '--config-file', self.config_path, 'upgrade',
                             'check'] + list(extra))

    def status_json(self):
        rc, out = self.status('--json')
        start = out.index('{"name"')
        return rc, {c['check']: c for c in json.loads(out[start:])['checks']}

    def test_behind_head_fails_then_passes_after_upgrade(self):
        head = migration.head()
        previous = [r.down_revision for r in migration.history()
                    if r.revision == head][0]

        rc, out = self.db_manage('upgrade', previous)
        self.assertEqual(0, rc, out)
        self.assertIn('Applied revision %s (' % previous, out)

        # Behind head: a failure (2) whose line says what to run.
        rc, out = self.status()
        self.assertEqual(2, rc, out)
        rows = [line.strip('| ') for line in out.splitlines()]
        at = rows.index('Check: Database schema')
        self.assertEqual('Result: Failure', rows[at + 1], out)
        self.assertIn('Run promise-db-manage upgrade head.',
                      ' '.join(rows[at + 2:at + 4]), out)
        rc, checks = self.status_json()
        self.assertEqual(2, rc)
        database = checks['Database schema']
        self.assertEqual(2, database['result'])
        self.assertEqual(
            'The database is at revision %s, behind head %s (1 to apply: '
            '%s). Run promise-db-manage upgrade head.'
            % (previous, head, head), database['details'])
        # Only the database fails.
        self.assertEqual(
            {'Policy file format': 0, 'Blazar policy names': 0,
             'Nova credentials': 0, 'Net value weights': 0,
             'Database schema': 2},
            {name: c['result'] for name, c in checks.items()})

        rc, out = self.db_manage('check')
        self.assertEqual(1, rc, out)
        self.assertIn('head is %s' % head, out)

        # Upgraded: every check passes, and Keystone was really asked.
        rc, out = self.db_manage('upgrade', 'head')
        self.assertEqual(0, rc, out)
        self.assertIn('Applied revision %s (' % head, out)
        asked = self.keystone.server.token_requests
        rc, out = self.status()
        self.assertEqual(0, rc, out)
        self.assertNotIn('Result: Warning', out)
        self.assertNotIn('Result: Failure', out)
        self.assertGreater(self.keystone.server.token_requests, asked)
        rc, out = self.db_manage('check')
        self.assertEqual(0, rc, out)
        rc, out = self.db_manage('history')
        self.assertEqual(0, rc, out)
        self.assertIn(' -> %s (head) (current), ' % head, out)

    def test_stamp_marks_a_schema_built_elsewhere(self):
        head = migration.head()
        rc, out = self.db_manage('stamp', head)
        self.assertEqual(0, rc, out)
        rc, out = self.db_manage('current')
        self.assertEqual(0, rc, out)
        self.assertIn(head, out)
        rc, out = self.db_manage('check')
        self.assertEqual(0, rc, out)
        rc, out = self.db_manage('stamp', 'base')
        self.assertEqual(0, rc, out)
        rc, out = self.db_manage('check')
        self.assertEqual(1, rc, out)


class TestUpgradeCheckMySQL(UpgradeCheckTests, base.MySQLMixin,
                            base.FunctionalTestCase):
    pass


class TestUpgradeCheckPostgreSQL(UpgradeCheckTests,
                                 base.PostgreSQLMixin,
                                 base.FunctionalTestCase):
    pass
