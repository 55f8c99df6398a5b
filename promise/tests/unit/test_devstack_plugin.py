"""devstack/plugin.sh: shellcheck clean, and what each phase does.

The phases run for real in bash, with devstack's functions replaced by
stubs that record their calls and keep ini files in a JSON file, so the
test needs neither devstack nor root.  shellcheck must be installed
(Debian package ``shellcheck``): a missing shellcheck fails the test.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from cryptography import fernet
import testtools

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
DEVSTACK = os.path.join(ROOT, 'devstack')
PLUGIN = os.path.join(DEVSTACK, 'plugin.sh')
SETTINGS = os.path.join(DEVSTACK, 'settings')

# ini files as {path: {section: {option: [values]}}} in $INI_DB.
INI_TOOL = r'''
import json, os, sys
db_path = os.environ['INI_DB']
try:
    with open(db_path) as f:
        db = json.load(f)
except FileNotFoundError:
    db = {}
op, path, section, option = sys.argv[1:5]
values = db.setdefault(path, {}).setdefault(section, {}).setdefault(
    option, [])
if op == 'set':
    values[:] = [sys.argv[5]]
elif op == 'add':
    values.append(sys.argv[5])
elif op == 'get':
    print(values[0] if values else '')
elif op == 'getm':
    print(' '.join(values))
with open(db_path, 'w') as f:
    json.dump(db, f)
'''

STUBS = r'''
set -o errexit
set -o nounset
DEST=/opt/stack
DATA_DIR=$WORK/data
mkdir -p "$DATA_DIR/promise"
STACK_USER=stack
SERVICE_PROTOCOL=http
SERVICE_HOST=192.0.2.10
SERVICE_PASSWORD=secretpw
SERVICE_PROJECT_NAME=service
SERVICE_DOMAIN_NAME=Default
SERVICE_TIMEOUT=60
REGION_NAME=RegionOne
KEYSTONE_SERVICE_URI=http://192.0.2.10/identity
NOVA_CONF_DIR=$WORK/nova
NOVA_CONF=$NOVA_CONF_DIR/nova.conf
HOSTNAME=devstack-1
HORIZON_DIR=/opt/stack/horizon
TEMPEST_CONFIG=$WORK/tempest.conf
ENABLED_SERVICES=${EXTRA_SERVICES:-}

log() { echo "$*" >> "$CALLS"; }
iniset() { "$PYTHON" -S "$INI_TOOL" set "$@"; }
iniadd() { "$PYTHON" -S "$INI_TOOL" add "$@"; }
iniget() { "$PYTHON" -S "$INI_TOOL" get "$@"; }
iniget_multiline() { "$PYTHON" -S "$INI_TOOL" getm "$@"; }
enable_service() { ENABLED_SERVICES="${ENABLED_SERVICES:-},$*"; }
is_service_enabled() {
    local s
    for s in "$@"; do
        [[ ",${ENABLED_SERVICES}," == *",$s,"* ]] && return 0
    done
    return 1
}
trueorfalse() {
    local value=${!2:-$1}
    case $value in
        [Tt]rue|1|yes) echo True ;;
        *) echo False ;;
    esac
}
get_python_exec_prefix() { echo /usr/local/bin; }
echo_summary() { log "summary $*"; }
setup_develop() { log "setup_develop $*"; }
pip_install() { log "pip_install $*"; }
sudo() { log "sudo $*"; }
touch() { :; }
cp() { log "cp $*"; }
rm() { :; }
iniset_rpc_backend() { log "iniset_rpc_backend $*"; }
database_connection_url() { echo "mysql+pymysql://root:pw@127.0.0.1/$1"; }
configure_keystone_authtoken_middleware() { log "authtoken $*"; }
write_uwsgi_config() { log "write_uwsgi_config $*"; }
remove_uwsgi_config() { log "remove_uwsgi_config $*"; }
recreate_database() { log "recreate_database $*"; }
create_service_user() { log "create_service_user $*"; }
get_or_create_service() { log "get_or_create_service $*"; echo svc-id; }
get_or_create_endpoint() { log "get_or_create_endpoint $*"; }
run_process() { log "run_process $*"; }
stop_process() { log "stop_process $*"; }
wait_for_service() { log "wait_for_service $*"; }
die() { log "die $*"; exit 1; }
openstack() {
    log "openstack $*"
    [[ "$*" != *"aggregate show"* ]] || return "${AGGREGATE_SHOW_RC:-1}"
}
/usr/local/bin/promise-db-manage() { log "promise-db-manage $*"; }
uwsgi() { :; }
'''


class TestShellcheck(testtools.TestCase):

    def test_shellcheck_is_clean(self):
        shellcheck = shutil.which('shellcheck')
        self.assertIsNotNone(
            shellcheck, 'shellcheck is not installed (apt-get install '
                        'shellcheck): the devstack plugin cannot be checked')
        proc = subprocess.run(
            [shellcheck, '--format=gcc', '--severity=style', PLUGIN,
             SETTINGS], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, cwd=ROOT, timeout=120)
        self.assertEqual(0, proc.returncode, proc.stdout)

    def test_bash_syntax(self):
        proc = subprocess.run(['bash', '-n', PLUGIN, SETTINGS],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        self.assertEqual(0, proc.returncode, proc.stdout)

    def test_every_promise_variable_is_defined(self):
        with open(PLUGIN) as f:
            plugin = f.read()
        with open(SETTINGS) as f:
            settings = f.read()
        used = set(re.findall(r'\$\{?(PROMISE_[A-Z_]+)', plugin))
        defined = set(re.findall(r'^\s*(PROMISE_[A-Z_]+)=',
                                 plugin + '\n' + settings, re.M))
        self.assertEqual(set(), used - defined)


class TestPhases(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.work = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.work)
        os.mkdir(os.path.join(self.work, 'nova'))
        self.calls = os.path.join(self.work, 'calls')
        self.ini_db = os.path.join(self.work, 'ini.json')
        self.ini_tool = os.path.join(self.work, 'ini.py')
        with open(self.ini_tool, 'w') as f:
            f.write(INI_TOOL)
        with open(os.path.join(self.work, 'stubs.sh'), 'w') as f:
            f.write(STUBS)

    def nova_conf(self, name='nova.conf'):
        return os.path.join(self.work, 'nova', name)

    def ini(self, path=None):
        try:
            with open(self.ini_db) as f:
                return json.load(f).get(path) if path else json.load(f)
        except FileNotFoundError:
            return {} if path is None else None

    def set_ini(self, path, section, option, *values):
        db = self.ini() or {}
        db.setdefault(path, {}).setdefault(section, {})[option] = list(
            values)
        with open(self.ini_db, 'w') as f:
            json.dump(db, f)

    def run_phase(self, *args, env=None):
        script = ('source "$WORK/stubs.sh"; source "$SETTINGS"; '
                  'source "$PLUGIN" "$@"')
        environ = dict(os.environ, WORK=self.work, CALLS=self.calls,
                       INI_DB=self.ini_db, INI_TOOL=self.ini_tool,
                       SETTINGS=SETTINGS, PLUGIN=PLUGIN,
                       PYTHON=sys.executable)
        environ.update(env or {})
        proc = subprocess.run(['bash', '-c', script, 'plugin'] + list(args),
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              env=environ, timeout=120)
        self.assertEqual(0, proc.returncode, proc.stdout)
        try:
            with open(self.calls) as f:
                calls = f.read().splitlines()
        except FileNotFoundError:
            calls = []
        if os.path.exists(self.calls):
            os.remove(self.calls)
        return calls

    def test_install(self):
        calls = self.run_phase('stack', 'install')
        self.assertIn('setup_develop /opt/stack/promise', calls)
        self.assertIn('setup_develop /opt/stack/promise/promise-nova', calls)
        self.assertIn('pip_install python-blazarclient', calls)
        self.assertIn('setup_develop /opt/stack/promise/python-promiseclient',
                      calls)

    def test_install_with_horizon_adds_the_panels(self):
        # This checkout stands for the clone: its enabled files are listed.
        calls = self.run_phase('stack', 'install', env={
            'EXTRA_SERVICES': 'horizon', 'PROMISE_DIR': ROOT})
        self.assertIn('setup_develop %s/promise-dashboard' % ROOT, calls)
        for name in ('_90_project_promise_panel.py',
                     '_91_admin_promise_capacity_changes_panel.py'):
            self.assertIn('cp %s/promise-dashboard/promise_dashboard/enabled/'
                          '%s /opt/stack/horizon/openstack_dashboard/local/'
                          'enabled/' % (ROOT, name), calls)
        calls = self.run_phase('stack', 'install')
        self.assertNotIn('setup_develop /opt/stack/promise/promise-dashboard',
                         calls)

    def test_tempest_config_for_blazar_tempest_plugin(self):
        self.run_phase('stack', 'test-config',
                       env={'EXTRA_SERVICES': 'tempest'})
        tempest = self.ini(os.path.join(self.work, 'tempest.conf'))
        self.assertEqual(['True'], tempest['service_available']['blazar'])
        self.assertEqual(['True'], tempest['resource_reservation'][
            'flavor_instance_plugin'])
        os.remove(self.ini_db)
        self.run_phase('stack', 'test-config')
        self.assertIsNone(self.ini(os.path.join(self.work, 'tempest.conf')))

    def test_install_without_blazarclient(self):
        calls = self.run_phase(
            'stack', 'install', env={'PROMISE_INSTALL_BLAZARCLIENT': 'False'})
        self.assertNotIn('pip_install python-blazarclient', calls)

    def test_post_config(self):
        self.set_ini(self.nova_conf(), 'filter_scheduler', 'enabled_filters',
                     'AvailabilityZoneFilter, ComputeFilter,'
                     'ServerGroupAffinityFilter')
        cell = self.nova_conf('nova_cell1.conf')
        for path in (self.nova_conf(), cell):
            open(path, 'w').close()
        self.set_ini(cell, 'filter_scheduler', 'available_filters',
                     'nova.scheduler.filters.all_filters')
        calls = self.run_phase('stack', 'post-config')

        conf = self.ini('/etc/promise/promise.conf')
        self.assertEqual(['keystone'], conf['DEFAULT']['auth_strategy'])
        self.assertEqual(['mysql+pymysql://root:pw@127.0.0.1/promise'],
                         conf['database']['connection'])
        self.assertEqual(['password'], conf['nova']['auth_type'])
        self.assertEqual(['promise'], conf['nova']['username'])
        self.assertEqual(['secretpw'], conf['nova']['password'])
        self.assertEqual(['http://192.0.2.10/identity'],
                         conf['nova']['auth_url'])
        self.assertEqual(['freepool'],
                         conf['nova']['aggregate_freepool_name'])
        self.assertEqual((['CloudOwner'], ['RegionOne']),
                         (conf['multicloud']['cloud_owner'],
                          conf['multicloud']['cloud_region_id']))
        self.assertEqual(['True'], conf['quota']['enforce'])
        self.assertEqual((['all'], ['promise'], ['reservation']),
                         (conf['oslo_limit']['system_scope'],
                          conf['oslo_limit']['username'],
                          conf['oslo_limit']['endpoint_service_type']))
        self.assertIn('iniset_rpc_backend promise /etc/promise/promise.conf',
                      calls)
        self.assertIn('authtoken /etc/promise/promise.conf promise', calls)

        self.assertIn('write_uwsgi_config '
                      '/etc/promise/promise-api-uwsgi.ini '
                      'promise.wsgi.api:application /reservation  '
                      'promise-api', calls)
        uwsgi = self.ini('/etc/promise/promise-api-uwsgi.ini')
        self.assertEqual(
            ['PROMISE_CONFIG_FILES=/etc/promise/promise.conf'],
            uwsgi['uwsgi']['env'])

        self.assertIn('create_service_user promise admin', calls)
        self.assertIn('openstack role add --user promise --user-domain '
                      'Default --system all reader', calls)
        self.assertIn('get_or_create_service promise reservation '
                      'Promise resource reservation service', calls)
        self.assertIn('get_or_create_endpoint svc-id RegionOne '
                      'http://192.0.2.10/reservation/v1', calls)
        self.assertIn('recreate_database promise', calls)
        self.assertIn('promise-db-manage --config-file '
                      '/etc/promise/promise.conf upgrade head', calls)
        self.assertLess(calls.index('recreate_database promise'),
                        calls.index('promise-db-manage --config-file '
                                    '/etc/promise/promise.conf upgrade '
                                    'head'))

        nova = self.ini(self.nova_conf())['filter_scheduler']
        self.assertEqual(
            ['AvailabilityZoneFilter,ComputeFilter,ServerGroupAffinityFilter,'
             'ServerGroupAntiAffinityFilter,PromiseFilter'],
            nova['enabled_filters'])
        self.assertEqual(['nova.scheduler.filters.all_filters',
                          'promise_nova.filter.PromiseFilter'],
                         nova['available_filters'])
        # The cell conductor's config says the same.
        cell_conf = self.ini(cell)['filter_scheduler']
        self.assertEqual(['nova.scheduler.filters.all_filters',
                          'promise_nova.filter.PromiseFilter'],
                         cell_conf['available_filters'])
        self.assertEqual(
            ['ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,'
             'ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,'
             'PromiseFilter'], cell_conf['enabled_filters'])

        # Webhook secrets are encrypted with a Fernet key that stays.
        key = conf['notifications']['secret_encryption_keys']
        self.assertEqual(1, len(key))
        fernet.Fernet(key[0].encode())

        # A second run changes nothing in Nova's configuration and keeps
        # the key, so that the rows already written stay readable.
        before = self.ini(self.nova_conf())
        self.run_phase('stack', 'post-config')
        self.assertEqual(before, self.ini(self.nova_conf()))
        self.assertEqual(key, self.ini('/etc/promise/promise.conf')[
            'notifications']['secret_encryption_keys'])

    def test_floating_ip_plugin_only_with_neutron(self):
        self.run_phase('stack', 'post-config')
        conf = self.ini('/etc/promise/promise.conf')
        self.assertEqual(['physical:host,virtual:instance,flavor:instance'],
                         conf['manager']['plugins'])
        for neutron in ('neutron-api', 'q-svc'):
            os.remove(self.ini_db)
            self.run_phase('stack', 'post-config',
                           env={'EXTRA_SERVICES': neutron})
            conf = self.ini('/etc/promise/promise.conf')
            # The service default: every plugin, floating IPs included.
            self.assertNotIn('plugins', conf.get('manager', {}))
        os.remove(self.ini_db)
        self.run_phase('stack', 'post-config', env={
            'EXTRA_SERVICES': 'neutron-api',
            'PROMISE_PLUGINS': 'physical:host'})
        conf = self.ini('/etc/promise/promise.conf')
        self.assertEqual(['physical:host'], conf['manager']['plugins'])

    def test_nova_left_alone_when_asked(self):
        self.run_phase('stack', 'post-config',
                       env={'PROMISE_CONFIGURE_NOVA': 'False'})
        self.assertIsNone(self.ini(self.nova_conf()))

    def test_extra(self):
        calls = self.run_phase('stack', 'extra')
        self.assertIn('openstack --os-cloud devstack-admin aggregate create '
                      'freepool', calls)
        self.assertIn('run_process promise-manager /usr/local/bin/'
                      'promise-manager --config-file '
                      '/etc/promise/promise.conf', calls)
        api = [c for c in calls if c.startswith('run_process promise-api ')]
        self.assertEqual(1, len(api), calls)
        self.assertIn('--ini /etc/promise/promise-api-uwsgi.ini', api[0])
        self.assertIn('wait_for_service 60 http://192.0.2.10/reservation/',
                      calls)
        # An existing free pool is kept.
        calls = self.run_phase('stack', 'extra',
                               env={'AGGREGATE_SHOW_RC': '0'})
        self.assertFalse([c for c in calls if 'aggregate create' in c])

    def test_unstack_and_clean(self):
        calls = self.run_phase('unstack')
        self.assertEqual(['summary Stopping Promise',
                          'stop_process promise-api',
                          'stop_process promise-manager'], calls)
        calls = self.run_phase('clean')
        self.assertIn('remove_uwsgi_config '
                      '/etc/promise/promise-api-uwsgi.ini promise-api',
                      calls)

    def test_nothing_when_disabled(self):
        # settings enables both services: as if local.conf disabled them.
        with open(os.path.join(self.work, 'stubs.sh'), 'a') as f:
            f.write('\nenable_service() { :; }\n')
        for phase in (('stack', 'install'), ('stack', 'post-config'),
                      ('stack', 'extra'), ('unstack',), ('clean',)):
            self.assertEqual([], self.run_phase(*phase))
