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
"""Test fixture for the "cloud" tier: a real OpenStack from tools/minicloud.

The cloud is brought up at most once per test run and shared by all tests
and all test worker processes (an flock serialises the workers; `up` on a
running cloud is a quick no-op).  It is left running afterwards so that
re-runs are fast; CI stops it with ``tools/minicloud down``.

Usage::

    from promise.tests.cloud import fixture

    class TestSomething(fixture.CloudTestCase):
        PROMISE = False          # True: also run Promise (up --promise)

        def test_x(self):
            conn = self.cloud.demo                 # openstack Connection
            sess = self.cloud.admin_session        # keystoneauth1 Session
            server = fixture.wait_for_server(conn, server_id, 'ACTIVE')

Environment knobs: PROMISE_CLOUD_TESTS=0 skips the tier's tests (and
tools/run-tests then reports the tier as failed: skipped is not passed);
MINICLOUD_STATE / MINICLOUD_CACHE are passed through to tools/minicloud.
"""

import configparser
import fcntl
import os
import shlex
import subprocess
import tempfile
import time
import uuid

import fixtures
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import openstack
import testtools
from testtools import content as testtools_content

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
MINICLOUD = os.path.join(REPO_ROOT, 'tools', 'minicloud')
STATE_DIR = os.path.abspath(os.path.expanduser(os.environ.get(
    'MINICLOUD_STATE', '~/.local/state/promise-minicloud')))
CACHE_DIR = os.path.abspath(os.path.expanduser(os.environ.get(
    'MINICLOUD_CACHE', '~/.cache/promise/minicloud')))
UP_TIMEOUT = 1200
POLL = 0.2
RESERVATION = {'service_type': 'reservation', 'interface': 'public'}

_CLOUDS = {}  # per-process memo: promise flag -> (admin env, demo env)


class CloudUnavailable(Exception):
    pass


