#!/usr/bin/env python3
"""Promise on a cluster: contested creates and creates per second on a
three-node MariaDB Galera cluster and a three-node RabbitMQ cluster
(tools/cluster), next to the same measures on the machine's single MariaDB
and RabbitMQ.

    python bench/cluster.py                       # 1,000 rounds, 30 s
    python bench/cluster.py --rounds 200 --seconds 15

Deployments (two promise-managers each; tools/cluster brings the clusters
up when they are not):

* ``single``: one promise-api, the machine's MariaDB and RabbitMQ;
* ``galera-spread``: two promise-api and two promise-managers, each on a
  different Galera node and broker (promise/tests/cluster/base.py): the
  contested rounds are decided on different nodes;
* ``galera-haproxy``: the same four processes through HAProxy (one writer),
  as kolla-ansible deploys.

Measures: ``grant rounds`` (``--grant-rounds``, on a deployment of its own
with two hosts, one held by a lease): an ETSI SOL003 grant to one API and a
lease to the other, simultaneously, for the last host; every round must be
exactly one 201 (and a 403 or a 409), the host never both granted and
leased; the winner is released before the next round. ``rounds``: two
simultaneous creates for the last host, one to each API process (single:
both to the one): every round must be one 201 and one 409, and no two
allocations may overlap (checked, and the run fails otherwise); ``contested
p50/p95``: the slower of the two answers of a round; ``creates/s``: POST
/v1/leases from --clients clients for --seconds (every create a host lease
on one of 200 hosts, on a window of its own), with its p50. Prints a
Markdown table.
"""

import argparse
import concurrent.futures
import datetime
import functools
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
if REPO not in sys.path:
    sys.path.insert(0, REPO)

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from promise.tests.cluster import base as cluster_base  # noqa: E402
from promise.tests.functional import fixtures as ff  # noqa: E402
from promise.tests.unit import test_grants_api as shapes  # noqa: E402

HEADERS = {'X-User-Id': 'bench', 'X-Project-Id': 'bench',
           'X-Roles': 'member', 'Accept': 'application/json'}
T0 = datetime.datetime(2031, 1, 1)
HOSTS = 200
OVERRIDES = {'DEFAULT.debug': 'false', 'api.rpc_timeout': '30',
             'manager.health_interval': '0', 'manager.usage_interval': '0',
             'manager.capacity_interval': '0',
             'manager.plugins': 'physical:host',
             'net_value.flavor_shapes': 'm1.small:2/2048/10',
             'nfv.vdu_flavors': 'vnfd-1:VDU1=m1.small',
             'nfv.vim_connection_id': 'vim-1'}
GRANT = {'Version': '1.4.0'}


def body(name, start, hours=2):
    fmt = '%Y-%m-%d %H:%M'
    return {'name': name, 'start_date': start.strftime(fmt),
            'end_date': (start + datetime.timedelta(hours=hours)).strftime(
                fmt), 'events': [],
            'reservations': [{'resource_type': 'physical:host', 'min': '1',
                              'max': '1', 'hypervisor_properties': '',
                              'resource_properties': ''}]}


def add_hosts(engine, count):
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO hosts (id, hypervisor_hostname, service_name, vcpus,"
            " memory_mb, local_gb, reservable, generation, created_at) "
            "VALUES (:id, :n, :n, 8, 8192, 100, 1, 0, :now)"),
            [{'id': i, 'n': 'bench%d' % i, 'now': datetime.datetime.utcnow()}
             for i in range(1, count + 1)])


def post(url, data):
    started = time.monotonic()
    resp = requests.post(url + '/v1/leases', json=data, headers=HEADERS,
                         timeout=120)
    return resp.status_code, time.monotonic() - started


