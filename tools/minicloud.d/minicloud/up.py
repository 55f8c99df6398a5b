# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""`up` and `restart`: bring the cloud to the wanted shape, doing only
what is missing.

Each step is idempotent: one-time steps leave stamps, services that run
with an unchanged config are left alone, and a cloud that is complete and
healthy makes `up` a no-op.  cloud.json records the choices made (ports,
database and message servers, computes, Promise) so later runs repeat
them.
"""

import os
import secrets
import time

from minicloud import confgen
from minicloud import dbcache
from minicloud import infra
from minicloud import keystone
from minicloud import neutron
from minicloud import nova
from minicloud import placement_glance
from minicloud import procs
from minicloud import promise
from minicloud import services
from minicloud import settings
from minicloud import util
from minicloud.util import Failure
from minicloud.util import say
from minicloud import venv

# The stamp of bootstrap's resources step; bumped when the step makes more
# (v2: the external network 'public'), so `up` over an older cloud adds it.
RESOURCES = 'resources-v2'


def load_secrets():
    s = util.load_json(settings.SECRETS_JSON)
    if not s:
        s = {k: secrets.token_hex(12) for k in
             ('db', 'mq', 'admin', 'demo', 'service')}
        util.save_json(settings.SECRETS_JSON, s)
    return s


def all_healthy(cloud):
    """Every service runs with its current config and answers, and the
    last set-up steps are done."""
    for name, spec in services.service_table(cloud).items():
        if not procs.service_alive(name) or \
                not procs.runs_as_configured(name, spec):
            return False
        if spec.get('url') and not util.http_answers(spec['url']):
            return False
    return util.stamp_done(RESOURCES) and (
        not cloud.get('promise') or util.stamp_done('catalog-promise-limits'))


def preflight_ports(cloud):
    """Fail early when a port we are about to listen on is taken."""
    for name, spec in services.service_table(cloud).items():
        if spec.get('port') and not procs.service_alive(name) and \
                util.port_answers(spec['port']):
            raise Failure(name, 'port %s:%d is already in use by a process '
                          'minicloud did not start (another cloud? see '
                          'MINICLOUD_PORT_OFFSET)'
                          % (settings.HOST, spec['port']),
                          settings.log_of(name))


def bootstrap(step, service, extra=(), timeout=300):
    """A step of tools/minicloud.d/bootstrap.py (run with the venv)."""
    script = os.path.join(settings.SUPPORT, 'bootstrap.py')
    procs.run_logged(service, [settings.vbin('python'), script,
                               '--state', settings.STATE, step] + list(extra),
                     settings.log_of('bootstrap'), timeout=timeout)


def cmd_up(args):
    with util.lock('up-down'):
        return _up(args)


def cmd_restart(args):
    """Stop the named services, then `up` (which starts them again)."""
    with util.lock('up-down'):
        cloud = util.load_json(settings.CLOUD_JSON)
        if not cloud or not cloud.get('complete'):
            raise Failure('minicloud', 'not up; use `up` first')
        settings.init_ports(cloud)
        table = services.service_table(cloud)
        unknown = [n for n in args.services if n not in table]
        if unknown:
            raise Failure('minicloud', 'unknown service(s) %s; known: %s'
                          % (', '.join(unknown), ', '.join(table)))
        util.parallel([(lambda n=n: procs.stop_one(n))
                       for n in args.services])
        args.computes = cloud['computes']
        args.promise = cloud.get('promise', False)
        return _up(args)


def _up(args):
    cloud = util.load_json(settings.CLOUD_JSON) or {}
    settings.init_ports(cloud)
    with_promise = bool(args.promise or cloud.get('promise'))
    computes = max(args.computes, cloud.get('computes', 0))
    what = '%d computes%s' % (computes, ', promise' if with_promise else '')
    if cloud.get('complete') and cloud.get('computes') == computes and \
            not os.environ.get('MINICLOUD_EXTRA_CONF') and \
            bool(cloud.get('promise')) == with_promise and \
            all_healthy(cloud) and not (
                with_promise and not cloud.get('promise_filter')
                and promise.filter_available()):
        say('minicloud is already up (%s); nothing to do' % what)
        return 0

    s = _prepare(cloud, computes, with_promise)
    _install(cloud, with_promise)
    _databases(cloud, s)
    table = services.service_table(cloud)
    _start_apis(cloud, table)
    _start_backend(cloud, table)
    cloud['complete'] = True
    util.save_json(settings.CLOUD_JSON, cloud)
    say('minicloud is up (%s). Use: eval "$(%s env)"'
        % (what, settings.SCRIPT))
    return 0


def _prepare(cloud, computes, with_promise):
    """The state dir, the secrets and cloud.json's choices; the secrets."""
    for d in (settings.STATE, settings.LOGS, settings.RUN, settings.DATA,
              settings.ETC, settings.PYDIR, settings.STAMPS):
        os.makedirs(d, exist_ok=True)
    os.chmod(settings.STATE, 0o755)
    say('state dir %s' % settings.STATE)
    s = load_secrets()
    cloud.update({'computes': computes, 'promise': with_promise,
                  'dbuser': infra.prefix(), 'repo': settings.REPO,
                  'venv': settings.VENV, 'complete': False})
    settings.init_ports(cloud)
    cloud.setdefault('promise_port', int(os.environ.get(
        'MINICLOUD_PROMISE_PORT',
        settings.DEFAULT_PROMISE_PORT + settings.port_offset())))
    util.save_json(settings.CLOUD_JSON, cloud)
    return s


