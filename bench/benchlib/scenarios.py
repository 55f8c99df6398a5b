"""The measurements through the public HTTP API of a running deployment:
the lease bodies the benchmark sends, one timed request, the sequential
API phase (creates, refused creates, lists, show, capacity) and the
sustained phase (concurrent creates for a while)."""

import collections
import datetime
import functools
import json
import random
import threading
import time

import requests

from benchlib import common
from benchlib import seeding

BENCH_WINDOW_DAYS = (2, 40)   # where the benchmark's own leases start
# The benchmark's own instance leases and the capacity query's shape.
BENCH_SHAPE = {'vcpus': 2, 'memory_mb': 4096, 'disk_gb': 20}
BENCH_AMOUNT = 2
CAPACITY_DAYS = 30
GPU_QUERY = ['==', '$gpu', 'true']

OWNER = {'X-User-Id': 'bench-user-0', 'X-Project-Id': 'bench-project-0',
         'X-Roles': 'member'}
ADMIN = {'X-User-Id': 'bench-admin', 'X-Project-Id': 'bench-admin-project',
         'X-Roles': 'admin'}

# GET /v1/capacity over the default CAPACITY_DAYS from now.
CAPACITY_QUERIES = (
    ('capacity_hosts', 'resource_type=physical:host'),
    ('capacity_instance', 'resource_type=virtual:instance&' + '&'.join(
        '%s=%d' % kv for kv in sorted(BENCH_SHAPE.items()))),
)


def bench_start(rng):
    """Where one of the benchmark's own leases starts."""
    return common.utcnow() + datetime.timedelta(
        days=rng.uniform(*BENCH_WINDOW_DAYS))


def lease_body(rng, name, resource_properties=''):
    start = bench_start(rng)
    end = start + datetime.timedelta(hours=rng.choice((4, 12, 24)))
    return {'name': name, 'start_date': common.api_date(start),
            'end_date': common.api_date(end),
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1, 'hypervisor_properties': '',
                              'resource_properties': resource_properties}],
            'events': []}


def instance_body(rng, name):
    body = lease_body(rng, name)
    body['reservations'] = [dict(BENCH_SHAPE,
                                 resource_type='virtual:instance',
                                 amount=BENCH_AMOUNT, affinity=None,
                                 resource_properties='')]
    return body


def client(headers):
    s = requests.Session()
    s.headers.update(headers)
    return s


def timed(session, method, url, expect, timeout=60, **kwargs):
    """One request: (seconds, response). Raises unless the status is
    ``expect``; ``expect=None`` takes any status."""
    t0 = time.perf_counter()
    resp = session.request(method, url, timeout=timeout, **kwargs)
    elapsed = time.perf_counter() - t0
    if expect is not None and resp.status_code != expect:
        raise RuntimeError('%s %s: %s %s' % (method, url, resp.status_code,
                                             resp.text[:500]))
    return elapsed, resp


def measure_api(dep, rng, n_create, n_read, n_hosts, n_409=3):
    """The sequential API phase, one request at a time."""
    out = {}
    s = client(OWNER)
    url = dep.url + '/v1/leases'

    def create(make, name):
        """A create of the body ``make(rng, name % i)``, for sample()."""
        return lambda i: timed(s, 'POST', url, 201, json=make(rng, name % i))

    # Warm up: first requests pay for imports, connections, plugin loading.
    for i in range(5):
        create(lease_body, 'bench-warm-%d')(i)
    out['create'], _ = common.sample(
        n_create, create(lease_body, 'bench-new-%d'))
    filtered = functools.partial(lease_body,
                                 resource_properties=json.dumps(GPU_QUERY))
    out['create_filtered'], _ = common.sample(
        max(5, n_create // 3), create(filtered, 'bench-gpu-%d'))
    # Instance slots: the decision needs no Nova (the flavor and the
    # aggregate are made after the answer, in the background, and fail
    # here without Nova, which the answer does not wait for).
    out['create_instance'], _ = common.sample(
        max(5, n_create // 2), create(instance_body, 'bench-inst-%d'))

    # A lease that cannot fit: 409 with the offer (max_reservable and
    # alternative windows, searched inside the same RPC call). Timed
    # whatever the answer: at scale the search outlives the RPC timeout
    # and the answer is 503.
    codes = collections.Counter()

    def refused(i):
        body = lease_body(rng, 'bench-409-%d' % i)
        body['reservations'][0].update(min=n_hosts + 1, max=n_hosts + 1)
        elapsed, resp = timed(s, 'POST', url, None, timeout=120, json=body)
        codes[resp.status_code] += 1
        return elapsed, resp
    out['create_409'], _ = common.sample(n_409, refused)
    out['create_409']['status'] = dict(codes)

    # A lease one host larger than what is free over its window: the
    # offer has to look through time for the windows that fit.
    busy_codes = collections.Counter()
    offered = []

    def refused_busy(i):
        body = lease_body(rng, 'bench-409b-%d' % i)
        _, resp = timed(s, 'POST', url + '/check', 200, json=body)
        wanted = resp.json()['max_reservable'][0] + 1
        body['reservations'][0].update(min=wanted, max=wanted)
        elapsed, resp = timed(s, 'POST', url, None, timeout=120, json=body)
        busy_codes[resp.status_code] += 1
        offered.append(len(resp.json().get('alternatives') or ()))
        return elapsed, resp
    out['create_409_busy'], _ = common.sample(n_409, refused_busy)
    out['create_409_busy']['status'] = dict(busy_codes)
    out['create_409_busy']['alternatives'] = offered

    for name, sess in (('list_admin', client(ADMIN)), ('list_project', s)):
        out[name], resp = common.sample(
            n_read, lambda i: timed(sess, 'GET', url + '?limit=100', 200),
            warmup=1)
        out[name]['page'] = len(resp.json()['leases'])
    # show: one of the project's own leases, picked at random.
    ids = seeding.project_lease_ids(dep.config.db_url,
                                    OWNER['X-Project-Id'])
    out['show'], _ = common.sample(
        n_read, lambda i: timed(s, 'GET', url + '/' + rng.choice(ids), 200))
    for name, query in CAPACITY_QUERIES:
        capacity_url = dep.url + '/v1/capacity?' + query
        out[name], resp = common.sample(
            max(5, n_read // 5), lambda i: timed(s, 'GET', capacity_url, 200),
            warmup=1)
        out[name]['steps'] = len(resp.json()['capacity']['timeline'])
        out[name]['bytes'] = len(resp.content)
    return out


def measure_sustained(dep, seconds, clients, seed_value):
    """Creates from ``clients`` concurrent clients for ``seconds``:
    creates/s and the latency of the successful ones."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    ok, errors, samples = [0], collections.Counter(), []

    def worker(n):
        rng = random.Random(seed_value * 1000 + n)
        s = client(OWNER)
        i = 0
        while time.monotonic() < stop:
            i += 1
            try:
                elapsed, resp = timed(
                    s, 'POST', dep.url + '/v1/leases', None,
                    json=lease_body(rng, 'bench-s-%d-%d' % (n, i)))
                code = resp.status_code
            except requests.RequestException as exc:
                code = type(exc).__name__
            with lock:
                if code == 201:
                    ok[0] += 1
                    samples.append(elapsed)
                else:
                    errors[code] += 1
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    result = common.summary(samples)
    result.update({'per_s': ok[0] / wall, 'ok': ok[0],
                   'errors': dict(errors), 'clients': clients,
                   'managers': dep.n_managers})
    return {'sustained': result}