def contested(deployment, urls, rounds):
    """Rounds on host 1 alone (the others are not reservable meanwhile)."""
    with deployment.db.engine.begin() as conn:
        conn.execute(sa.text('UPDATE hosts SET reservable = 0 WHERE id > 1'))
    slowest, bad = [], []
    barrier = threading.Barrier(2)

    def one(url, data):
        barrier.wait()
        return post(url, data)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for i in range(rounds):
            day = T0 + datetime.timedelta(days=i)
            futures = [pool.submit(one, urls[0], body('a%d' % i, day)),
                       pool.submit(one, urls[-1], body(
                           'b%d' % i, day + datetime.timedelta(hours=1)))]
            answers = [f.result() for f in futures]
            if sorted(a[0] for a in answers) != [201, 409]:
                bad.append((i, answers))
            slowest.append(max(a[1] for a in answers))
    with deployment.db.engine.begin() as conn:
        overlaps = conn.execute(sa.text(
            'SELECT COUNT(*) FROM host_allocations a JOIN host_allocations b '
            'ON a.host_id = b.host_id AND a.id < b.id AND a.start_date < '
            'b.end_date AND b.start_date < a.end_date')).scalar()
        conn.execute(sa.text('UPDATE hosts SET reservable = 1'))
    return slowest, bad, overlaps


def grant_hosts(engine):
    """Two hosts of 4 vCPU, two zones: room for two m1.small each."""
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO hosts (id, hypervisor_hostname, service_name, vcpus,"
            " memory_mb, local_gb, reservable, generation, availability_zone,"
            " capacity_vcpus, capacity_memory_mb, capacity_disk_gb, "
            "created_at) VALUES (:id, :n, :n, 4, 8192, 100, 1, 0, :z, 4, "
            "8192, 100, :now)"),
            [{'id': i, 'n': 'grant%d' % i, 'z': 'az%d' % i,
              'now': datetime.datetime.utcnow()} for i in (1, 2)])


def delete_until_gone(url, lease_id, timeout=60):
    """A lease still STARTING answers 409, as Blazar's does: ask again."""
    deadline = time.monotonic() + timeout
    while True:
        resp = requests.delete(url + '/v1/leases/%s' % lease_id,
                               headers=HEADERS, timeout=120)
        if resp.status_code in (204, 404):
            return
        if resp.status_code != 409 or time.monotonic() > deadline:
            raise SystemExit('lease %s could not be deleted: %s %s'
                             % (lease_id, resp.status_code, resp.text))
        time.sleep(0.2)


def grant_rounds(deployment, urls, rounds):
    """A grant and a lease for the last host, simultaneously, through the
    two APIs; returns the rounds that broke the ledger."""
    # Leases from now on, as the grants hold capacity from now on (there
    # is no Nova: their starts fail and are logged, the hosts stay held).
    now = datetime.datetime.utcnow()
    held = post(urls[0], dict(body('held', now, hours=24), start_date='now'))
    if held[0] != 201:
        raise SystemExit('could not hold the first host: %s' % (held,))
    barrier = threading.Barrier(2)
    bad = []

    def grant(i):
        barrier.wait()
        return requests.post(urls[0] + '/grant/v1/grants', json=shapes.
                             tacker_request('INSTANTIATE', 'vnf-%d' % i,
                                            [('VDU1', 1)]),
                             headers=dict(HEADERS, **GRANT), timeout=120)

    def lease(i):
        barrier.wait()
        return requests.post(urls[-1] + '/v1/leases',
                             json=dict(body('race-%d' % i, now, hours=1),
                                       start_date='now'),
                             headers=HEADERS, timeout=120)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for i in range(rounds):
            g, le = pool.submit(grant, i), pool.submit(lease, i)
            g, le = g.result(), le.result()
            codes = sorted([g.status_code, le.status_code])
            with deployment.db.engine.connect() as conn:
                holds = {r[0] for r in conn.execute(sa.text(
                    'SELECT host_id FROM grant_holds'))}
                leased = [r[0] for r in conn.execute(sa.text(
                    'SELECT host_id FROM host_allocations'))]
            if codes not in ([201, 403], [201, 409]) or holds & set(
                    leased) or len(leased) != len(set(leased)):
                bad.append((i, codes, holds, leased))
            if g.status_code == 201:
                requests.post(urls[0] + '/grant/v1/grants', json=shapes.
                              tacker_request('TERMINATE', 'vnf-%d' % i,
                                             remove=[('VDU1', 'x')]),
                              headers=dict(HEADERS, **GRANT), timeout=120)
            if le.status_code == 201:
                delete_until_gone(urls[-1], le.json()['lease']['id'])
    return bad


