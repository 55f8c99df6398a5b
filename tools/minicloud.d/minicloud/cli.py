# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""The command line: argument parsing and the `status`, `env` and `down`
commands (`up` and `restart` are in up.py).  Failures are reported as the
failed service, its log and the log's last lines, with exit status 1."""

import argparse
import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

from minicloud import infra
from minicloud import procs
from minicloud import services
from minicloud import settings
from minicloud.settings import HOST
from minicloud import up
from minicloud import util
from minicloud.util import Failure
from minicloud.util import say


def cmd_status(args):
    cloud = util.load_json(settings.CLOUD_JSON)
    if not cloud:
        print('minicloud is down (no state in %s)' % settings.STATE)
        return 1
    settings.init_ports(cloud)
    ok = True
    print('state dir: %s' % settings.STATE)
    print('venv:      %s' % settings.VENV)
    for label, info in (('mariadb', cloud.get('db')),
                        ('rabbitmq', cloud.get('mq'))):
        if not info:
            continue
        answers = util.port_answers(info['port'])
        kind = 'private' if info.get('private') else 'machine'
        print('%-18s %-8s %s:%s (%s)' % (label, 'up' if answers else 'DOWN',
                                         HOST, info['port'], kind))
        ok = ok and answers
    for name, spec in services.service_table(cloud).items():
        alive = procs.service_alive(name)
        state = 'running' if alive else 'DEAD'
        detail = 'pid %s' % (procs.read_pid(name) or '-')
        if spec.get('url'):
            answers = alive and util.http_answers(spec['url'])
            state = 'up' if answers else ('NOT ANSWERING' if alive else 'DEAD')
            detail += ', %s' % spec['url']
            alive = answers
        print('%-18s %-8s %s  log %s' % (name, state, detail,
                                         settings.log_of(name)))
        ok = ok and alive
    if not cloud.get('complete'):
        print('(set-up did not finish; run `up` again)')
        ok = False
    return 0 if ok else 1


def cmd_env(args):
    cloud = util.load_json(settings.CLOUD_JSON)
    s = util.load_json(settings.SECRETS_JSON)
    if not cloud or not s:
        sys.stderr.write('minicloud: not up (no state in %s)\n'
                         % settings.STATE)
        return 1
    settings.init_ports(cloud)
    user = args.as_user
    values = [
        ('OS_AUTH_URL', settings.keystone_url()),
        ('OS_AUTH_TYPE', 'password'),
        ('OS_IDENTITY_API_VERSION', '3'),
        ('OS_USERNAME', user),
        ('OS_PASSWORD', s[user]),
        ('OS_PROJECT_NAME', user),
        ('OS_USER_DOMAIN_NAME', 'Default'),
        ('OS_PROJECT_DOMAIN_NAME', 'Default'),
        ('OS_REGION_NAME', settings.REGION),
        ('OS_INTERFACE', 'public'),
        ('OS_MINICLOUD_VENV', settings.VENV),
        ('MINICLOUD_COMPUTES', str(cloud.get('computes', 0))),
        ('MINICLOUD_PROMISE', '1' if cloud.get('promise') else '0'),
    ]
    for k, v in values:
        print('export %s=%s' % (k, shlex.quote(v)))
    venv_bin = os.path.join(settings.VENV, 'bin')
    print('case ":$PATH:" in *:%s:*) ;; *) export PATH="$PATH:%s" ;; esac'
          % (venv_bin, venv_bin))
    return 0


def cmd_down(args):
    with util.lock('up-down'):
        return _down()


def _down():
    t0 = time.monotonic()
    cloud = util.load_json(settings.CLOUD_JSON) or {}
    names = sorted(f[:-4] for f in os.listdir(settings.RUN)
                   if f.endswith('.pid')) if os.path.isdir(settings.RUN) \
        else []
    # The private MariaDB goes last: the databases are dropped first.
    infra_names = [n for n in names if n == 'mariadb']
    pids = {n: procs.read_pid(n) for n in names if n not in infra_names}
    _stop_all({n: p for n, p in pids.items() if procs.service_alive(n)})
    _drop_what_we_made(cloud)
    for n in infra_names:
        procs.stop_one(n, grace=20)

    sessions = {p for p in pids.values()
                if p and (not procs.pid_alive(p) or procs.is_ours(p))}
    left = procs.own_processes(sessions)
    if left:
        say('killing leftover processes of ours: %s'
            % ' '.join(map(str, left)))
        for p in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        time.sleep(0.5)
    left = procs.own_processes(sessions)
    if os.path.exists(settings.STATE):
        shutil.rmtree(settings.STATE, ignore_errors=True)
    if left:
        say('WARNING: processes still alive: %s' % left)
        return 1
    say('minicloud is down (%.1fs); state removed, venv kept in %s'
        % (time.monotonic() - t0, settings.VENV))
    return 0


