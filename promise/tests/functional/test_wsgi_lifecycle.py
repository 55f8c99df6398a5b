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
"""promise.wsgi.api under gunicorn, as operators deploy it.

* Sixteen concurrent first requests to four fresh workers, each serving
  four threads, all answer 2xx: the application is built when a worker
  starts, not by whichever request comes first.
* A configuration error stops the workers at start (gunicorn exits),
  instead of a /healthcheck that says 200 in front of 500s.
* The files are found through OS_PROMISE_CONFIG_DIR /
  OS_PROMISE_CONFIG_FILES as well as PROMISE_CONFIG_FILES.
* SIGTERM to gunicorn answers (and commits) a create still in flight, then
  stops;
* SIGHUP to gunicorn brings up workers that read the changed promise.conf
  (debug on) while every request is still answered.
* promise-api, promise-manager and promise-db-manage without
  ``[database] connection`` stop with a message naming it; a manager
  without [nova] credentials says so once and skips that work.
"""

import concurrent.futures
import os
import shutil
import signal
import socket
import tempfile
import threading
import time

import requests
import sqlalchemy as sa
from testtools import content

from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures

WORKERS = 4
THREADS = 4
FIRST_REQUESTS = 16


class _Gunicorn:
    """A promise.conf on the class's database, migrated, and gunicorn on
    promise.wsgi.api."""

    START_SERVICES = False
    CONFIG = {}

    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp(prefix='promise-wsgi-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.config = self.useFixture(func_fixtures.ConfigFile(
            self.deployment.url, self.directory, **self.CONFIG))
        rc, out = func_fixtures.run_command(
            [func_fixtures.bin_path('promise-db-manage'), '--config-file',
             self.config.path, 'upgrade', 'head'])
        self.assertEqual(0, rc, out)

    def gunicorn(self, env, tag='gunicorn'):
        argv = [func_fixtures.bin_path('gunicorn'),
                '--workers', str(WORKERS), '--threads', str(THREADS),
                '--bind', '127.0.0.1:%d' % self.config.port,
                '--timeout', '120', '--graceful-timeout', '10',
                'promise.wsgi.api:application']
        service = func_fixtures.Service('gunicorn', self.config.path,
                                        self.directory, tag=tag, argv=argv,
                                        env=env)
        self.useFixture(service)
        self.addOnException(lambda exc_info: self.addDetail(
            'log:' + tag, content.text_content(
                func_fixtures.tail(service.log_path))))
        return service

    def wait_listening(self, service):
        """Until the port accepts connections, sending no HTTP request."""
        def listening():
            service.check_running()
            try:
                with socket.create_connection(
                        ('127.0.0.1', self.config.port), timeout=1):
                    return True
            except OSError:
                return False
        func_fixtures.wait_for(listening, 60, interval=0.05,
                               what='gunicorn listening')


class _WsgiLifecycle(_Gunicorn):

    def get(self, path):
        return requests.get(
            'http://127.0.0.1:%d%s' % (self.config.port, path),
            headers={'X-User-Id': base.OWNER['user'],
                     'X-Project-Id': base.OWNER['project'],
                     'X-Roles': 'member', 'Accept': 'application/json'},
            timeout=60)

    def test_concurrent_first_requests_all_succeed(self):
        service = self.gunicorn({'PROMISE_CONFIG_FILES': self.config.path})
        self.wait_listening(service)
        with concurrent.futures.ThreadPoolExecutor(FIRST_REQUESTS) as pool:
            answers = list(pool.map(lambda i: self.get('/v1/leases'),
                                    range(FIRST_REQUESTS)))
        statuses = [r.status_code for r in answers]
        self.assertEqual([200] * FIRST_REQUESTS, statuses,
                         [r.text[:300] for r in answers
                          if r.status_code != 200])
        service.check_running()

    def test_os_promise_config_dir_and_files(self):
        os.rename(self.config.path,
                  os.path.join(self.directory, 'main.conf'))
        service = self.gunicorn({
            'OS_PROMISE_CONFIG_DIR': self.directory,
            'OS_PROMISE_CONFIG_FILES': 'main.conf'})
        self.wait_listening(service)
        self.assertEqual(200, self.get('/v1/leases').status_code)

    def test_config_error_stops_the_server(self):
        service = self.gunicorn({
            'OS_PROMISE_CONFIG_DIR': self.directory,
            'OS_PROMISE_CONFIG_FILES': 'missing.conf'}, tag='gunicorn-bad')
        func_fixtures.wait_for(lambda: not service.running, 60,
                               what='gunicorn to exit')
        self.assertNotEqual(0, service.process.returncode)
        with open(service.log_path) as log:
            self.assertIn('missing.conf', log.read())


