"""tools/cluster's commands."""

import argparse
import json
import os
import shutil
import sys

from promise_cluster import common
from promise_cluster import galera
from promise_cluster import haproxy
from promise_cluster import rabbit

PARTS = {'galera': galera, 'rabbit': rabbit}


def describe():
    """Everything a client needs, as tools/cluster env prints it."""
    return {
        'PROMISE_CLUSTER_DB_HAPROXY': haproxy.url(),
        'PROMISE_CLUSTER_DB_NODES': ' '.join(galera.url(n)
                                             for n in common.NODES),
        'PROMISE_CLUSTER_TRANSPORT_URL': rabbit.transport_url(),
        'PROMISE_CLUSTER_KOMBU_URLS': ' '.join(rabbit.kombu_url(n)
                                               for n in common.NODES),
        'PROMISE_CLUSTER_STATE': common.state_dir(),
    }


def status():
    whole = True
    lines = []
    for n in common.NODES:
        st = galera.status(n)
        ok = (galera.running(n) and st.get('wsrep_local_state_comment')
              == 'Synced' and st.get('wsrep_cluster_size') == '3')
        whole &= bool(ok)
        lines.append('galera%d  %s  state=%s cluster_size=%s port=%d' % (
            n, 'up' if galera.running(n) else 'down',
            st.get('wsrep_local_state_comment', '-'),
            st.get('wsrep_cluster_size', '-'), common.ports(n)['sql']))
    members = rabbit.running_nodes(1) if rabbit.running(1) else []
    for n in common.NODES:
        up = rabbit.running(n)
        whole &= up and rabbit.node_name(n) in members
        lines.append('rabbit%d  %s  %s port=%d' % (
            n, 'up' if up else 'down', rabbit.node_name(n),
            common.ports(n)['amqp']))
    whole &= haproxy.running()
    lines.append('haproxy  %s  port=%d' % (
        'up' if haproxy.running() else 'down', common.haproxy_port()))
    return whole, lines


def main(argv=None):
    parser = argparse.ArgumentParser(prog='tools/cluster')
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('up')
    sub.add_parser('down')
    sub.add_parser('status')
    env = sub.add_parser('env')
    env.add_argument('--json', action='store_true')
    for name in ('kill', 'start'):
        p = sub.add_parser(name)
        p.add_argument('part', choices=sorted(PARTS))
        p.add_argument('node', type=int, choices=common.NODES)
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except common.ClusterError as e:
        print('ERROR: %s' % e, file=sys.stderr)
        return 1


def _run(args):
    if args.command == 'up':
        os.makedirs(common.state_dir(), exist_ok=True)
        galera.up()
        rabbit.up()
        haproxy.up()
        whole, lines = status()
        print('\n'.join(lines))
        return 0 if whole else 1
    if args.command == 'down':
        haproxy.down()
        rabbit.down()
        galera.down()
        shutil.rmtree(common.state_dir(), True)
        return 0
    if args.command == 'status':
        whole, lines = status()
        print('\n'.join(lines))
        print('cluster is whole' if whole else 'cluster is NOT whole')
        return 0 if whole else 1
    if args.command == 'env':
        values = describe()
        if args.json:
            print(json.dumps(values, indent=1))
        else:
            for key, value in values.items():
                print("export %s='%s'" % (key, value))
        return 0
    part = PARTS[args.part]
    if args.command == 'kill':
        part.kill(args.node)
    else:
        part.start(args.node)
    return 0
