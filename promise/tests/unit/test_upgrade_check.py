"""promise-status upgrade check: each check's verdict, against a SQLite
file, policy files on disk and a Keystone answered by requests-mock."""

import json
import os
import socket
import subprocess
import sys

import fixtures
from keystoneauth1 import fixture as ks_fixture
from keystoneauth1 import loading as ks_loading
from oslo_config import fixture as config_fixture
from oslo_db import options as db_options
from oslo_policy import opts as policy_opts
from oslo_upgradecheck import upgradecheck
import requests_mock
import sqlalchemy as sa
import testtools

from promise.cmd import status
from promise import conf
from promise.db import migration

CONF = conf.CONF
AUTH_URL = 'http://keystone.test:5000/v3'
Code = upgradecheck.Code


class StatusTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        db_options.set_defaults(CONF)
        policy_opts.set_defaults(CONF)
        # Loading the password plugin registers its options on [nova]
        # (auth_url required); after the fixture clears CONF they go too.
        self.addCleanup(self._unregister_plugin_options)
        self.useFixture(config_fixture.Config(CONF))
        self.checks = status.Checks()

    def _unregister_plugin_options(self):
        for opt in ks_loading.get_auth_plugin_conf_options('password'):
            CONF.unregister_opt(opt, group='nova')

    def configure(self, **sections):
        """Write promise.conf from {section: {option: value}} and parse."""
        path = os.path.join(self.dir, 'promise.conf')
        with open(path, 'w') as f:
            for section, opts in sections.items():
                f.write('[%s]\n' % section)
                for key, value in opts.items():
                    f.write('%s = %s\n' % (key, value))
        CONF(['--config-file', path], project='promise')

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as f:
            f.write(text)
        return path


