"""Private servers a reliability test may stop and start again.

The machine's RabbitMQ, MariaDB and PostgreSQL are shared with other test
runs and must stay up, so a test that takes the broker or the database away
gets its own: a RabbitMQ node or a PostgreSQL cluster in a temporary
directory, on free ports of 127.0.0.1, gone after the test.

* ``PrivateRabbitMQ``: ``rabbitmq-server`` with its own node name, ports,
  mnesia and log directories, no plugins.
* ``PrivatePostgreSQL``: ``initdb`` + ``pg_ctl`` as the ``postgres`` user,
  trust authentication.

Both have ``stop()`` and ``start()``; the data survives a stop.

* ``FakeNova``: the few compute API calls the host plugin makes
  (aggregates, servers of a hypervisor), in memory, so that host leases can
  start and end in the functional tier, which has no Nova. Configure the
  deployment with ``[nova] auth_type = none`` and ``endpoint`` = its url.
"""

import glob
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

import fixtures
import kombu
import sqlalchemy as sa

from promise.tests.functional import fixtures as func_fixtures

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
SERVICES_SH = os.path.join(REPO, 'tools', 'lib', 'services.sh')

RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl'


def ensure_installed(paths, ensure_function):
    """Install missing server binaries the way tools/run-tests does
    (tools/lib/services.sh), or fail saying what is missing."""
    if all(os.path.exists(p) for p in paths):
        return
    rc, out = func_fixtures.run_command(
        ['bash', '-c', '. "%s" && %s' % (SERVICES_SH, ensure_function)],
        timeout=900)
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise AssertionError(
            '%s are needed for this test and could not be installed with '
            '%s from %s (exit %s):\n%s'
            % (', '.join(missing), ensure_function, SERVICES_SH, rc, out))


def _postgresql_bin():
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/pg_ctl'),
                   key=lambda p: [int(x) if x.isdigit() else x
                                  for x in p.split('/')])
    if not found:
        ensure_installed(['/usr/lib/postgresql'],
                         'promise_postgresql_ensure')
        found = sorted(glob.glob('/usr/lib/postgresql/*/bin/pg_ctl'))
    if not found:
        raise AssertionError('No PostgreSQL server binaries (pg_ctl) in '
                             '/usr/lib/postgresql/*/bin')
    return os.path.dirname(found[-1])