class TestWsgiLifecycleMySQL(_WsgiLifecycle, base.MySQLMixin,
                             base.FunctionalTestCase):
    pass


class _NoSilentDefaults:
    """Only promise-all may fall back to SQLite; a manager without [nova]
    credentials says so once and keeps running."""

    START_SERVICES = False

    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp(prefix='promise-defaults-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.config = self.useFixture(func_fixtures.ConfigFile(
            self.deployment.url, self.directory,
            **{'manager.health_interval': 1,
               'manager.usage_interval': 1,
               'manager.capacity_interval': 1}))

    def without_database(self):
        path = os.path.join(self.directory, 'no-database.conf')
        with open(self.config.path) as src, open(path, 'w') as out:
            for line in src:
                if not line.startswith('connection ='):
                    out.write(line)
        return path

    def test_commands_refuse_to_start_without_a_database(self):
        path = self.without_database()
        for argv in (['promise-api'], ['promise-manager'],
                     ['promise-db-manage', 'upgrade', 'head']):
            command = ([func_fixtures.bin_path(argv[0]), '--config-file',
                        path] + argv[1:])
            rc, out = func_fixtures.run_command(command, timeout=60)
            self.assertEqual(2, rc, (argv, out))
            self.assertIn('%s: [database] connection is not set' % argv[0],
                          out)
            self.assertFalse(os.path.exists(
                os.path.join(self.directory, 'promise.sqlite')))

    def test_manager_without_nova_says_so_once(self):
        rc, out = func_fixtures.run_command(
            [func_fixtures.bin_path('promise-db-manage'), '--config-file',
             self.config.path, 'upgrade', 'head'])
        self.assertEqual(0, rc, out)
        manager = self.useFixture(func_fixtures.Service(
            'promise-manager', self.config.path, self.directory))
        self.addOnException(lambda exc_info: self.addDetail(
            'log:promise-manager', content.text_content(
                func_fixtures.tail(manager.log_path))))

        def log():
            manager.check_running()
            with open(manager.log_path) as f:
                return f.read()

        def skipped(task, times):
            return lambda: log().count(
                'Periodic task %s skipped' % task) >= times
        # Several passes of each task that calls Nova whatever the
        # database holds.
        for task in ('health', 'usage'):
            func_fixtures.wait_for(skipped(task, 3), 60,
                                   what='%s passes' % task)
        text = log()
        warnings = [line for line in text.splitlines()
                    if 'WARNING' in line and 'has no credentials' in line]
        self.assertEqual(1, len(warnings), warnings)
        self.assertNotIn('Traceback', text)

    def test_sighup_reloads_the_manager_and_the_api(self):
        """SIGHUP (logrotate sends it) turns debug on in a running
        promise-manager and promise-api, which go on running."""
        rc, out = func_fixtures.run_command(
            [func_fixtures.bin_path('promise-db-manage'), '--config-file',
             self.config.path, 'upgrade', 'head'])
        self.assertEqual(0, rc, out)
        path = os.path.join(self.directory, 'reload.conf')
        with open(self.config.path) as f:
            text = f.read().replace('debug = true', 'debug = false')
        self.assertIn('debug = false', text)
        with open(path, 'w') as f:
            f.write(text)
        services = [self.useFixture(func_fixtures.Service(
            name, path, self.directory))
            for name in ('promise-manager', 'promise-api')]
        for service in services:
            func_fixtures.wait_for(
                lambda: 'listening' in self._log(service), 60,
                what='%s started' % service.name)
        with open(path, 'w') as f:
            f.write(text.replace('debug = false', 'debug = true'))
        for service in services:
            os.kill(service.process.pid, signal.SIGHUP)
            marker = '%s logs at debug level' % service.name
            func_fixtures.wait_for(
                lambda: marker in self._log(service), 60,
                what='%s at debug level after SIGHUP' % service.name)
            self.assertIn('Option DEFAULT.debug changed from [false] to '
                          '[true]', self._log(service))
        time.sleep(2)
        for service in services:
            service.check_running()

    def _log(self, service):
        with open(service.log_path) as f:
            return f.read()