def sustained(urls, seconds, clients):
    stop = time.monotonic() + seconds
    latencies, errors = [], []
    counter = iter(range(10 ** 9))
    lock = threading.Lock()

    def client(k):
        url = urls[k % len(urls)]
        while time.monotonic() < stop:
            with lock:
                n = next(counter)
            # A window of its own on one of the hosts: no create waits
            # for another's host.
            start = T0 + datetime.timedelta(days=2000 + n // HOSTS)
            status, took = post(url, body('s%d' % n, start, hours=1))
            (latencies if status == 201 else errors).append(
                took if status == 201 else status)
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,))
               for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.monotonic() - started), latencies, errors


def ms(values, q):
    if not values:
        return '-'
    values = sorted(values)
    return '%.1f' % (1000 * values[min(len(values) - 1,
                                       int(q * len(values)))])


def measure(name, fixture, urls_of, args):
    fixture.setUp()
    try:
        add_hosts(fixture.db.engine, HOSTS)
        urls = urls_of(fixture)
        slowest, bad, overlaps = contested(fixture, urls, args.rounds)
        rate, latencies, errors = sustained(urls, args.seconds, args.clients)
    finally:
        fixture.cleanUp()
    if bad or overlaps:
        raise SystemExit('%s: %d rounds were not one 201 and one 409 (%s), '
                         '%d overlapping allocations'
                         % (name, len(bad), bad[:3], overlaps))
    return {'name': name, 'rounds': args.rounds, 'p50': ms(slowest, 0.5),
            'p95': ms(slowest, 0.95), 'rate': rate,
            'rate_p50': ms(latencies, 0.5), 'errors': len(errors)}


def measure_grants(name, fixture, urls_of, rounds):
    fixture.setUp()
    try:
        grant_hosts(fixture.db.engine)
        bad = grant_rounds(fixture, urls_of(fixture), rounds)
    finally:
        fixture.cleanUp()
    if bad:
        raise SystemExit('%s: %d grant rounds broke the ledger: %s'
                         % (name, len(bad), bad[:3]))
    return rounds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=1000)
    parser.add_argument('--grant-rounds', type=int, default=1000)
    parser.add_argument('--seconds', type=int, default=30)
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--only', default='single,galera-spread,'
                        'galera-haproxy')
    args = parser.parse_args()
    wanted = args.only.split(',')
    rows = []
    layouts = [('single', lambda: ff.Deployment('mysql', managers=2,
                                                **OVERRIDES),
                lambda d: [d.url])]
    for layout in ('spread', 'haproxy'):
        layouts.append(('galera-' + layout,
                        functools.partial(cluster_base.ClusterDeployment,
                                          layout, **OVERRIDES),
                        lambda d: d.urls))
    for name, make, urls_of in layouts:
        if name not in wanted:
            continue
        row = measure(name, make(), urls_of, args)
        row['grants'] = (measure_grants(name, make(), urls_of,
                                        args.grant_rounds)
                         if args.grant_rounds else 0)
        rows.append(row)
    load = os.getloadavg()[0]
    print('\n| deployment | contested rounds (201+409, no overlap) | '
          'grant/lease rounds (one 201) | contested p50 ms | p95 ms | '
          'creates/s (%d clients) | create p50 ms under load | errors |'
          % args.clients)
    print('|---|---|---|---|---|---|---|---|')
    for r in rows:
        print('| %s | %d of %d | %d of %d | %s | %s | %.1f | %s | %d |' % (
            r['name'], r['rounds'], r['rounds'], r['grants'], r['grants'],
            r['p50'], r['p95'], r['rate'], r['rate_p50'], r['errors']))
    print('\n%s, %d cores, 1-minute load at the end %.2f' % (
        datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC'),
        os.cpu_count(), load))
    return 0


if __name__ == '__main__':
    sys.exit(main())
