# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Promise on the minicloud (`up --promise`): installing this checkout into
the cloud venv, promise.conf and the Nova scheduler filter settings as
devstack/plugin.sh writes them (run for real, with devstack-shim.sh
standing in for devstack), the promise-api and promise-manager processes
and the database migration."""

import json
import os
import pwd
import subprocess
import sys
import tempfile

from minicloud import confgen
from minicloud import procs
from minicloud import settings
from minicloud.settings import etc
from minicloud.settings import REPO
from minicloud.settings import vbin
from minicloud import util
from minicloud.util import Failure
from minicloud import venv

SCRIPTS = ('promise-api', 'promise-manager', 'promise-db-manage')
# The Nova scheduler filter (nova-scheduler imports it from this venv),
# Promise, and its OpenStack CLI plugin (`openstack reservation capacity
# show`, `... lease check`) beside python-blazarclient; as devstack's
# install_promise does.
DISTS = ('promise-nova', '', 'python-promiseclient')
FILTER = 'promise_nova.filter.PromiseFilter'
CONF = ('promise', 'promise.conf')


def _dist_files():
    names = ('setup.py', 'setup.cfg', 'pyproject.toml', 'requirements.txt')
    return [os.path.join(REPO, d, n) for d in DISTS for n in names
            if os.path.exists(os.path.join(REPO, d, n))]


def ensure_installed():
    """pip install -e the checkout into the cloud venv (again only when its
    packaging files or the venv change)."""
    with util.lock('venv', per_state=False):
        _ensure_installed()


def _ensure_installed():
    log = os.path.join(settings.CACHE, 'promise-install.log')
    files = _dist_files()
    if not any(f.endswith(('setup.py', 'setup.cfg', 'pyproject.toml'))
               for f in files):
        raise Failure('promise', 'the Promise package cannot be installed '
                      'yet: %s has no setup.py/setup.cfg/pyproject.toml'
                      % REPO)
    want = util.sha256_of(REPO, venv.venv_stamp(),
                          *[util.read_file(f, '') for f in files])
    stamp_path = os.path.join(settings.VENV, '.promise-stamp')
    scripts_ok = all(os.path.exists(vbin(s)) for s in SCRIPTS)
    if util.read_file(stamp_path, '').strip() != want or not scripts_ok:
        util.say('installing Promise from %s into the cloud venv' % REPO)
        if os.path.exists(stamp_path):
            os.unlink(stamp_path)
        env = procs.base_env({
            'PBR_VERSION': os.environ.get('PBR_VERSION', '0.0.1'),
            'PIP_DISABLE_PIP_VERSION_CHECK': '1'})
        editable = []
        for dist in DISTS:
            if os.path.exists(os.path.join(REPO, dist, 'setup.cfg')):
                editable += ['-e', os.path.join(REPO, dist)]
        try:
            procs.run_logged('promise', [vbin('python'), '-m', 'pip',
                                         'install', '-q',
                                         '-c', settings.CONSTRAINTS]
                             + editable, log, env=env, timeout=900)
        except Failure as e:
            raise Failure('promise', 'the Promise package cannot be installed '
                          'yet (pip install -e %s failed)' % REPO, e.log)
        util.write_file(stamp_path, want + '\n')
    missing = [s for s in SCRIPTS if not os.path.exists(vbin(s))]
    if missing:
        raise Failure('promise', 'the Promise package installed but does not '
                      'provide the console scripts %s yet'
                      % ', '.join(missing), log)


def filter_available():
    """Whether the installed Promise provides its Nova scheduler filter."""
    module, name = FILTER.rsplit('.', 1)
    rc = subprocess.call(
        [vbin('python'), '-c', 'from %s import %s' % (module, name)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=procs.base_env(), cwd='/')
    return rc == 0


def _as_tuples(sections):
    return [(name, [tuple(kv) for kv in items]) for name, items in sections]


def plugin_configs(ctx, filter_sections):
    """Run devstack/plugin.sh's configure_promise and
    configure_nova_for_promise: (promise.conf sections, Nova filter
    sections).  devstack_ini.py stands in for iniset and keeps the files as
    JSON sections, so nova.conf starts as filter_sections."""
    plugin = os.path.join(REPO, 'devstack', 'plugin.sh')
    if not os.path.exists(plugin):
        raise Failure('config', '%s is missing' % plugin)
    with tempfile.TemporaryDirectory(prefix='minicloud-devstack-') as tmp:
        nova_dir = os.path.join(tmp, 'nova')
        nova_conf = os.path.join(nova_dir, 'nova.conf')
        util.write_file(nova_conf, json.dumps(filter_sections))
        conf_dir = os.path.join(tmp, 'promise')
        env = procs.base_env({
            'MINICLOUD_TRANSPORT_URL': ctx.transport,
            'MINICLOUD_PROMISE_DB_URL': ctx.db_url('promise'),
            'KEYSTONE_SERVICE_URI': settings.keystone_url(),
            'SERVICE_PASSWORD': ctx.password,
            'PROMISE_STATE_PATH': settings.data('promise'),
            'PROMISE_NOVA_NOTIFICATION_FORMAT': 'versioned',
            'MINICLOUD_INI': os.path.join(settings.SUPPORT,
                                          'devstack_ini.py'),
            'MINICLOUD_PYTHON': sys.executable,
            'DEST': os.path.dirname(REPO), 'PROMISE_DIR': REPO,
            'DATA_DIR': settings.DATA,
            'STACK_USER': pwd.getpwuid(os.getuid()).pw_name,
            'PROMISE_CONF_DIR': conf_dir, 'NOVA_CONF': nova_conf,
            'NOVA_CONF_DIR': nova_dir, 'SERVICE_PROTOCOL': 'http',
            'SERVICE_HOST': settings.HOST, 'SERVICE_DOMAIN_NAME': 'Default',
            'SERVICE_PROJECT_NAME': 'service',
            'REGION_NAME': settings.REGION,
            'HOSTNAME': 'minicloud-controller', 'PROMISE_DEBUG': 'False',
            # The minicloud runs Neutron: floating IP reservations too.
            'ENABLED_SERVICES': 'neutron-api',
        })
        script = ('set -euo pipefail; source "$1"; '
                  'source "$2/devstack/settings"; '
                  'source "$2/devstack/plugin.sh"; '
                  'configure_promise; configure_nova_for_promise')
        proc = subprocess.run(
            ['bash', '-c', script, 'minicloud',
             os.path.join(settings.SUPPORT, 'devstack-shim.sh'), REPO],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=120)
        if proc.returncode != 0:
            raise Failure('config', 'devstack/plugin.sh configure_promise '
                          'failed (exit %d):\n%s'
                          % (proc.returncode, proc.stdout[-3000:]))
        promise_conf = util.load_json(os.path.join(conf_dir, 'promise.conf'))
        filters = util.load_json(nova_conf)
    return _as_tuples(promise_conf), _as_tuples(filters)


def config_files(ctx, plugin_sections):
    """promise.conf: the plugin's settings with what a test cloud wants."""
    return {'promise/promise.conf': confgen.merge_sections(plugin_sections, [
        ('DEFAULT', confgen.common()),
        # The plugin leaves the API to uwsgi behind Apache; here
        # promise-api listens itself.
        ('api', [('host', settings.HOST),
                 ('port', str(ctx.cloud['promise_port']))]),
        # A test cloud: Nova's view is polled often so usage, expiry,
        # healing and preemption show within seconds, and webhook
        # receivers may listen on 127.0.0.2 (only there).
        ('manager', [('usage_interval', '5'), ('health_interval', '5'),
                     ('preemption_grace', '60')]),
        ('notifications', [('webhook_allowed_networks', '127.0.0.2/32'),
                           ('delivery_interval', '1'),
                           ('retry_initial_delay', '1')]),
        # Nova's notifications arrive on Nova's vhost.
        ('nova_notifications', [('transport_url', ctx.transport)]),
    ])}


def services(cloud):
    conf = etc(*CONF)
    port = cloud['promise_port']
    return {
        'promise-api': dict(
            argv=[vbin('promise-api'), '--config-file', conf], env={},
            url='http://%s:%d/' % (settings.HOST, port), port=port,
            configs=[conf]),
        'promise-manager': dict(
            argv=[vbin('promise-manager'), '--config-file', conf], env={},
            configs=[conf]),
    }


def setup_db():
    def run():
        procs.run_logged('promise', [vbin('promise-db-manage'),
                                     '--config-file', etc(*CONF),
                                     'upgrade', 'head'],
                         settings.log_of('promise-setup'))
        util.say('promise database ready')
    # Keyed by the migrations there are: `up` over a running cloud after a
    # new one upgrades the schema (upgrade head is safe to repeat).
    versions = os.path.join(REPO, 'promise', 'db', 'migration', 'alembic',
                            'versions')
    names = sorted(n for n in os.listdir(versions) if n.endswith('.py'))
    util.once('promise-setup-' + util.sha256_of(*names)[:12], run)
