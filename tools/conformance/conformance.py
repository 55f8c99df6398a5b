# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Run Blazar's conformance suite (blazar-tempest-plugin, unmodified)
against Promise on tools/minicloud, the way Blazar's gate runs it.

What the suite assumes of a devstack, and how this run gives it:

- its gabbi API tests call http://127.0.0.1/reservation/v1/... and
  http://127.0.0.1/compute/v2.1/... (devstack's Apache layout): a small
  reverse proxy on 127.0.0.1:80 forwards those two prefixes to promise-api
  and nova-api for the length of the run;
- its scenarios assume one compute ("a boot without a reservation ends in
  ERROR"): every nova-compute service but the first is disabled for the
  run and enabled again afterwards, whatever happens;
- an empty service: it counts hosts and leases, so the run refuses to
  start when Promise already has some (and says which).

Called by tools/run-conformance with the test venv's Python (openstacksdk);
tempest runs from its own venv (--tempest-venv).  The last line printed is
"N passed, N failed[, N skipped]"; the exit status is non-zero when a
test failed or was skipped.
"""

import argparse
import configparser
import csv
import http.client
import http.server
import io
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

import openstack

from promise.tests.cloud import fixture

REGEX = r'^blazar_tempest_plugin\.tests\.'
# Ours, so the one we stop and start again is recognisable in `service list`.
DISABLED_REASON = 'promise conformance run: one compute, as the suite expects'
HOP_BY_HOP = {'connection', 'keep-alive', 'transfer-encoding', 'upgrade',
              'proxy-connection', 'te', 'trailer'}


def log(msg):
    print('conformance: %s' % msg, flush=True)


def minicloud_env(minicloud, who):
    out = subprocess.run([minicloud, 'env', '--as', who], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return fixture.parse_env(out)


def connect(env):
    return openstack.connect(
        auth_url=env['OS_AUTH_URL'], username=env['OS_USERNAME'],
        password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'],
        user_domain_name=env['OS_USER_DOMAIN_NAME'],
        project_domain_name=env['OS_PROJECT_DOMAIN_NAME'],
        region_name=env.get('OS_REGION_NAME', 'RegionOne'))


# -- the devstack-style URL layout ------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'
    routes = {}  # prefix -> (host, port, base path)

    def log_message(self, fmt, *args):
        self.server.log.write('%s %s\n' % (self.log_date_time_string(),
                                           fmt % args))

    def _forward(self):
        for prefix, (host, port, base) in self.routes.items():
            if self.path.startswith(prefix):
                path = base + '/' + self.path[len(prefix):]
                break
        else:
            self.send_error(404, 'no route for %s' % self.path)
            return
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() != 'host'}
        conn = http.client.HTTPConnection(host, port, timeout=300)
        try:
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        self.send_response(resp.status, resp.reason)
        for key, value in resp.getheaders():
            if key.lower() not in HOP_BY_HOP | {'content-length'}:
                self.send_header(key, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward


def start_proxy(routes, port, log_path):
    handler = type('Handler', (_Handler,), {'routes': routes})
    try:
        server = http.server.ThreadingHTTPServer(('127.0.0.1', port),
                                                 handler)
    except OSError as exc:
        raise SystemExit(
            'ERROR: cannot listen on 127.0.0.1:%d (%s). The suite calls '
            'http://127.0.0.1/reservation and /compute, devstack\'s layout: '
            'run as root (or with CAP_NET_BIND_SERVICE) with port %d free.'
            % (port, exc, port))
    server.daemon_threads = True
    server.log = open(log_path, 'a', buffering=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def route(url):
    parts = urllib.parse.urlsplit(url)
    return (parts.hostname, parts.port or 80, parts.path.rstrip('/'))


# -- one compute -----------------------------------------------------------

def one_compute(conn):
    """Disable every nova-compute but the first; return those disabled."""
    services = list(conn.compute.services(binary='nova-compute'))
    if not services:
        raise SystemExit('ERROR: the cloud has no nova-compute service')
    keep, others = services[0], services[1:]
    if keep.status != 'enabled':
        conn.compute.enable_service(keep, keep.host, keep.binary)
    disabled = []
    for svc in others:
        if svc.status == 'enabled':
            conn.compute.disable_service(svc, svc.host, svc.binary,
                                         disabled_reason=DISABLED_REASON)
            disabled.append(svc)
    log('kept %s; disabled %s' % (keep.host,
                                  ', '.join(s.host for s in disabled) or '-'))
    return disabled


def restore_computes(conn, disabled):
    for svc in disabled:
        conn.compute.enable_service(svc, svc.host, svc.binary)
    if disabled:
        log('enabled again: %s' % ', '.join(s.host for s in disabled))


# -- preconditions ---------------------------------------------------------

_RESERVATION = {'endpoint_filter': {
    'service_type': 'reservation', 'interface': 'public'}}


def promise_leftovers(admin_conn):
    sess = admin_conn.session
    hosts = sess.get('/os-hosts', **_RESERVATION).json()['hosts']
    leases = sess.get('/leases', **_RESERVATION).json()['leases']
    return hosts, leases


def clean_up(admin_conn, timeout=120):
    """Delete what the suite leaves (its scenarios keep the host they
    registered and their ended leases), so the shared cloud is as the run
    found it: an empty Promise."""
    sess = admin_conn.session
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hosts, leases = promise_leftovers(admin_conn)
        if not hosts and not leases:
            return True
        for lease in leases:
            sess.delete('/leases/%s' % lease['id'], raise_exc=False,
                        **_RESERVATION)
        for host in hosts:
            sess.delete('/os-hosts/%s' % host['id'], raise_exc=False,
                        **_RESERVATION)
        time.sleep(2)
    log('WARNING: Promise still has hosts %s and leases %s after the run'
        % ([h['hypervisor_hostname'] for h in hosts],
           [le['id'] for le in leases]))
    return False


# -- tempest ---------------------------------------------------------------

def write_tempest_conf(path, env, conn, workspace):
    image = conn.image.find_image('tiny', ignore_missing=False)
    flavor = conn.compute.find_flavor('m1.tiny', ignore_missing=False)
    conf = configparser.ConfigParser()
    conf.optionxform = str
    conf.read_dict({
        'DEFAULT': {'log_dir': os.path.join(workspace, 'logs'),
                    'log_file': 'tempest.log', 'debug': 'true'},
        'auth': {'use_dynamic_credentials': 'true',
                 'admin_username': env['OS_USERNAME'],
                 'admin_password': env['OS_PASSWORD'],
                 'admin_project_name': env['OS_PROJECT_NAME'],
                 'admin_domain_name': env['OS_USER_DOMAIN_NAME'],
                 # The minicloud's Neutron has no project network type:
                 # servers go on its shared network, as on a flat devstack.
                 'create_isolated_networks': 'false'},
        'identity': {'uri_v3': env['OS_AUTH_URL'].rstrip('/') + '/v3'
                     if not env['OS_AUTH_URL'].rstrip('/').endswith('/v3')
                     else env['OS_AUTH_URL'],
                     'auth_version': 'v3',
                     'region': env.get('OS_REGION_NAME', 'RegionOne'),
                     'v3_endpoint_type': 'public'},
        'compute': {'image_ref': image.id, 'flavor_ref': flavor.id,
                    'fixed_network_name': 'net1',
                    'build_timeout': '120'},
        # Keeps tempest from trying to SSH to server addresses.
        'validation': {'run_validation': 'false'},
        'service_available': {
            'blazar': 'true', 'climate': 'true', 'nova': 'true',
            'neutron': 'true', 'glance': 'true', 'cinder': 'false',
            'swift': 'false', 'horizon': 'false', 'placement': 'true'},
        'resource_reservation': {'lease_interval': '2',
                                 'lease_end_timeout': '300'},
    })
    with open(path, 'w') as f:
        conf.write(f)


def run_tempest(venv, workspace, regex, timeout):
    bin_ = os.path.join(venv, 'bin')
    env = dict(os.environ, PATH=bin_ + os.pathsep + os.environ['PATH'])
    env.pop('PYTHONPATH', None)
    cmd = [os.path.join(bin_, 'tempest'), 'run', '--config-file',
           os.path.join(workspace, 'etc', 'tempest.conf'),
           '--regex', regex, '--concurrency', '1']
    log('running: %s' % ' '.join(cmd))
    try:
        rc = subprocess.run(cmd, cwd=workspace, env=env,
                            stdin=subprocess.DEVNULL, timeout=timeout
                            ).returncode
    except subprocess.TimeoutExpired:
        log('TIMED OUT after %ds' % timeout)
        rc = 124
    stream = subprocess.run(
        [os.path.join(bin_, 'stestr'), 'last', '--subunit'], cwd=workspace,
        env=env, stdout=subprocess.PIPE).stdout
    table = subprocess.run([os.path.join(bin_, 'subunit2csv')],
                           input=stream, env=env,
                           stdout=subprocess.PIPE).stdout.decode()
    results = [(row['test'], row['status'])
               for row in csv.DictReader(io.StringIO(table))]
    return rc, results


def init_workspace(venv, workspace):
    if os.path.isdir(workspace):
        shutil.rmtree(workspace)
    registry = workspace.rstrip('/') + '.yaml'
    subprocess.run([os.path.join(venv, 'bin', 'tempest'), 'init',
                    '--workspace-path', registry, '--name',
                    'promise-conformance-%d' % os.getpid(), workspace],
                   check=True, stdout=subprocess.DEVNULL)
    os.makedirs(os.path.join(workspace, 'logs'), exist_ok=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--minicloud', required=True)
    ap.add_argument('--tempest-venv', required=True)
    ap.add_argument('--workspace', required=True)
    ap.add_argument('--artifacts', required=True)
    ap.add_argument('--port', type=int, default=80)
    ap.add_argument('--timeout', type=int, default=1800)
    ap.add_argument('--regex', default=REGEX,
                    help='a part of the suite (default: all of it)')
    args = ap.parse_args()

    env = minicloud_env(args.minicloud, 'admin')
    conn = connect(env)
    hosts, leases = promise_leftovers(conn)
    if hosts or leases:
        print('ERROR: the suite needs an empty Promise; it has hosts %s and '
              'leases %s (delete them, or `tools/minicloud down` first)'
              % ([h['hypervisor_hostname'] for h in hosts],
                 [le['id'] for le in leases]), file=sys.stderr)
        print('0 passed, 1 failed')
        return 1

    init_workspace(args.tempest_venv, args.workspace)
    write_tempest_conf(os.path.join(args.workspace, 'etc', 'tempest.conf'),
                       env, conn, args.workspace)
    routes = {
        '/reservation/': route(conn.session.get_endpoint(
            service_type='reservation', interface='public').rstrip('/')
            .rsplit('/v1', 1)[0] + '/'),
        '/compute/': route(conn.session.get_endpoint(
            service_type='compute', interface='public').rstrip('/')
            .rsplit('/v2.1', 1)[0] + '/'),
    }
    os.makedirs(args.artifacts, exist_ok=True)
    proxy = start_proxy(routes, args.port,
                        os.path.join(args.artifacts, 'conformance-proxy.log'))
    disabled = one_compute(conn)
    start = time.monotonic()
    try:
        rc, results = run_tempest(args.tempest_venv, args.workspace,
                                  args.regex, args.timeout)
    finally:
        proxy.shutdown()
        clean_up(conn)
        restore_computes(conn, disabled)
    tempest_log = os.path.join(args.workspace, 'logs', 'tempest.log')
    if os.path.exists(tempest_log):
        shutil.copy(tempest_log, os.path.join(args.artifacts,
                                              'conformance-tempest.log'))
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    for test, status in results:
        key = {'success': 'passed', 'xfail': 'passed',
               'skip': 'skipped'}.get(status, 'failed')
        counts[key] += 1
        print('%-7s %s' % (status, test))
    failed = counts['failed']
    if rc != 0 and failed == 0:
        failed = 1  # tempest itself broke (discovery, the time limit)
    if not results:
        failed = max(failed, 1)
    log('%d results in %ds (tempest exit %s)'
        % (len(results), time.monotonic() - start, rc))
    line = '%d passed, %d failed' % (counts['passed'], failed)
    if counts['skipped']:
        line += ', %d skipped' % counts['skipped']
    print(line)
    # A skipped test tested nothing: the run is not a pass with one.
    return 0 if failed == 0 and counts['skipped'] == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