class PrivateRabbitMQ(fixtures.Fixture):
    """A RabbitMQ node of its own: stopping it disturbs nobody else."""

    def _setUp(self):
        ensure_installed([RABBITMQ_SERVER, RABBITMQCTL],
                         'promise_rabbitmq_ensure')
        self.directory = tempfile.mkdtemp(prefix='promise-rabbit-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.port = func_fixtures.free_port()
        self.dist_port = func_fixtures.free_port()
        self.node = 'promise-test-%s@localhost' % uuid.uuid4().hex[:8]
        self.transport_url = 'rabbit://guest:guest@127.0.0.1:%d/' % self.port
        self.kombu_url = 'amqp://guest:guest@127.0.0.1:%d//' % self.port
        self.log_path = os.path.join(self.directory, 'rabbitmq.out')
        conf_file = os.path.join(self.directory, 'rabbitmq.conf')
        with open(conf_file, 'w') as f:
            # The machine's /etc/rabbitmq/rabbitmq.conf names port 5672.
            f.write('listeners.tcp.local = 127.0.0.1:%d\n' % self.port)
            f.write('loopback_users.guest = true\n')
        plugins = os.path.join(self.directory, 'enabled_plugins')
        with open(plugins, 'w') as f:
            f.write('[].\n')
        env_file = os.path.join(self.directory, 'rabbitmq-env.conf')
        open(env_file, 'w').close()
        self.env = dict(
            os.environ,
            # The Erlang cookie goes to $HOME: keep it in the directory.
            HOME=self.directory,
            RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_IP_ADDRESS='127.0.0.1',
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=os.path.join(self.directory, 'mnesia'),
            RABBITMQ_LOG_BASE=os.path.join(self.directory, 'log'),
            RABBITMQ_CONFIG_FILE=conf_file,
            # Not /etc/rabbitmq/rabbitmq-env.conf, which names the
            # machine's own node.
            RABBITMQ_CONF_ENV_FILE=env_file,
            RABBITMQ_ENABLED_PLUGINS_FILE=plugins,
            ERL_EPMD_ADDRESS='127.0.0.1',
            ERL_CRASH_DUMP=os.path.join(self.directory, 'erl_crash.dump'))
        self.process = None
        self.addCleanup(self.stop)
        self.start()

    def start(self, timeout=120):
        log = open(self.log_path, 'ab')
        self.process = subprocess.Popen(
            [RABBITMQ_SERVER], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=self.env, cwd=self.directory,
            start_new_session=True)
        log.close()

        def up():
            if self.process.poll() is not None:
                raise AssertionError(
                    'rabbitmq-server %s exited (%s):\n%s'
                    % (self.node, self.process.returncode,
                       func_fixtures.tail(self.log_path)))
            return self.answers()
        func_fixtures.wait_for(up, timeout, what='private RabbitMQ %s'
                               % self.node)

    def answers(self):
        try:
            with kombu.Connection(self.kombu_url, connect_timeout=2) as conn:
                conn.connect()
            return True
        except Exception:
            return False

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        func_fixtures.run_command([RABBITMQCTL, '-n', self.node, 'stop'],
                                  timeout=60, env=self.env)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


class PrivatePostgreSQL(fixtures.Fixture):
    """A PostgreSQL cluster of its own, user postgres, trust."""

    backend = 'postgresql'

    def _setUp(self):
        bindir = _postgresql_bin()
        self.pg_ctl = os.path.join(bindir, 'pg_ctl')
        self.directory = tempfile.mkdtemp(prefix='promise-pg-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        # The server runs as postgres (it refuses root).
        shutil.chown(self.directory, 'postgres', 'postgres')
        self.data = os.path.join(self.directory, 'data')
        self.log_path = os.path.join(self.directory, 'postgresql.log')
        self.port = func_fixtures.free_port()
        self.server_url = ('postgresql+psycopg2://postgres@127.0.0.1:%d/'
                           'postgres' % self.port)
        self.url_template = ('postgresql+psycopg2://postgres@127.0.0.1:%d/'
                             '%%s' % self.port)
        self._run([os.path.join(bindir, 'initdb'), '-D', self.data,
                   '-U', 'postgres', '-A', 'trust', '-E', 'UTF8',
                   '--no-sync'])
        self.addCleanup(self.stop)
        self.start()

    def _run(self, argv, timeout=120):
        proc = subprocess.run(argv, user='postgres', group='postgres',
                              cwd=self.directory, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout,
                              text=True)
        if proc.returncode != 0:
            raise AssertionError('%s failed (%s):\n%s\n%s'
                                 % (' '.join(argv), proc.returncode,
                                    proc.stdout,
                                    func_fixtures.tail(self.log_path)))
        return proc.stdout

    def start(self):
        # Durability is not what these tests are about; speed on a busy
        # machine is.
        options = ('-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off '
                   '-c synchronous_commit=off -c full_page_writes=off '
                   '-c max_connections=200'
                   % (self.port, self.directory))
        self._run([self.pg_ctl, '-D', self.data, '-l', self.log_path,
                   '-o', options, '-w', '-t', '120', 'start'])

    def stop(self):
        if not os.path.exists(os.path.join(self.data, 'postmaster.pid')):
            return
        # fast: connections are cut at once, as when a server goes away.
        self._run([self.pg_ctl, '-D', self.data, '-m', 'fast', '-w',
                   '-t', '120', 'stop'])

    def answers(self):
        engine = sa.create_engine(self.server_url,
                                  poolclass=sa.pool.NullPool,
                                  connect_args={'connect_timeout': 2})
        try:
            with engine.connect() as conn:
                conn.execute(sa.text('SELECT 1'))
            return True
        except Exception:
            return False
        finally:
            engine.dispose()


class FakeNova(fixtures.Fixture):
    """Nova's aggregates API in memory, with a delay on every call.

    The delay makes a lease's start or end take a while (several calls
    each), so that a test can kill a manager in the middle of one.
    """

    _AGGREGATE = re.compile(r'/os-aggregates/(\d+)(/action)?$')
    _HYPERVISOR = re.compile(r'/os-hypervisors/([^/]+)/servers$')

    def __init__(self, delay=0.0):
        super().__init__()
        self.delay = delay
        self.lock = threading.Lock()
        self.aggregates = {}
        self._next_id = 1

    def _setUp(self):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body=None):
                data = json.dumps(body).encode() if body is not None else b''
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length)) if length else {}
                time.sleep(fake.delay)
                with fake.lock:
                    status, answer = fake.handle(self.command,
                                                 self.path.split('?')[0],
                                                 body)
                self._answer(status, answer)

            do_GET = do_POST = do_DELETE = do_PUT = _handle

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d/v2.1' % self.server.server_port
        thread = threading.Thread(target=self.server.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    def config(self):
        """Deployment overrides that point the managers here."""
        return {'nova.auth_type': 'none', 'nova.endpoint': self.url}

    def hosts_by_aggregate(self):
        with self.lock:
            return {a['name']: sorted(a['hosts'])
                    for a in self.aggregates.values()}

    # Called with the lock held.
    def handle(self, method, path, body):
        if path.endswith('/os-aggregates'):
            if method == 'GET':
                return 200, {'aggregates': list(self.aggregates.values())}
            name = body['aggregate']['name']
            if any(a['name'] == name for a in self.aggregates.values()):
                return 409, {'conflictingRequest': {
                    'code': 409, 'message': 'Aggregate %s exists' % name}}
            agg = {'id': self._next_id, 'name': name,
                   'availability_zone': None, 'hosts': [], 'metadata': {}}
            self._next_id += 1
            self.aggregates[agg['id']] = agg
            return 200, {'aggregate': agg}
        match = self._AGGREGATE.search(path)
        if match:
            agg = self.aggregates.get(int(match.group(1)))
            if agg is None:
                return 404, {'itemNotFound': {'code': 404,
                                              'message': 'No aggregate'}}
            if method == 'DELETE':
                if agg['hosts']:
                    return 400, {'badRequest': {
                        'code': 400, 'message': 'Aggregate not empty'}}
                del self.aggregates[agg['id']]
                return 200, None
            if match.group(2):
                return self._action(agg, body)
            return 200, {'aggregate': agg}
        match = self._HYPERVISOR.search(path)
        if match:
            # No servers run anywhere here.
            return 200, {'hypervisors': [{
                'id': 1, 'hypervisor_hostname': match.group(1)}]}
        return 404, {'itemNotFound': {'code': 404,
                                      'message': 'Not faked: %s' % path}}

    @staticmethod
    def _action(agg, body):
        (action, args), = body.items()
        if action == 'set_metadata':
            agg['metadata'].update(args['metadata'])
        elif action == 'add_host':
            if args['host'] in agg['hosts']:
                return 409, {'conflictingRequest': {
                    'code': 409, 'message': 'Host already in aggregate'}}
            agg['hosts'].append(args['host'])
        elif action == 'remove_host':
            if args['host'] not in agg['hosts']:
                return 404, {'itemNotFound': {
                    'code': 404, 'message': 'Host not in aggregate'}}
            agg['hosts'].remove(args['host'])
        else:
            return 400, {'badRequest': {'code': 400,
                                        'message': 'Not faked: %s' % action}}
        return 200, {'aggregate': agg}