class TestNoSilentDefaultsMySQL(_NoSilentDefaults, base.MySQLMixin,
                                base.FunctionalTestCase):
    pass


class _Reload(_Gunicorn):
    """SIGHUP to gunicorn re-reads promise.conf in fresh workers (the
    application is built again at import) while requests keep being
    answered."""

    CONFIG = {'DEFAULT.debug': 'false'}
    HEADERS = {'X-User-Id': base.OWNER['user'],
               'X-Project-Id': base.OWNER['project'], 'X-Roles': 'member'}

    def answering_gunicorn(self):
        """gunicorn answering the lease list; the Service and the URL."""
        service = self.gunicorn({'PROMISE_CONFIG_FILES': self.config.path})
        url = 'http://127.0.0.1:%d/v1/leases' % self.config.port

        def answering():
            service.check_running()
            try:
                return requests.get(url, headers=self.HEADERS,
                                    timeout=30).status_code == 200
            except requests.ConnectionError:
                return False

        func_fixtures.wait_for(answering, 60, what='gunicorn answering')
        return service, url

    def test_sighup_changes_debug_without_dropping_a_request(self):
        service, url = self.answering_gunicorn()
        headers = self.HEADERS

        def log():
            service.check_running()
            with open(service.log_path) as f:
                return f.read()

        answers = []
        stop = threading.Event()

        def client():
            while not stop.is_set():
                try:
                    answers.append(requests.get(url, headers=headers,
                                                timeout=60).status_code)
                except requests.RequestException as exc:
                    answers.append(repr(exc))

        thread = threading.Thread(target=client, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 60)
        self.addCleanup(stop.set)
        func_fixtures.wait_for(lambda: len(answers) >= 20, 60,
                               what='requests before the reload')
        # Logged by each worker at start when debug is on.
        marker = 'Configuration options gathered from'
        self.assertNotIn(marker, log())
        with open(self.config.path) as f:
            text = f.read()
        with open(self.config.path, 'w') as f:
            f.write(text.replace('debug = false', 'debug = true'))
        before = len(answers)
        os.kill(service.process.pid, signal.SIGHUP)
        func_fixtures.wait_for(lambda: marker in log(), 60,
                               what='debug logging after SIGHUP')
        func_fixtures.wait_for(lambda: len(answers) >= before + 20, 60,
                               what='requests after the reload')
        stop.set()
        thread.join(60)
        self.assertEqual([200] * len(answers), answers)
        service.check_running()

    def test_sigterm_drains_a_request_in_flight(self):
        # A manager that answers late keeps a create in flight in a
        # worker while gunicorn is told to stop; the create must still be
        # answered and committed, and gunicorn then exit cleanly.
        manager = self.useFixture(func_fixtures.Service(
            'promise-manager', self.config.path, self.directory))
        server, url = self.answering_gunicorn()
        headers = self.HEADERS
        body = {'name': 'in-flight', 'start_date': '2099-01-01 10:00',
                'end_date': '2099-01-01 11:00', 'reservations': [],
                'events': []}
        os.kill(manager.process.pid, signal.SIGSTOP)
        self.addCleanup(os.kill, manager.process.pid, signal.SIGCONT)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(requests.post, url, json=body,
                                  headers=headers, timeout=60)
            # The create waits for the stopped manager (rpc_timeout 5 s).
            threading.Event().wait(1)
            self.assertFalse(pending.done())
            server.process.send_signal(signal.SIGTERM)
            threading.Event().wait(1)
            os.kill(manager.process.pid, signal.SIGCONT)
            resp = pending.result(60)
        self.assertEqual(201, resp.status_code, resp.text)
        self.assertEqual(0, server.process.wait(40))
        with self.deployment.engine.connect() as conn:
            names = [r[0] for r in conn.execute(sa.text(
                "SELECT name FROM leases WHERE name = 'in-flight'"))]
        self.assertEqual(['in-flight'], names)
        # Stopped: nothing answers any more.
        self.assertRaises(requests.ConnectionError, requests.get, url,
                          headers=headers, timeout=5)


class TestReloadMySQL(_Reload, base.MySQLMixin, base.FunctionalTestCase):
    pass
