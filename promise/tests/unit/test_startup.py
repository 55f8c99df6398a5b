# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""How promise-* commands and the WSGI module find and check their
configuration at start."""

import io
import logging
import os
import subprocess
import sys

import fixtures
from oslo_config import cfg
import testtools

from promise.clients import keystone
from promise.cmd import manager as manager_cmd
from promise.common import config
from promise.common import periodic
from promise import conf as promise_conf
from promise.conf import default as default_conf
from promise.conf import opts
from promise import exceptions
from promise.tests.unit import base
from promise.tests import utils

CONF = promise_conf.CONF


class TestWsgiConfigFiles(base.TestCase):

    def test_nothing_set_leaves_oslo_config_search(self):
        self.assertIsNone(config.wsgi_config_files({}))

    def test_os_promise_config_dir_alone(self):
        self.assertEqual(['/srv/promise/promise.conf'],
                         config.wsgi_config_files(
                             {'OS_PROMISE_CONFIG_DIR': '/srv/promise'}))

    def test_os_promise_config_files_in_default_dir(self):
        self.assertEqual(
            ['/etc/promise/promise.conf', '/etc/promise/extra.conf'],
            config.wsgi_config_files(
                {'OS_PROMISE_CONFIG_FILES': 'promise.conf;extra.conf'}))

    def test_os_promise_config_dir_and_files(self):
        self.assertEqual(
            ['/srv/p/a.conf', '/srv/p/b.conf'],
            config.wsgi_config_files({'OS_PROMISE_CONFIG_DIR': '/srv/p',
                                      'OS_PROMISE_CONFIG_FILES':
                                      'a.conf;b.conf',
                                      'PROMISE_CONFIG_FILES': '/x.conf'}))

    def test_legacy_promise_config_files(self):
        self.assertEqual(['/a/promise.conf', '/b/extra.conf'],
                         config.wsgi_config_files(
                             {'PROMISE_CONFIG_FILES':
                              '/a/promise.conf,/b/extra.conf'}))


class TestDatabaseRequired(base.TestCase):

    def _conf(self, *lines):
        conf = cfg.ConfigOpts()
        default_conf.register_opts(conf)
        opts.set_defaults(conf)
        files = []
        if lines:
            path = self.useFixture(fixtures.TempDir()).join('promise.conf')
            with open(path, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            files = [path]
        conf([], project='promise', default_config_files=files)
        return conf

    def test_default_connection_is_not_configured(self):
        conf = self._conf()
        self.assertTrue(conf.database.connection.startswith('sqlite:'))
        self.assertFalse(config.database_configured(conf))

    def test_connection_from_a_file_is_configured(self):
        conf = self._conf('[database]',
                          'connection = mysql+pymysql://u:p@db/promise')
        self.assertTrue(config.database_configured(conf))

    def test_empty_connection_is_not_configured(self):
        self.assertFalse(config.database_configured(
            self._conf('[database]', 'connection =')))

    def test_commands_stop_naming_the_option(self):
        stream = io.StringIO()
        exc = self.assertRaises(SystemExit, config.exit_without_database,
                                '/usr/bin/promise-manager', self._conf(),
                                stream)
        self.assertEqual(2, exc.code)
        self.assertIn('promise-manager: [database] connection is not set',
                      stream.getvalue())

    def test_configured_database_passes(self):
        conf = self._conf('[database]', 'connection = sqlite:////tmp/x.db')
        self.assertIsNone(config.exit_without_database('promise-api', conf))


class TestNovaNotConfigured(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(base.ConfFixture())
        keystone.reset()
        self.addCleanup(keystone.reset)

    def test_session_refuses_without_credentials(self):
        self.assertFalse(keystone.configured('nova'))
        exc = self.assertRaises(exceptions.ServiceNotConfigured,
                                keystone.session, 'nova')
        self.assertEqual(503, exc.code)
        self.assertIn('[nova] has no credentials', str(exc))

    def test_manager_says_it_once_at_start(self):
        logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        manager_cmd.warn_if_no_nova()
        lines = [line for line in logger.output.splitlines() if line]
        self.assertEqual(1, len(lines), lines)
        self.assertIn('[nova] has no credentials', lines[0])

    def test_manager_says_nothing_with_credentials(self):
        CONF.set_override('auth_type', 'password', group='nova')
        logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        manager_cmd.warn_if_no_nova()
        self.assertEqual('', logger.output)

    def _passes(self, error):
        calls = []

        def func():
            calls.append(1)
            raise error

        logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        task = periodic.Periodic('test', 0.01, func)
        task.start()
        self.addCleanup(task.wait)
        self.addCleanup(task.stop)
        utils.wait_for(lambda: len(calls) >= 3, what='three passes')
        task.stop()
        task.wait()
        return logger.output

    def test_periodic_pass_skips_quietly(self):
        output = self._passes(exceptions.ServiceNotConfigured(reason='no'))
        self.assertNotIn('Traceback', output)
        self.assertNotIn('failed', output)

    def test_periodic_pass_still_reports_other_failures(self):
        output = self._passes(RuntimeError('boom'))
        self.assertIn('Periodic task test failed', output)
        self.assertIn('Traceback', output)


class TestNoEventlet(testtools.TestCase):
    """Every console script, and the WSGI module, on threads: no
    eventlet banner on stderr and oslo.service's threading backend."""

    def run_python(self, code):
        # Python's default filters: the banner is a plain Warning, shown
        # unless silenced.
        env = {k: v for k, v in os.environ.items() if k != 'PYTHONWARNINGS'}
        proc = subprocess.run([sys.executable, '-c', code], env=env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return proc

    def test_console_scripts_print_no_eventlet_banner(self):
        for module in ('promise.cmd.api', 'promise.cmd.manager',
                       'promise.cmd.all', 'promise.cmd.db_manage',
                       'promise.cmd.status', 'promise.wsgi'):
            proc = self.run_python(
                'import %s\n'
                'from oslo_service import backend\n'
                'print(backend.get_backend_type().value)' % module)
            self.assertNotIn('Eventlet is deprecated', proc.stderr, module)
            self.assertEqual('threading', proc.stdout.strip(), module)