def _install(cloud, with_promise):
    preflight_ports(cloud)
    venv.ensure_venv()
    cloud['promise_filter'] = False
    if with_promise:
        promise.ensure_installed()
        cloud['promise_filter'] = promise.filter_available()
        found = cloud['promise_filter']
        say('Promise scheduler filter %s: %s' % (
            promise.FILTER,
            'found, enabled in nova' if found else 'not provided yet'))
    util.save_json(settings.CLOUD_JSON, cloud)


def _databases(cloud, s):
    """Servers, databases, vhost, config files and migrated schemas (from
    the schema cache when there is one)."""
    try:
        util.parallel([lambda: infra.ensure_db_server(cloud),
                       lambda: infra.ensure_mq_server(cloud)])
    finally:
        util.save_json(settings.CLOUD_JSON, cloud)
    fresh = not util.stamp_done('nova-setup')
    dump = dbcache.cache_dir(cloud)
    cached = fresh and dump and os.path.exists(os.path.join(dump, 'dump.sql'))
    if cached:
        # The cached databases hold these passwords (Nova's cell mappings,
        # Keystone's admin user), so the new cloud takes them over.
        s.update(util.load_json(os.path.join(dump, 'secrets.json')))
        util.save_json(settings.SECRETS_JSON, s)
    dbstamp = 'databases-' + util.sha256_of(*infra.db_names(cloud))[:12]
    util.parallel([
        lambda: util.once(dbstamp, lambda: infra.create_databases(cloud, s)),
        lambda: util.once('vhost', lambda: infra.create_vhost(cloud, s))])
    util.save_json(settings.CLOUD_JSON, cloud)
    util.save_json(settings.SECRETS_JSON, s)
    ctx = confgen.Context(cloud, s)
    services.write_configs(ctx)

    t = time.monotonic()
    if cached:
        dbcache.load(cloud, dump)
    steps = [lambda: keystone.setup(s), placement_glance.setup_placement,
             placement_glance.setup_glance, neutron.setup,
             lambda: nova.setup(ctx)]
    if cloud['promise']:
        steps.append(promise.setup_db)
    util.parallel(steps)
    say('database schemas done (%.1fs%s)' % (
        time.monotonic() - t, ', from the cache' if cached else ''))
    if fresh and not cached and dump:
        dbcache.save(cloud, s, dump)


def _start_apis(cloud, table):
    """The API services, then the identity set-up and catalog."""
    t = time.monotonic()
    for name in services.API_SERVICES:
        procs.start_service(name, table[name])
    util.parallel([(lambda n=n: procs.wait_http(n, table[n]))
                   for n in services.API_SERVICES])
    say('API services answering (%.1fs)' % (time.monotonic() - t))

    t = time.monotonic()
    util.once('catalog', lambda: bootstrap('identity', 'keystone'))
    if cloud['promise']:
        util.once('catalog-promise-limits', lambda: bootstrap(
            'identity-promise', 'keystone',
            ['--promise-port', str(cloud['promise_port'])]))
    say('identity and catalog ready (%.1fs)' % (time.monotonic() - t))


def _start_backend(cloud, table):
    """Nova's back end and Promise; then the image, flavor and network
    while the computes report in."""
    computes = cloud['computes']
    backend = ['nova-conductor', 'nova-scheduler'] + [
        'nova-compute-%d' % i for i in range(1, computes + 1)]
    names = backend + (['promise-api', 'promise-manager']
                       if cloud['promise'] else [])
    since = time.time()
    started = []
    util.parallel([
        (lambda n=n: procs.start_service(n, table[n]) and started.append(n))
        for n in names])

    t = time.monotonic()

    def resources():
        util.once(RESOURCES,
                  lambda: bootstrap('resources', 'glance/nova/neutron'))
        say('image tiny, flavor m1.tiny, networks net1 and public ready '
            '(%.1fs)' % (time.monotonic() - t))

    def computes_up():
        bootstrap('wait-computes', 'nova', [
            '--computes', str(computes), '--since', '%.0f' % since,
            '--started', ','.join(started)], timeout=240)

    try:
        util.parallel([resources, computes_up])
    except Failure as e:
        if e.service != 'nova':
            raise
        _blame_computes(backend, e)
    say('%d computes up and mapped (%.1fs)' % (computes, time.monotonic() - t))

    if cloud['promise']:
        procs.wait_http('promise-api', table['promise-api'], timeout=60)
        procs.wait_alive('promise-manager', 1)
        say('promise-api answering on %s' % table['promise-api']['url'])


def _blame_computes(backend, failure):
    """Turn wait-computes' failure into the service to look at: a dead
    process, else the first compute Nova does not see up."""
    report = util.load_json(os.path.join(settings.STATE,
                                         'wait-computes.json'))
    down = (report or {}).get('not_up', [])
    for name in backend:
        if not procs.service_alive(name):
            raise Failure(name, 'process died', settings.log_of(name))
    if down:
        raise Failure(down[0], 'not reported up to Nova (%s); see also %s'
                      % (', '.join(down), failure.log),
                      settings.log_of(down[0]))
    raise failure
