"""Fixtures for the functional tier: real databases, real processes, real
RabbitMQ.  Nothing here is mocked.

* ``Database``: a fresh database on the MariaDB or PostgreSQL server of
  127.0.0.1, dropped afterwards.
* ``ConfigFile``: a promise.conf for one test class (noauth, its own RPC and
  notification topics, events scanned every second).
* ``Service``: one console script (promise-api, promise-manager, ...) as a
  subprocess, its output in a log file.
* ``Deployment``: all of the above together: database migrated with
  ``promise-db-manage upgrade head``, one promise-api (or gunicorn with
  several workers serving ``promise.wsgi.api``) and two promise-managers,
  ready to serve; optionally on a private database server or RabbitMQ
  node (``servers.py``) that a test may stop.
* ``NotificationCollector``: an oslo.messaging notification listener that
  records what the managers announce.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import fixtures
import kombu
from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts
import requests
import sqlalchemy as sa

from promise.tests import utils

RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
KOMBU_URL = 'amqp://guest:guest@127.0.0.1:5672//'

BACKENDS = {
    'mysql': {
        'server_url': 'mysql+pymysql://root@127.0.0.1/',
        'url': 'mysql+pymysql://root@127.0.0.1/%s?charset=utf8mb4',
    },
    'postgresql': {
        'server_url': 'postgresql+psycopg2://postgres@127.0.0.1/postgres',
        'url': 'postgresql+psycopg2://postgres@127.0.0.1/%s',
    },
}

BIN_DIR = os.path.dirname(sys.executable)


def bin_path(name):
    """A console script of the venv the tests run in."""
    path = os.path.join(BIN_DIR, name)
    return path if os.path.exists(path) else name


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.5, what='condition'):
    """utils.wait_for, polling live processes less often by default."""
    return utils.wait_for(predicate, timeout, interval, what)


def tail(path, max_bytes=20000):
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            return f.read().decode('utf-8', 'replace')
    except OSError as e:
        return '<%s>' % e


class Database(fixtures.Fixture):
    """A new, empty database on a real server; dropped on cleanUp."""

    def __init__(self, backend, server=None):
        """server: a private server (servers.py) instead of the shared
        one; it provides ``server_url`` and ``url_template``."""
        super().__init__()
        self.backend = backend
        self.name = 'promise_func_%s' % uuid.uuid4().hex[:12]
        if server is None:
            self.server_url = BACKENDS[backend]['server_url']
            self.url = BACKENDS[backend]['url'] % self.name
        else:
            self.server_url = server.server_url
            self.url = server.url_template % self.name

    def _server(self):
        return sa.create_engine(self.server_url,
                                isolation_level='AUTOCOMMIT',
                                poolclass=sa.pool.NullPool)

    def _setUp(self):
        server = self._server()
        try:
            with server.connect() as conn:
                if self.backend == 'mysql':
                    conn.execute(sa.text(
                        'CREATE DATABASE %s CHARACTER SET utf8mb4'
                        % self.name))
                else:
                    conn.execute(sa.text('CREATE DATABASE %s' % self.name))
        finally:
            server.dispose()
        self.addCleanup(self._drop)
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self.addCleanup(self.engine.dispose)

    def _drop(self):
        server = self._server()
        try:
            with server.connect() as conn:
                if self.backend == 'mysql':
                    conn.execute(sa.text(
                        'DROP DATABASE IF EXISTS %s' % self.name))
                else:
                    conn.execute(sa.text(
                        'DROP DATABASE IF EXISTS %s WITH (FORCE)'
                        % self.name))
        finally:
            server.dispose()

    def rows(self, *tables):
        """Every row of the given tables, for before/after comparisons."""
        result = {}
        with self.engine.connect() as conn:
            for table in tables:
                result[table] = [
                    tuple(row) for row in conn.execute(sa.text(
                        'SELECT * FROM %s ORDER BY id' % table))]
        return result


class ConfigFile(fixtures.Fixture):
    """promise.conf for one deployment."""

    def __init__(self, db_url, directory, **overrides):
        super().__init__()
        self.db_url = db_url
        self.directory = directory
        suffix = uuid.uuid4().hex[:12]
        self.topic = 'promise-func-%s' % suffix
        self.notification_topic = 'promise-func-notif-%s' % suffix
        self.port = free_port()
        self.rpc_timeout = overrides.pop('rpc_timeout', 5)
        self.overrides = overrides
        self.path = os.path.join(directory, 'promise.conf')

    def _setUp(self):
        sections = {
            'DEFAULT': {
                'debug': 'true',
                'auth_strategy': 'noauth',
                'transport_url': RABBIT_URL,
                'state_path': self.directory,
            },
            'database': {'connection': self.db_url},
            'api': {
                'host': '127.0.0.1',
                'port': str(self.port),
                'rpc_timeout': str(self.rpc_timeout),
            },
            'manager': {
                'topic': self.topic,
                'event_interval': '1',
            },
            'oslo_messaging_notifications': {
                'driver': 'messagingv2',
                'topics': self.notification_topic,
            },
            'oslo_messaging_rabbit': {},
        }
        for key, value in self.overrides.items():
            section, option = key.split('.', 1)
            sections.setdefault(section, {})[option] = str(value)
        with open(self.path, 'w') as f:
            for section, opts in sections.items():
                f.write('[%s]\n' % section)
                for option, value in opts.items():
                    f.write('%s = %s\n' % (option, value))
                f.write('\n')


class Service(fixtures.Fixture):
    """One Promise console script running as a real process."""

    def __init__(self, name, config_file, log_dir, tag=None, argv=None,
                 env=None):
        """argv/env: run this command line instead of
        ``<name> --config-file <config_file>`` (e.g. a WSGI server)."""
        super().__init__()
        self.name = name
        self.config_file = config_file
        self.tag = tag or name
        self.log_path = os.path.join(log_dir, '%s.log' % self.tag)
        self.argv = argv or [bin_path(name), '--config-file', config_file]
        self.env = env
        self.process = None
        self.pids = []

    def _setUp(self):
        self.start()
        self.addCleanup(self.stop)

    def start(self):
        log = open(self.log_path, 'ab')
        log.write(b'==== starting %s at %s\n'
                  % (self.tag.encode(), time.ctime().encode()))
        log.flush()
        env = None
        if self.env:
            env = dict(os.environ, **self.env)
        self.process = subprocess.Popen(
            self.argv, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        self.pids.append(self.process.pid)
        log.close()

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL, as a crash would: no cleanup of any kind."""
        if not self.running:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self, timeout=15):
        if not self.running:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            # Take its whole process group down with it.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def check_running(self):
        if not self.running:
            raise AssertionError(
                '%s exited with status %s; its log:\n%s'
                % (self.tag, self.process.returncode, tail(self.log_path)))


