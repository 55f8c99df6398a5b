# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Process supervision: the environment every child gets, running set-up
commands into a log, starting services as session leaders with pid files,
telling whether a pid is still one of ours, waiting for start-up, and
stopping.

Each service runs in a session of its own (its pid is the session id), so
stopping it signals the whole group: gunicorn workers, oslo.service
children and the like go with it.
"""

import contextlib
import os
import shlex
import signal
import subprocess
import time

from minicloud import settings
from minicloud import util
from minicloud.util import Failure


def base_env(extra=None):
    """Environment for everything we start: clean of the caller's cloud and
    virtualenv settings, tagged (MINICLOUD_OWNER) so `down` can find
    leftovers."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('OS_') and k not in (
               'VIRTUAL_ENV', 'PYTHONHOME', 'PYTHONPATH',
               'PIP_REQUIRE_VIRTUALENV')}
    env['PATH'] = '%s:%s' % (os.path.join(settings.VENV, 'bin'),
                             env.get('PATH', '/usr/bin:/bin'))
    env['PYTHONPATH'] = settings.PYDIR
    env['MINICLOUD_OWNER'] = settings.STATE
    env['PYTHONUNBUFFERED'] = '1'
    env.update(extra or {})
    return env


def run_logged(service, argv, log, env=None, timeout=600, cwd=None):
    """Run a command to completion, appending its output to log; Failure
    (naming service and log) when it fails."""
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, 'ab') as f:
        f.write(('\n+ %s\n' % shlex.join(argv)).encode())
        f.flush()
        try:
            rc = subprocess.call(argv, stdin=subprocess.DEVNULL, stdout=f,
                                 stderr=subprocess.STDOUT,
                                 env=env or base_env(), timeout=timeout,
                                 cwd=cwd or settings.STATE)
        except subprocess.TimeoutExpired:
            raise Failure(service, '%s timed out after %ss'
                          % (os.path.basename(argv[0]), timeout), log)
        except OSError as e:
            raise Failure(service, 'cannot run %s: %s' % (argv[0], e), log)
    if rc != 0:
        shown = [os.path.basename(argv[0])] + list(argv[1:4])
        raise Failure(service, '`%s` exited with status %s'
                      % (' '.join(shown), rc), log)


# --------------------------------------------------------------------------
# /proc

def _stat_fields(pid):
    """/proc/PID/stat after the command name: state, ppid, pgrp, sid..."""
    with open('/proc/%d/stat' % pid) as f:
        return f.read().rsplit(')', 1)[1].split()


def read_proc(pid, what):
    with open('/proc/%d/%s' % (pid, what), 'rb') as f:
        return f.read()


def find_processes(match):
    """PIDs (but ours) for which match(pid) is true; processes that vanish
    or cannot be read while we look are skipped."""
    me = os.getpid()
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            if match(int(entry)):
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return found


