"""The cluster tier: Promise on a three-node MariaDB Galera cluster and a
three-node RabbitMQ cluster (tools/cluster, all on 127.0.0.1).

``ClusterDeployment`` is the functional tier's Deployment with one
promise.conf per process, as on separate controllers:

* ``spread`` (the contested tests): promise-api-1 on Galera node 1,
  promise-api-2 on node 2, promise-manager-1 on node 2, promise-manager-2
  on node 3, each listing a different broker first in its transport_url;
  two allocations decided at once are then decided on different nodes,
  where row locks do not reach and only certification can refuse one.
* ``haproxy`` (the node-loss tests): every process through HAProxy (one
  writer, the other nodes backup), as kolla-ansible deploys.

Every process uses quorum queues and AMQP heartbeats. The clusters are
brought up by tools/run-tests (``tools/cluster up``); a test that finds
them missing brings them up itself.
"""

import configparser
import json
import os
import shutil
import subprocess
import tempfile

import sqlalchemy as sa
from testtools import content

from promise.tests.functional import base as func_base
from promise.tests.functional import fixtures as func_fixtures

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
CLUSTER = os.path.join(REPO, 'tools', 'cluster')


def cluster(*args, timeout=600):
    """Run tools/cluster; its output, or AssertionError with it."""
    proc = subprocess.run([CLUSTER] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError('tools/cluster %s failed (%s):\n%s'
                             % (' '.join(args), proc.returncode, proc.stdout))
    return proc.stdout


def cluster_env():
    if subprocess.run([CLUSTER, 'status'], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        cluster('up')
    return json.loads(cluster('env', '--json'))


class _Server:
    """The Galera cluster as Database() sees a server (through HAProxy)."""

    def __init__(self, url):
        self.server_url = url
        self.url_template = url + '%s?charset=utf8mb4'


class _Broker:
    def __init__(self, env):
        self.transport_url = env['PROMISE_CLUSTER_TRANSPORT_URL']
        self.kombu_url = env['PROMISE_CLUSTER_KOMBU_URLS'].split()[0]


def _order(first):
    return [first] + [n for n in (1, 2, 3) if n != first]


class ClusterDeployment(func_fixtures.Deployment):
    """Two promise-api and two promise-manager processes on the clusters."""

    # process tag -> (Galera node, first broker node)
    SPREAD = {'promise-api-1': (1, 1), 'promise-api-2': (2, 2),
              'promise-manager-1': (2, 3), 'promise-manager-2': (3, 1)}

    def __init__(self, layout='spread', **overrides):
        self.env = cluster_env()
        self.layout = layout
        overrides.setdefault('oslo_messaging_rabbit.rabbit_quorum_queue',
                             'true')
        overrides.setdefault(
            'oslo_messaging_rabbit.heartbeat_timeout_threshold', '10')
        overrides.setdefault('oslo_messaging_rabbit.rabbit_retry_interval',
                             '1')
        overrides.setdefault('database.max_retries', '-1')
        overrides.setdefault('database.retry_interval', '1')
        super().__init__('mysql', managers=2,
                         db_server=_Server(self.env['PROMISE_CLUSTER_DB_'
                                                    'HAPROXY']),
                         broker=_Broker(self.env), **overrides)

    def _setUp(self):
        self.services = []
        self.directory = tempfile.mkdtemp(prefix='promise-cluster-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.db = self.useFixture(func_fixtures.Database(self.backend,
                                                         self.db_server))
        self.config = self.useFixture(func_fixtures.ConfigFile(
            self.db.url, self.directory, **self.overrides))
        self.addCleanup(self._delete_queues)
        self.db_manage('upgrade', 'head')
        nodes = self.env['PROMISE_CLUSTER_DB_NODES'].split()
        self.node_urls = {n: nodes[n - 1] + self.db.name + '?charset=utf8mb4'
                          for n in (1, 2, 3)}
        self.urls = []
        self.apis = [self._process('promise-api', 'promise-api-%d' % i)
                     for i in (1, 2)]
        self.managers = [self._process('promise-manager',
                                       'promise-manager-%d' % i)
                         for i in (1, 2)]
        for api, url in zip(self.apis, self.urls):
            self.api, self.url = api, url
            self.wait_healthy()
        self.api, self.url = self.apis[0], self.urls[0]
        self.wait_managers(2)

    def _process(self, name, tag):
        """Start one process with its own promise.conf."""
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(self.config.path)
        if self.layout == 'spread':
            db_node, broker = self.SPREAD[tag]
            parser.set('database', 'connection', self.node_urls[db_node])
            urls = self.env['PROMISE_CLUSTER_TRANSPORT_URL']
            hosts = urls[len('rabbit://'):].rstrip('/').split(',')
            parser.set('DEFAULT', 'transport_url', 'rabbit://%s/' % ','.join(
                hosts[n - 1] for n in _order(broker)))
        if name == 'promise-api':
            port = func_fixtures.free_port()
            parser.set('api', 'port', str(port))
            self.urls.append('http://127.0.0.1:%d' % port)
        path = os.path.join(self.directory, '%s.conf' % tag)
        with open(path, 'w') as f:
            parser.write(f)
        service = func_fixtures.Service(name, path, self.directory, tag=tag)
        self.useFixture(service)
        self.services.append(service)
        return service


class ClusterTestCase(func_base.FunctionalTestCase):
    """A test class with its own Promise on the clusters."""

    LAYOUT = 'spread'
    BACKEND = 'mysql'

    @classmethod
    def setUpClass(cls):
        super(func_base.FunctionalTestCase, cls).setUpClass()
        fixture = ClusterDeployment(cls.LAYOUT, **cls.DEPLOYMENT)
        try:
            fixture.setUp()
        except Exception as exc:
            raise func_base._unwrap(exc)
        cls.deployment = fixture

    def request_via(self, api, method, path, **kwargs):
        """A request to promise-api-<api> (1 or 2)."""
        return self.request(method, path,
                            base_url=self.deployment.urls[api - 1], **kwargs)

    def galera_counters(self):
        """Certification failures and brute-force aborts, per node: the
        conflicts Galera itself refused."""
        counters = {}
        for n, url in enumerate(
                self.deployment.env['PROMISE_CLUSTER_DB_NODES'].split(), 1):
            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            try:
                with engine.connect() as conn:
                    rows = conn.execute(sa.text(
                        "SHOW GLOBAL STATUS WHERE Variable_name IN "
                        "('wsrep_local_cert_failures', "
                        "'wsrep_local_bf_aborts')")).fetchall()
            finally:
                engine.dispose()
            counters[n] = {name: int(value) for name, value in rows}
        return counters

    def assertCrossNodeConflicts(self, before):
        """Galera refused some commits since ``before``: the races were
        really decided on different nodes (a run without any would not
        have tested what it claims)."""
        after = self.galera_counters()
        self.addDetail('galera-conflicts', content.text_content(
            'before %s\nafter %s' % (before, after)))
        refused = sum(after[n][k] - before[n][k]
                      for n in after for k in after[n])
        self.assertGreater(refused, 0, 'no certification failure or '
                           'brute-force abort on any node')