def _stop_all(live):
    """SIGTERM every service group at once; SIGKILL after 20 s."""
    if live:
        say('stopping %s' % ', '.join(sorted(live)))
    for p in live.values():
        procs.signal_group(p, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while any(procs.pid_alive(p) for p in live.values()) and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    for n, p in live.items():
        if procs.pid_alive(p):
            say('%s did not stop in time; killing it' % n)
        procs.signal_group(p, signal.SIGKILL)


def _drop_what_we_made(cloud):
    """Drop our databases, users and vhost on the machine's servers;
    private servers are stopped (their data goes with the state dir)."""
    db, mq = cloud.get('db'), cloud.get('mq')
    if db and not db.get('private') and util.port_answers(db['port']):
        log = os.path.join(settings.CACHE, 'down.log')
        names = infra.db_names(dict(cloud, promise=True))
        try:
            if os.access(settings.vbin('python'), os.X_OK):
                infra.sql_admin(cloud, ['drop', '--user',
                                        cloud.get('dbuser', infra.prefix()),
                                        '--databases'] + names, log)
            else:
                # No venv (hence no PyMySQL): the mysql client will do.
                stmts = ''.join('DROP DATABASE IF EXISTS `%s`;' % n
                                for n in names)
                for host in ('127.0.0.1', 'localhost'):
                    stmts += "DROP USER IF EXISTS '%s'@'%s';" % (
                        infra.prefix(), host)
                procs.run_logged('mariadb', ['mysql', '-h', HOST, '-P',
                                             str(db['port']), '-uroot',
                                             '-e', stmts], log)
            say('dropped databases %s' % ', '.join(names))
        except Failure as e:
            util.report_failure(e)
    if mq and mq.get('private'):
        if infra.rabbitmqctl(mq, 'stop'):
            say('stopped the private RabbitMQ')
    elif mq and cloud.get('mq_vhost') not in (None, '/'):
        if util.port_answers(mq['port']) and \
                os.path.exists(settings.RABBITMQCTL):
            infra.rabbitmqctl(mq, 'delete_vhost', cloud['mq_vhost'])
            infra.rabbitmqctl(mq, 'delete_user', cloud['mq_user'])
            say('deleted RabbitMQ vhost/user %s' % cloud['mq_vhost'])
    if mq and mq.get('private') and not cloud.get('epmd_was_running', True):
        subprocess.call(['epmd', '-kill'], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='minicloud',
        description='Real OpenStack (Keystone, Placement, Glance, Nova with '
                    'fake computes, Neutron) on 127.0.0.1 for Promise.')
    sub = parser.add_subparsers(dest='cmd', required=True)
    up_ = sub.add_parser('up', help='install (cached) and start the cloud')
    up_.add_argument('--computes', type=int, default=int(
        os.environ.get('MINICLOUD_COMPUTES', '3')),
        help='number of fake nova-compute hosts (default 3)')
    up_.add_argument('--promise', action='store_true',
                     help='also install and run Promise from this checkout')
    sub.add_parser('down', help='stop everything started here, drop its '
                   'databases and remove the state dir')
    sub.add_parser('status', help='show each service (exit 1 if any is down)')
    rs = sub.add_parser('restart', help='restart the named services (e.g. '
                        'promise-api promise-manager after a code change)')
    rs.add_argument('services', nargs='+', metavar='SERVICE')
    env = sub.add_parser('env', help='print export OS_*=... lines')
    env.add_argument('--as', dest='as_user', choices=('admin', 'demo'),
                     default='admin')
    args = parser.parse_args(argv)
    if args.cmd == 'up' and args.computes < 1:
        parser.error('--computes must be at least 1')
    fn = {'up': up.cmd_up, 'down': cmd_down, 'status': cmd_status,
          'env': cmd_env, 'restart': up.cmd_restart}[args.cmd]
    try:
        return fn(args)
    except Failure as e:
        util.report_failure(e)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write('minicloud: interrupted\n')
        return 130
    except BrokenPipeError:  # e.g. `minicloud status | head`
        sys.stderr.close()
        return 1