def run_command(argv, timeout=120, **kwargs):
    """Run a command; return (exit status, output) without raising."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          timeout=timeout, text=True, **kwargs)
    return proc.returncode, proc.stdout


def consumer_count(queue, url=KOMBU_URL):
    """How many consumers listen on a RabbitMQ queue (0 if it is absent)."""
    with kombu.Connection(url, connect_timeout=5) as conn:
        channel = conn.channel()
        try:
            return channel.queue_declare(queue=queue, passive=True)[2]
        except Exception:
            return 0
        finally:
            try:
                channel.close()
            except Exception:  # noqa: S110 - closed with the connection
                pass


def delete_queues(*queues, url=KOMBU_URL):
    """Remove a test run's RabbitMQ queues (oslo.messaging leaves them)."""
    try:
        with kombu.Connection(url, connect_timeout=5) as conn:
            for queue in queues:
                channel = conn.channel()
                try:
                    channel.queue_delete(queue=queue)
                except Exception:  # noqa: S110 - already gone
                    pass
                finally:
                    try:
                        channel.close()
                    except Exception:  # noqa: S110
                        pass
    except Exception:  # noqa: S110 - best effort
        pass


class Deployment(fixtures.Fixture):
    """Database + config + promise-api + two promise-managers."""

    def __init__(self, backend, managers=2, api_workers=0, db_server=None,
                 broker=None, **overrides):
        """api_workers: serve the WSGI application with gunicorn and that
        many worker processes instead of one promise-api process.
        db_server, broker: private servers (servers.py) to use instead of
        the machine's shared MariaDB/PostgreSQL and RabbitMQ."""
        super().__init__()
        self.backend = backend
        self.n_managers = managers
        self.api_workers = api_workers
        self.db_server = db_server
        self.kombu_url = broker.kombu_url if broker else KOMBU_URL
        if broker is not None:
            overrides.setdefault('DEFAULT.transport_url',
                                 broker.transport_url)
        self.overrides = overrides

    def _setUp(self):
        self.services = []
        self.directory = tempfile.mkdtemp(prefix='promise-func-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.db = self.useFixture(Database(self.backend, self.db_server))
        self.config = self.useFixture(
            ConfigFile(self.db.url, self.directory, **self.overrides))
        self.addCleanup(self._delete_queues)
        self.port = self.config.port
        self.url = 'http://127.0.0.1:%d' % self.port
        self.db_manage('upgrade', 'head')
        if self.api_workers:
            self.api = self._start_wsgi_server()
        else:
            self.api = self.start_service('promise-api', 'promise-api')
        self.managers = [
            self.start_service('promise-manager', 'promise-manager-%d' % i)
            for i in range(1, self.n_managers + 1)]
        self.wait_healthy()
        self.wait_managers(self.n_managers)

    def _delete_queues(self):
        # oslo.messaging leaves its named queues behind: the topic queue,
        # one per manager process ("<topic>.<host>:<pid>") and the
        # notification queues.
        topic = self.config.topic
        queues = [topic]
        for service in self.services:
            for pid in service.pids:
                queues.append('%s.%s:%d' % (topic, socket.gethostname(),
                                            pid))
        queues += ['%s.%s' % (self.config.notification_topic, priority)
                   for priority in ('info', 'error', 'warn', 'audit',
                                    'debug', 'critical', 'sample')]
        delete_queues(*queues, url=self.kombu_url)

    def db_manage(self, *args):
        rc, out = run_command([bin_path('promise-db-manage'), '--config-file',
                               self.config.path] + list(args))
        if rc != 0:
            raise AssertionError('promise-db-manage %s failed (%s):\n%s'
                                 % (' '.join(args), rc, out))
        return out

    def start_service(self, name, tag, **kwargs):
        service = Service(name, self.config.path, self.directory, tag=tag,
                          **kwargs)
        self.useFixture(service)
        self.services.append(service)
        return service

    def _start_wsgi_server(self):
        """gunicorn, as operators run promise.wsgi.api: one port, worker
        processes that each build the app (and their own RPC client and
        database pool) on their first request."""
        self.access_log = os.path.join(self.directory, 'access.log')
        argv = [bin_path('gunicorn'), '--workers', str(self.api_workers),
                '--bind', '127.0.0.1:%d' % self.port,
                # Long enough for a request that waits for rpc_timeout.
                '--timeout', '120', '--graceful-timeout', '10',
                '--access-logfile', self.access_log,
                # The worker's pid first: shows how requests were spread.
                '--access-logformat', '%(p)s %(m)s %(U)s %(s)s',
                'promise.wsgi.api:application']
        return self.start_service(
            'gunicorn', 'promise-api-gunicorn', argv=argv,
            env={'PROMISE_CONFIG_FILES': self.config.path})

    def api_worker_pids(self, method, path):
        """{worker pid: requests served}, from gunicorn's access log."""
        counts = {}
        with open(self.access_log) as log:
            for line in log:
                fields = line.split()
                if fields[1:3] == [method, path]:
                    pid = fields[0].strip('<>')
                    counts[pid] = counts.get(pid, 0) + 1
        return counts

    def wait_healthy(self, timeout=60):
        def healthy():
            self.api.check_running()
            try:
                r = requests.get(self.url + '/healthcheck', timeout=2)
                return r.status_code == 200
            except requests.RequestException:
                return False
        try:
            wait_for(healthy, timeout, what='promise-api /healthcheck')
        except AssertionError as e:
            raise AssertionError('%s\n%s' % (e, self.logs()))

    def wait_managers(self, count, timeout=60):
        """Until exactly `count` managers consume the RPC topic queue."""
        def ready():
            for manager in self.managers:
                if manager.running:
                    continue
                if count == len(self.managers):
                    manager.check_running()
            return consumer_count(self.config.topic,
                                  self.kombu_url) == count
        try:
            wait_for(ready, timeout,
                     what='%d promise-manager(s) on topic %s'
                     % (count, self.config.topic))
        except AssertionError as e:
            raise AssertionError('%s\n%s' % (e, self.logs()))

    def log_paths(self):
        return [s.log_path for s in self.services]

    def logs(self):
        return '\n'.join('---- %s ----\n%s' % (p, tail(p))
                         for p in sorted(set(self.log_paths())))


class NotificationCollector(fixtures.Fixture):
    """A real oslo.messaging notification listener on RabbitMQ."""

    def __init__(self, topic, url=RABBIT_URL, rabbit=None):
        """rabbit: [oslo_messaging_rabbit] options for the listener (the
        deployment's quorum queues, say)."""
        super().__init__()
        self.topic = topic
        self.url = url
        self.rabbit = rabbit or {}
        self.lock = threading.Lock()
        self.notifications = []

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        with self.lock:
            self.notifications.append({
                'publisher_id': publisher_id,
                'event_type': event_type,
                'payload': payload,
            })
        return messaging.NotificationResult.HANDLED

    def _setUp(self):
        conf = cfg.ConfigOpts()
        conf([], project='promise-functional-tests')
        for group, opts in messaging_opts.list_opts():
            conf.register_opts(opts, group=group)
        for name, value in self.rabbit.items():
            conf.set_override(name, value, group='oslo_messaging_rabbit')
        transport = messaging.get_notification_transport(conf,
                                                         url=self.url)
        self.addCleanup(transport.cleanup)
        self.listener = messaging.get_notification_listener(
            transport, [messaging.Target(topic=self.topic)], [self],
            executor='threading')
        self.listener.start()
        self.addCleanup(self._stop)

    def _stop(self):
        self.listener.stop()
        self.listener.wait()

    def events(self, prefix=''):
        with self.lock:
            return [n for n in self.notifications
                    if n['event_type'].startswith(prefix)]
