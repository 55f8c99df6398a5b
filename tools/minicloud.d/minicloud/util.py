# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Small helpers every step uses: progress and failure output, files and
JSON, hashes, probes of ports and URLs, locks, running steps in parallel
and once-per-cloud stamps."""

import concurrent.futures
import contextlib
import fcntl
import hashlib
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

from minicloud import settings

T0 = time.monotonic()


class Failure(Exception):
    """A step failed; names the service and the log that tells why."""

    def __init__(self, service, message, log=None):
        super().__init__(message)
        self.service = service
        self.message = message
        self.log = log


def say(msg):
    # One write per line: steps running in parallel threads report too.
    sys.stdout.write('minicloud [%5.1fs] %s\n' % (time.monotonic() - T0, msg))
    sys.stdout.flush()


def tail(path, lines=40):
    """The last lines of a log (from its last 64 KiB)."""
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode('utf-8', 'replace')
    except FileNotFoundError:
        return '(no log yet: the service was not started)'
    except OSError as e:
        return '(cannot read %s: %s)' % (path, e)
    return '\n'.join(text.splitlines()[-lines:])


def report_failure(fail):
    err = sys.stderr
    err.write('\nminicloud: FAILED: service %s: %s\n'
              % (fail.service, fail.message))
    if fail.log:
        err.write('minicloud: log of %s: %s\n' % (fail.service, fail.log))
        err.write('----- last lines of %s -----\n' % fail.log)
        err.write(tail(fail.log) + '\n')
        err.write('----- end of %s -----\n' % fail.log)
    err.flush()


def sha256_of(*chunks):
    h = hashlib.sha256()
    for c in chunks:
        h.update(c if isinstance(c, bytes) else str(c).encode())
        h.update(b'\0')
    return h.hexdigest()


def read_file(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def write_file(path, text, mode=0o644):
    """Write atomically (readers never see half a file)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def load_json(path):
    text = read_file(path)
    return json.loads(text) if text else None


def save_json(path, data):
    write_file(path, json.dumps(data, indent=2, sort_keys=True) + '\n',
               mode=0o600)


def port_answers(port, host=settings.HOST, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_answers(url, timeout=3.0):
    """True when something speaks HTTP at url (any status counts)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def lock(name, per_state=True):
    """flock: per state dir (up/down of one cloud) or per cache (venv)."""
    os.makedirs(settings.CACHE, exist_ok=True)
    if per_state:
        fname = '%s-%s.lock' % (name, sha256_of(settings.STATE)[:8])
    else:
        fname = '%s.lock' % name
    with open(os.path.join(settings.CACHE, fname), 'w') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def parallel(fns):
    """Run callables concurrently; re-raise the first Failure (else the
    first other error) once all have finished."""
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, len(fns))) as ex:
        futures = [ex.submit(f) for f in fns]
        errors = []
        for fu in futures:
            try:
                fu.result()
            except Exception as e:  # noqa
                errors.append(e)
    failures = [e for e in errors if isinstance(e, Failure)]
    if failures or errors:
        raise (failures or errors)[0]


def stamp_done(name):
    return os.path.exists(os.path.join(settings.STAMPS, name))


def stamp_set(name):
    write_file(os.path.join(settings.STAMPS, name), time.strftime('%FT%T\n'))


def once(name, fn):
    """Run fn unless this cloud already did (a stamp records it)."""
    if not stamp_done(name):
        fn()
        stamp_set(name)
