"""py-spy over promise-api and one promise-manager while the benchmark
sends sequential creates, and the summary of its collapsed stacks: where
each process works (busy samples), not where it waits."""

import collections
import os
import shutil
import signal
import subprocess
import time

from promise.tests.functional import fixtures as ff

from benchlib import common
from benchlib import scenarios


def profile_creates(dep, rng, n, directory):
    """py-spy on the api and one manager while ``n`` creates run."""
    pyspy = shutil.which('py-spy') or os.path.join(ff.BIN_DIR, 'py-spy')
    if not os.path.exists(pyspy):
        common.log('py-spy not found; no profile')
        return {}
    manager = dep.keep_one_manager()
    procs, files = [], {}
    for svc in (dep.api, manager):
        path = os.path.join(directory, '%s.collapsed' % svc.tag)
        files[svc.tag] = path
        procs.append(subprocess.Popen(
            [pyspy, 'record', '-p', str(svc.process.pid), '-f', 'raw',
             '-o', path, '-r', '200', '--nonblocking'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(2)
    s = scenarios.client(scenarios.OWNER)
    for i in range(n):
        scenarios.timed(s, 'POST', dep.url + '/v1/leases', 201,
                        json=scenarios.lease_body(rng, 'bench-prof-%d' % i))
    # py-spy writes its output when interrupted.
    for p in procs:
        p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
    return {tag: top_frames(path) for tag, path in files.items()}


# Leaf frames in which a process waits (socket, lock, sleep, poll).
WAIT_LEAVES = ('recv_into', 'recv (', 'read (', 'readinto', 'select (',
               'poll (', 'wait (', 'sleep', 'acquire', '_wait_for_tstate',
               'accept (', 'epoll', 'blocking_read', 'drain_events',
               '_read (amqp', 'read_frame')


def top_frames(path, count=12):
    """From py-spy's collapsed stacks: where the process works, not where
    it waits. ``self``: leaf functions; ``promise``: inclusive share of
    Promise's own functions; both over the busy (non-waiting) samples."""
    leaf, inclusive, total = collections.Counter(), collections.Counter(), 0
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    for line in lines:
        stack, _, n = line.rpartition(' ')
        if not n.isdigit():
            continue
        frames = stack.split(';')
        if any(k in frames[-1] for k in WAIT_LEAVES):
            continue
        n = int(n)
        total += n
        leaf[frames[-1]] += n
        for f in set(frames):
            if 'promise/' in f and 'tests/' not in f:
                inclusive[f] += n
    if not total:
        return {}
    return {'busy_samples': total,
            'self': [{'frame': f, 'share': n / total}
                     for f, n in leaf.most_common(count)],
            'promise': [{'frame': f, 'share': n / total}
                        for f, n in inclusive.most_common(count)]}