def _minicloud(*args, timeout=120):
    proc = subprocess.run([MINICLOUD] + list(args), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout


def parse_env(text):
    """{'OS_AUTH_URL': ..., ...} from `tools/minicloud env` output."""
    env = {}
    for line in text.splitlines():
        words = shlex.split(line) if line.startswith('export ') else []
        if len(words) == 2 and '=' in words[1]:
            key, value = words[1].split('=', 1)
            env[key] = value
    return env


def ensure_cloud(promise=False, computes=None):
    """Bring the minicloud up (or reuse it); return (admin_env, demo_env)."""
    key = (bool(promise), computes)
    if key in _CLOUDS:
        return _CLOUDS[key]
    os.makedirs(CACHE_DIR, exist_ok=True)
    with open(os.path.join(CACHE_DIR, 'test-fixture.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        args = ['up']
        if promise:
            args.append('--promise')
        if computes:
            args += ['--computes', str(computes)]
        rc, out = _minicloud(*args, timeout=UP_TIMEOUT)
        if rc != 0:
            raise CloudUnavailable(
                'tools/minicloud %s failed (exit %s):\n%s'
                % (' '.join(args), rc, out[-6000:]))
        envs = []
        for who in ('admin', 'demo'):
            rc, out = _minicloud('env', '--as', who)
            if rc != 0:
                raise CloudUnavailable('tools/minicloud env failed: %s' % out)
            envs.append(parse_env(out))
    _CLOUDS[key] = tuple(envs)
    return _CLOUDS[key]


def make_session(env):
    auth = v3.Password(
        auth_url=env['OS_AUTH_URL'], username=env['OS_USERNAME'],
        password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'],
        user_domain_name=env['OS_USER_DOMAIN_NAME'],
        project_domain_name=env['OS_PROJECT_DOMAIN_NAME'])
    return ks_session.Session(auth=auth)


def make_connection(session, env):
    return openstack.connection.Connection(
        session=session, region_name=env['OS_REGION_NAME'],
        interface='public', identity_interface='public')


class MiniCloudFixture(fixtures.Fixture):
    """Gives a test the running minicloud.

    Attributes after setUp:
      admin_env, demo_env   dicts of OS_* settings (plus OS_MINICLOUD_VENV)
      admin_session, demo_session   keystoneauth1 sessions
      admin, demo           openstack.connection.Connection objects
      computes              number of fake compute hosts (compute1..N)
      venv                  the cloud venv (its bin/ has `openstack`)
      promise               True when Promise runs in the cloud
    """

    def __init__(self, promise=False, computes=None):
        super().__init__()
        self._want_promise = promise
        self._want_computes = computes

    def _setUp(self):
        self.admin_env, self.demo_env = ensure_cloud(
            self._want_promise, self._want_computes)
        self.venv = self.admin_env['OS_MINICLOUD_VENV']
        self.computes = int(self.admin_env.get('MINICLOUD_COMPUTES', '0'))
        self.promise = self.admin_env.get('MINICLOUD_PROMISE') == '1'
        self.admin_session = make_session(self.admin_env)
        self.demo_session = make_session(self.demo_env)
        self.admin = make_connection(self.admin_session, self.admin_env)
        self.demo = make_connection(self.demo_session, self.demo_env)
        self.addCleanup(self.admin.close)
        self.addCleanup(self.demo.close)

    def session(self, who='admin'):
        return {'admin': self.admin_session, 'demo': self.demo_session}[who]

    def connection(self, who='admin'):
        return {'admin': self.admin, 'demo': self.demo}[who]

    def cli_env(self, who='admin'):
        """os.environ plus the OS_* settings, for running the CLI."""
        env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
        env.update(self.admin_env if who == 'admin' else self.demo_env)
        return env

    def openstack_cli(self, *args, who='admin', timeout=120):
        """Run `openstack ARGS` from the cloud venv; returns stdout."""
        return subprocess.run(
            [os.path.join(self.venv, 'bin', 'openstack')] + list(args),
            env=self.cli_env(who), check=True, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=timeout).stdout


def wait_for_server(conn, server_id, status='ACTIVE', timeout=120):
    """Poll every 0.2 s until the server reaches status; ERROR fails."""
    deadline = time.monotonic() + timeout
    while True:
        server = conn.compute.get_server(server_id)
        if server.status == status:
            return server
        if server.status == 'ERROR' and status != 'ERROR':
            raise AssertionError('server %s went to ERROR: %s'
                                 % (server_id, server.fault))
        if time.monotonic() > deadline:
            raise AssertionError('server %s is %s, not %s, after %ss'
                                 % (server_id, server.status, status, timeout))
        time.sleep(POLL)


def wait_for_server_gone(conn, server_id, timeout=120):
    deadline = time.monotonic() + timeout
    while conn.compute.find_server(server_id, ignore_missing=True):
        if time.monotonic() > deadline:
            raise AssertionError('server %s still exists after %ss'
                                 % (server_id, timeout))
        time.sleep(POLL)


def delete_server(conn, server_id, wait=True):
    """Delete ignoring 'already gone' (usable in addCleanup)."""
    conn.compute.delete_server(server_id, ignore_missing=True)
    if wait:
        wait_for_server_gone(conn, server_id)


class CloudTestCase(testtools.TestCase):
    """Base class: self.cloud is a MiniCloudFixture."""

    PROMISE = False
    COMPUTES = None

    def setUp(self):
        super().setUp()
        # Skipped here, not in the fixture (where fixtures turns a skip
        # into a SetupError); tools/run-tests counts the skip as a failure.
        if os.environ.get('PROMISE_CLOUD_TESTS', '1') == '0':
            self.skipTest('PROMISE_CLOUD_TESTS=0: this cloud test did not '
                          'run, so it did not pass')
        self.cloud = self.useFixture(MiniCloudFixture(
            promise=self.PROMISE, computes=self.COMPUTES))

    def promise_db(self):
        """An engine on the database of the cloud's promise-manager, for
        checks of raw rows."""
        # Imported here: the Horizon venv of the dashboard e2e test, which
        # uses this fixture too, has no SQLAlchemy.
        import sqlalchemy as sa

        conf = configparser.ConfigParser(interpolation=None)
        conf.read(os.path.join(STATE_DIR, 'etc', 'promise', 'promise.conf'))
        engine = sa.create_engine(conf['database']['connection'],
                                  poolclass=sa.pool.NullPool)
        self.addCleanup(engine.dispose)
        return engine

    def start_manager(self, conf_files, prefix,
                      ready=('listening on topic',)):
        """One more promise-manager of the cloud's venv on
        ``conf_files``, stopped at cleanup; returns (process, log path)
        once its log shows every line of ``ready``. The log is kept, and
        attached to the test's details."""
        binary = os.path.join(self.cloud.venv, 'bin', 'promise-manager')
        log = tempfile.NamedTemporaryFile(prefix=prefix, suffix='.log',
                                          delete=False)
        self.addDetail(prefix.strip('-') + '-log',
                       testtools_content.text_content(log.name))
        argv = [binary]
        for path in conf_files:
            argv += ['--config-file', path]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)

        def stop():
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.addCleanup(stop)
        deadline = time.monotonic() + 60
        while True:
            with open(log.name) as f:
                text = f.read()
            if all(line in text for line in ready):
                return proc, log.name
            self.assertIsNone(proc.poll(), text[-3000:])
            self.assertLess(time.monotonic(), deadline, text[-3000:])
            time.sleep(POLL)

    def promise(self, method, path, who='admin', **kwargs):
        """A request to Promise's API (the catalog's reservation endpoint)
        as admin or demo; never raises on an error status."""
        return self.cloud.session(who).request(
            path, method, endpoint_filter=RESERVATION, raise_exc=False,
            **kwargs)

    def delete_until_gone(self, path, who='admin', timeout=120):
        """DELETE a Promise resource at cleanup, again while it answers 409
        (a lease that is still starting, a host a lease still holds), so a
        test leaves the shared cloud as it found it."""
        deadline = time.monotonic() + timeout
        while True:
            resp = self.promise('DELETE', path, who=who)
            if resp.status_code in (202, 204, 404):
                return
            if resp.status_code != 409 or time.monotonic() > deadline:
                raise AssertionError('DELETE %s: %s %s'
                                     % (path, resp.status_code, resp.text))
            time.sleep(1)

    def boot_server(self, name, flavor_id, hints=None, who='demo'):
        """Boot image `tiny` on net1 (deleted at cleanup); the server id."""
        conn = self.cloud.connection(who)
        image = conn.image.find_image('tiny', ignore_missing=False)
        net = conn.network.find_network('net1', ignore_missing=False)
        kwargs = {}
        if hints:
            # openstacksdk sends a null hints object when given None.
            kwargs['scheduler_hints'] = hints
        server = conn.compute.create_server(
            name='%s-%s' % (name, uuid.uuid4().hex[:6]), image_id=image.id,
            flavor_id=flavor_id, networks=[{'uuid': net.id}], **kwargs)
        self.addCleanup(delete_server, self.cloud.admin, server.id, False)
        return server.id

    def settle(self, server_id):
        """Wait until a boot is ACTIVE or ERROR; return the admin view."""
        deadline = time.monotonic() + 120
        while True:
            server = self.cloud.admin.compute.get_server(server_id)
            if server.status in ('ACTIVE', 'ERROR'):
                return server
            if time.monotonic() > deadline:
                self.fail('server %s stuck in %s' % (server_id,
                                                     server.status))
            time.sleep(POLL)