class TestDatabase(StatusTestCase):

    def setUp(self):
        super().setUp()
        self.url = 'sqlite:///%s' % os.path.join(self.dir, 'p.sqlite')
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self.addCleanup(self.engine.dispose)

    def migrate(self, revision):
        with self.engine.begin() as conn:
            migration.upgrade(revision, connection=conn)

    def test_at_head(self):
        self.migrate('head')
        self.configure(database={'connection': self.url})
        result = self.checks._check_database()
        self.assertEqual(Code.SUCCESS, result.code, result.details)
        self.assertIn(migration.head(), result.details)

    def test_behind_head(self):
        revisions = [r.revision for r in reversed(migration.history())]
        self.migrate(revisions[-2])
        self.configure(database={'connection': self.url})
        result = self.checks._check_database()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertEqual(
            'The database is at revision %s, behind head %s (1 to apply: '
            '%s). Run promise-db-manage upgrade head.'
            % (revisions[-2], revisions[-1], revisions[-1]), result.details)

    def test_empty(self):
        self.configure(database={'connection': self.url})
        result = self.checks._check_database()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('no Promise schema', result.details)

    def test_unknown_revision(self):
        self.migrate('head')
        with self.engine.begin() as conn:
            conn.execute(sa.text(
                "UPDATE alembic_version SET version_num = 'f00d'"))
        self.configure(database={'connection': self.url})
        result = self.checks._check_database()
        self.assertEqual(Code.WARNING, result.code)
        self.assertIn('f00d', result.details)

    def test_unreachable(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        self.configure(database={
            'connection': 'postgresql+psycopg2://u:secret@127.0.0.1:%d/p'
                          % port})
        result = self.checks._check_database()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('Cannot read the database', result.details)
        self.assertNotIn('secret', result.details)


class TestPolicy(StatusTestCase):

    def policy(self, name, text):
        path = self.write(name, text)
        self.configure(oslo_policy={'policy_file': path})
        return path

    def test_no_policy_file(self):
        self.configure(oslo_policy={'policy_file': 'absent.yaml'})
        self.assertEqual(Code.SUCCESS, self.checks._check_policy_file().code)
        self.assertEqual(Code.SUCCESS,
                         self.checks._check_blazar_rules().code)

    def test_yaml(self):
        self.policy('policy.yaml', '"promise:leases:get": "role:admin"\n')
        self.assertEqual(Code.SUCCESS, self.checks._check_policy_file().code)
        self.assertEqual(Code.SUCCESS,
                         self.checks._check_blazar_rules().code)

    def test_json_is_deprecated(self):
        path = self.policy('policy.json',
                           '{"promise:leases:get": "role:admin"}')
        result = self.checks._check_policy_file()
        self.assertEqual(Code.WARNING, result.code)
        self.assertIn(path, result.details)
        self.assertIn('oslopolicy-convert-json-to-yaml', result.details)

    def test_broken_file(self):
        self.policy('policy.yaml', '"promise:leases:get": [role\n')
        result = self.checks._check_policy_file()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('do not parse', result.details)

    def test_not_a_mapping(self):
        self.policy('policy.yaml', '- role:admin\n')
        self.assertEqual(Code.FAILURE, self.checks._check_policy_file().code)

    def test_blazar_names_promise_does_not_read_are_reported(self):
        # Blazar's own rule names are aliases Promise reads; others (a
        # typo, a resource Promise has not) are reported.
        path = self.policy('policy.yaml',
                           '"blazar:leases:get": "role:admin"\n'
                           '"blazar:oshosts:post": "role:admin"\n'
                           '"blazar:networks:get": "role:admin"\n'
                           '"blazar:lease:post": "role:admin"\n'
                           '"promise:leases:get": "role:admin"\n')
        result = self.checks._check_blazar_rules()
        self.assertEqual(Code.WARNING, result.code)
        self.assertIn('blazar:* rules are not read by Promise: '
                      'blazar:lease:post, blazar:networks:get in %s'
                      % path, result.details)
        self.policy('policy.yaml', '"blazar:leases:get": "role:admin"\n')
        self.assertEqual(Code.SUCCESS,
                         self.checks._check_blazar_rules().code)

    def test_blazar_names_in_policy_dir(self):
        self.write('policy.yaml', '{}\n')
        os.mkdir(os.path.join(self.dir, 'policy.d'))
        path = self.write('policy.d/10-blazar.yaml',
                          '"blazar:hosts:get": "role:admin"\n')
        self.configure(oslo_policy={
            'policy_file': os.path.join(self.dir, 'policy.yaml'),
            'policy_dirs': os.path.join(self.dir, 'policy.d')})
        result = self.checks._check_blazar_rules()
        self.assertEqual(Code.WARNING, result.code)
        self.assertIn('blazar:hosts:get in %s' % path, result.details)


class TestNovaCredentials(StatusTestCase):

    def password(self, **extra):
        nova = {'auth_type': 'password', 'auth_url': AUTH_URL,
                'username': 'promise', 'password': 'pw',
                'user_domain_name': 'Default', 'project_name': 'service',
                'project_domain_name': 'Default'}
        nova.update(extra)
        self.configure(nova=nova)

    def keystone(self, services=status.SERVICE_TYPES, status_code=201):
        token = ks_fixture.V3Token()
        for service_type in services:
            token.add_service(service_type).add_standard_endpoints(
                public='http://%s.test' % service_type)
        self.requests = self.useFixture(_RequestsMock())
        self.requests.get(AUTH_URL, json={'version': {
            'id': 'v3.14', 'status': 'stable',
            'links': [{'rel': 'self', 'href': AUTH_URL}]}})
        self.requests.post(AUTH_URL + '/auth/tokens', json=token,
                           status_code=status_code,
                           headers={'X-Subject-Token': 'tok'})

    def test_not_configured(self):
        self.configure(DEFAULT={'debug': 'false'})
        result = self.checks._check_nova_credentials()
        self.assertEqual(Code.WARNING, result.code)
        self.assertIn('[nova] auth_type is not set', result.details)

    def test_missing_auth_url(self):
        self.configure(nova={'auth_type': 'password', 'username': 'x'})
        result = self.checks._check_nova_credentials()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('auth-url', result.details.replace('_', '-'))

    def test_usable(self):
        self.keystone()
        self.password()
        result = self.checks._check_nova_credentials()
        self.assertEqual(Code.SUCCESS, result.code, result.details)
        self.assertTrue(self.requests.called)

    def test_refused(self):
        self.keystone(status_code=401)
        self.password()
        result = self.checks._check_nova_credentials()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('Keystone refused the [nova] credentials',
                      result.details)

    def test_no_placement_in_catalog(self):
        self.keystone(services=['compute'])
        self.password()
        result = self.checks._check_nova_credentials()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('no placement public endpoint', result.details)

    def test_unreachable_keystone_is_bounded(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        self.password(auth_url='http://127.0.0.1:%d/v3' % port,
                      timeout='600')
        result = self.checks._check_nova_credentials()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('within 15s', result.details)


class _RequestsMock(fixtures.Fixture):

    def _setUp(self):
        self.mock = requests_mock.Mocker()
        self.mock.start()
        self.addCleanup(self.mock.stop)

    def __getattr__(self, name):
        return getattr(self.mock, name)


class TestNetValue(StatusTestCase):

    def test_default_weights(self):
        self.configure(DEFAULT={'debug': 'false'})
        result = self.checks._check_net_value()
        self.assertEqual(Code.SUCCESS, result.code)

    def test_weights_not_summing_to_one(self):
        self.configure(net_value={'wcpu': '0.9'})
        result = self.checks._check_net_value()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('wcpu + wmem + wdisk must be 1', result.details)

    def test_bad_cost(self):
        self.configure(net_value={'flavor_costs': 'm1.small:cheap'})
        result = self.checks._check_net_value()
        self.assertEqual(Code.FAILURE, result.code)
        self.assertIn('m1.small', result.details)


class TestCommand(testtools.TestCase):
    """python -m promise.cmd.status, as an operator runs it (a process of
    its own: oslo.config remembers where an option was set even after a
    test's fixture cleared it)."""

    def run_status(self, config_text):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'promise.conf')
        with open(path, 'w') as f:
            f.write(config_text)
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(status.__file__))))
        env = dict(os.environ, PYTHONPATH=root)
        return subprocess.run(
            [sys.executable, '-m', 'promise.cmd.status', '--config-file',
             path, 'upgrade', 'check', '--json'], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env=env, timeout=120)

    def test_connection_not_set(self):
        proc = self.run_status('[DEFAULT]\ndebug = false\n')
        self.assertEqual(2, proc.returncode, proc.stdout)
        self.assertIn('[database] connection is not set', proc.stdout)

    def test_exit_status_is_the_worst_result(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        url = 'sqlite:///%s' % os.path.join(tmp, 'p.sqlite')
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.addCleanup(engine.dispose)
        with engine.begin() as conn:
            migration.upgrade('head', connection=conn)
        proc = self.run_status('[database]\nconnection = %s\n' % url)
        # The database is at head; no [nova] credentials is a warning.
        self.assertEqual(1, proc.returncode, proc.stdout)
        checks = json.loads(proc.stdout[proc.stdout.index('{"name"'):])
        self.assertEqual('Promise Upgrade Check Results', checks['name'])
        self.assertEqual(
            {'Database schema': 0, 'Policy file format': 0,
             'Blazar policy names': 0, 'Nova credentials': 1,
             'Net value weights': 0},
            {c['check']: c['result'] for c in checks['checks']})