def pid_alive(pid):
    """The process exists and is no zombie."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return _stat_fields(pid)[0] not in ('Z', 'X')
    except (OSError, IndexError):
        return True


def is_ours(pid):
    """pid (from one of our pid files) still is the process we started:
    a session leader running from our venv or state dir.  gunicorn and
    setproctitle rewrite command lines, hence the gunicorn case."""
    try:
        sid = int(_stat_fields(pid)[3])
        cmdline = read_proc(pid, 'cmdline')
    except (OSError, ValueError, IndexError):
        return False
    return sid == pid and (settings.STATE.encode() in cmdline
                           or settings.VENV.encode() in cmdline
                           or cmdline.startswith(b'gunicorn: master'))


def own_processes(sessions=()):
    """PIDs of live processes that are ours: in a session we started, tagged
    with MINICLOUD_OWNER in their environment, or naming our state dir on
    their command line (setproctitle may hide the environment)."""
    tag = ('MINICLOUD_OWNER=%s' % settings.STATE).encode()
    statedir = (settings.STATE + '/').encode()

    def ours(pid):
        sid = int(_stat_fields(pid)[3])
        env = read_proc(pid, 'environ').split(b'\0')
        cmdline = read_proc(pid, 'cmdline')
        return (sid in sessions or tag in env or statedir in cmdline) and \
            pid_alive(pid)
    return find_processes(ours)


# --------------------------------------------------------------------------
# services: pid files, start, stop, wait

def pid_file(name):
    return os.path.join(settings.RUN, name + '.pid')


def read_pid(name):
    text = util.read_file(pid_file(name))
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def service_alive(name):
    pid = read_pid(name)
    return bool(pid) and pid_alive(pid) and is_ours(pid)


def spawn(name, argv, env=None, logged=True):
    """Start argv in a new session, output to the service's log (or
    nowhere: MariaDB writes its own); record its pid."""
    log = settings.log_of(name) if logged else None
    os.makedirs(settings.LOGS, exist_ok=True)
    os.makedirs(settings.RUN, exist_ok=True)
    out = open(log, 'ab') if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=settings.STATE,
                                env=base_env(env), start_new_session=True)
    except OSError as e:
        raise Failure(name, 'cannot start %s: %s' % (argv[0], e), log)
    finally:
        if log:
            out.close()
    proc.returncode = 0  # we never wait() on it; silence the ResourceWarning
    util.write_file(pid_file(name), '%d\n' % proc.pid)
    return proc.pid


def signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def stop_one(name, grace=10.0):
    """SIGTERM the service's group, SIGKILL it after grace seconds."""
    pid = read_pid(name)
    if pid and service_alive(name):
        signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        signal_group(pid, signal.SIGKILL)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(pid_file(name))


def config_hash(spec):
    """What a running service was started with: its command line and the
    contents of its config files."""
    return util.sha256_of(' '.join(spec['argv']),
                          *[util.read_file(c, '') for c in spec['configs']])


def _hash_file(name):
    return os.path.join(settings.RUN, name + '.cfg')


def runs_as_configured(name, spec):
    return util.read_file(_hash_file(name), '').strip() == config_hash(spec)


def start_service(name, spec):
    """Start name unless it already runs with the same config; True when it
    was (re)started.  spec: dict(argv, env, configs[, url, port])."""
    if service_alive(name):
        if runs_as_configured(name, spec):
            return False
        util.say('%s: configuration changed, restarting' % name)
        stop_one(name)
    if spec.get('port') and util.port_answers(spec['port']):
        raise Failure(name, 'port %s:%d is already in use by a process '
                      'minicloud did not start'
                      % (settings.HOST, spec['port']), settings.log_of(name))
    spawn(name, spec['argv'], spec['env'])
    util.write_file(_hash_file(name), config_hash(spec) + '\n')
    return True


def _wait(name, ready, timeout, complaint):
    """Poll ready() until true; Failure if the service dies first or
    timeout seconds pass."""
    log = settings.log_of(name)
    deadline = time.monotonic() + timeout
    while not ready():
        # Only that the process is gone counts here: the pid was just
        # started by us, and gunicorn's setproctitle rewrites its command
        # line at start-up, which is_ours() may catch half written.
        if not pid_alive(read_pid(name)):
            raise Failure(name, 'process exited during start-up', log)
        if time.monotonic() > deadline:
            raise Failure(name, complaint, log)
        time.sleep(0.25)


def wait_port(name, port, timeout):
    _wait(name, lambda: util.port_answers(port), timeout,
          'not listening on %s:%d after %ds' % (settings.HOST, port, timeout))


def wait_http(name, spec, timeout=120):
    _wait(name, lambda: util.http_answers(spec['url']), timeout,
          'does not answer %s after %ds' % (spec['url'], timeout))


def wait_alive(name, seconds):
    """Fail when name dies within seconds (it crashed while starting)."""
    end = time.monotonic() + seconds
    _wait(name, lambda: time.monotonic() >= end, seconds + 60, 'not reached')
