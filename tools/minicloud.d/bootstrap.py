# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Cloud-side set-up steps of tools/minicloud; runs inside the cloud venv.

    bootstrap.py --state DIR identity          service users, catalog, demo
    bootstrap.py --state DIR identity-promise --promise-port N
    bootstrap.py --state DIR resources         image tiny, m1.tiny, net1
    bootstrap.py --state DIR wait-computes --computes N

Every step is idempotent (find before create).  One process and one
keystoneauth session do what would take dozens of slow CLI calls.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from keystoneclient.v3 import client as ks_client
import openstack

HOST = '127.0.0.1'
REGION = 'RegionOne'
KEYSTONE = None  # set from cloud.json's ports in main()


def services(ports):
    # (user, service name, type, url, description)
    return [
        ('placement', 'placement', 'placement',
         'http://%s:%d' % (HOST, ports['placement']), 'Placement API'),
        ('glance', 'glance', 'image',
         'http://%s:%d' % (HOST, ports['glance']), 'Image service'),
        ('nova', 'nova', 'compute',
         'http://%s:%d/v2.1' % (HOST, ports['nova-api']), 'Compute service'),
        ('neutron', 'neutron', 'network',
         'http://%s:%d' % (HOST, ports['neutron']), 'Networking service'),
    ]


def log(msg):
    print('[bootstrap %s] %s' % (time.strftime('%T'), msg), flush=True)


def load(state):
    with open(os.path.join(state, 'secrets.json')) as f:
        secrets = json.load(f)
    with open(os.path.join(state, 'cloud.json')) as f:
        cloud = json.load(f)
    return secrets, cloud


def admin_session(secrets):
    auth = v3.Password(auth_url=KEYSTONE, username='admin',
                       password=secrets['admin'], project_name='admin',
                       user_domain_name='Default',
                       project_domain_name='Default')
    return ks_session.Session(auth=auth)


def find(manager, name, **kw):
    for obj in manager.list(**kw):
        if obj.name == name:
            return obj
    return None


def ensure_project(ks, name, description):
    p = find(ks.projects, name, domain='default')
    if p is None:
        p = ks.projects.create(name=name, domain='default',
                               description=description)
        log('project %s created' % name)
    return p


def ensure_user(ks, name, password, project):
    u = find(ks.users, name, domain='default')
    if u is None:
        u = ks.users.create(name=name, domain='default', password=password,
                            default_project=project)
        log('user %s created' % name)
    else:
        ks.users.update(u, password=password)
    return u


def ensure_role(ks, name):
    r = find(ks.roles, name)
    if r is None:
        r = ks.roles.create(name=name)
    return r


def ensure_service(ks, name, stype, url, description):
    svc = None
    for s in ks.services.list(type=stype):
        if s.name == name:
            svc = s
    if svc is None:
        svc = ks.services.create(name=name, type=stype,
                                 description=description)
        log('service %s (%s) created' % (name, stype))
    have = {e.interface for e in ks.endpoints.list(service=svc,
                                                   region=REGION)}
    for iface in ('public', 'internal', 'admin'):
        if iface not in have:
            ks.endpoints.create(service=svc, url=url, interface=iface,
                                region=REGION)
    return svc


def identity(args, secrets, cloud, services):
    ks = ks_client.Client(session=admin_session(secrets),
                          interface='public')
    admin_role = ensure_role(ks, 'admin')
    member_role = ensure_role(ks, 'member')
    # keystonemiddleware requires a 'service' role on service tokens
    # (service_token_roles_required defaults to True).
    service_role = ensure_role(ks, 'service')
    service_project = ensure_project(ks, 'service', 'Service accounts')
    for user, name, stype, url, desc in services:
        u = ensure_user(ks, user, secrets['service'], service_project)
        ks.roles.grant(admin_role, user=u, project=service_project)
        ks.roles.grant(service_role, user=u, project=service_project)
        ensure_service(ks, name, stype, url, desc)
    if args.step == 'identity-promise':
        # oslo.limit reads Keystone's limits with a system-scoped token
        # (as devstack/plugin.sh grants it).
        reader = ensure_role(ks, 'reader')
        ks.roles.grant(reader, user=find(ks.users, 'promise',
                                         domain='default'), system='all')
    if args.step == 'identity':
        demo = ensure_project(ks, 'demo', 'Demo project')
        demo_user = ensure_user(ks, 'demo', secrets['demo'], demo)
        ks.roles.grant(member_role, user=demo_user, project=demo)
    log('identity done')


def resources(args, secrets, cloud):
    conn = openstack.connection.Connection(
        session=admin_session(secrets), region_name=REGION,
        interface='public', identity_interface='public')
    # Image: 1 MiB of zeros; the fake driver never reads it.
    if conn.image.find_image('tiny') is None:
        with tempfile.NamedTemporaryFile(suffix='.img') as f:
            f.write(b'\0' * (1 << 20))
            f.flush()
            conn.image.create_image(
                name='tiny', filename=f.name, disk_format='raw',
                container_format='bare', visibility='public',
                allow_duplicates=False)
        log('image tiny uploaded')
    if conn.compute.find_flavor('m1.tiny') is None:
        conn.compute.create_flavor(name='m1.tiny', ram=512, vcpus=1, disk=1,
                                   is_public=True)
        log('flavor m1.tiny created')
    # Warm-up: some neutron releases answer 500 on the first ports call
    # until a networks call has happened in the worker.
    list(conn.network.networks())
    net = conn.network.find_network('net1')
    if net is None:
        net = conn.network.create_network(
            name='net1', shared=True, provider_network_type='flat',
            provider_physical_network='physnet1')
        log('network net1 created')
    if not list(conn.network.subnets(network_id=net.id)):
        conn.network.create_subnet(
            name='subnet1', network_id=net.id, ip_version=4,
            cidr='10.99.0.0/24', gateway_ip='10.99.0.1', is_dhcp_enabled=False)
        log('subnet1 created')
    # An external network for floating IPs. Neutron hands out .2-.99
    # itself; .100 and up are what an operator registers with Promise as
    # reservable addresses.
    public = conn.network.find_network('public')
    if public is None:
        public = conn.network.create_network(
            name='public', is_router_external=True,
            provider_network_type='flat',
            provider_physical_network='physnet2')
        log('network public created')
    if not list(conn.network.subnets(network_id=public.id)):
        conn.network.create_subnet(
            name='public-subnet', network_id=public.id, ip_version=4,
            cidr='172.24.4.0/24', gateway_ip='172.24.4.1',
            is_dhcp_enabled=False,
            allocation_pools=[{'start': '172.24.4.2',
                               'end': '172.24.4.99'}])
        log('public-subnet created')
    list(conn.network.ports())
    log('resources done')


def reported_since(svc, since):
    stamp = svc.updated_at or ''
    try:
        when = datetime.datetime.fromisoformat(stamp.replace('Z', ''))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp() >= since - 2


def wait_computes(args, secrets, cloud, state):
    conn = openstack.connection.Connection(
        session=admin_session(secrets), region_name=REGION,
        interface='public', identity_interface='public')
    want_hosts = {'compute%d' % i for i in range(1, args.computes + 1)}
    status_file = os.path.join(state, 'wait-computes.json')
    nova_conf = os.path.join(state, 'etc', 'nova', 'nova.conf')
    manage = os.path.join(os.path.dirname(sys.executable), 'nova-manage')
    deadline = time.monotonic() + args.timeout
    not_up = []
    started = set(filter(None, args.started.split(',')))
    while True:
        up = set()
        for svc in conn.compute.services():
            name = svc.binary
            if svc.binary == 'nova-compute' and svc.host.startswith('compute'):
                name = 'nova-compute-%s' % svc.host[len('compute'):]
            if name in started and not reported_since(svc, args.since):
                continue  # a stale heartbeat from before the (re)start
            if svc.state == 'up' and svc.status == 'enabled':
                if svc.binary == 'nova-compute':
                    up.add('nova-compute-%s' % svc.host[len('compute'):]
                           if svc.host.startswith('compute') else svc.host)
                else:
                    up.add(svc.binary)
        needed = ['nova-conductor', 'nova-scheduler'] + sorted(
            'nova-compute-%s' % h[len('compute'):] for h in want_hosts)
        not_up = [n for n in needed if n not in up]
        if not not_up:
            hyps = {h.name for h in conn.compute.hypervisors()}
            missing = want_hosts - hyps
            if not missing:
                break
            subprocess.run([manage, '--config-file', nova_conf, 'cell_v2',
                            'discover_hosts'], check=False)
            hyps = {h.name for h in conn.compute.hypervisors()}
            if not (want_hosts - hyps):
                break
            not_up = sorted('nova-compute-%s' % h[len('compute'):]
                            for h in want_hosts - hyps)
        if time.monotonic() > deadline:
            with open(status_file, 'w') as f:
                json.dump({'not_up': not_up}, f)
            log('not up after %ss: %s' % (args.timeout, ', '.join(not_up)))
            return 2
        time.sleep(1)
    log('nova services up, hypervisors mapped: %s' % ', '.join(
        sorted(want_hosts)))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--state', required=True)
    ap.add_argument('step', choices=('identity', 'identity-promise',
                                     'resources', 'wait-computes'))
    ap.add_argument('--promise-port', type=int, default=1234)
    ap.add_argument('--computes', type=int, default=3)
    ap.add_argument('--timeout', type=float, default=180)
    ap.add_argument('--since', type=float, default=0)
    ap.add_argument('--started', default='')
    args = ap.parse_args()
    secrets, cloud = load(args.state)
    global KEYSTONE
    KEYSTONE = 'http://%s:%d/v3' % (HOST, cloud['ports']['keystone'])
    if args.step == 'identity':
        identity(args, secrets, cloud, services(cloud['ports']))
    elif args.step == 'identity-promise':
        identity(args, secrets, cloud, [
            ('promise', 'promise', 'reservation',
             'http://%s:%d/v1' % (HOST, args.promise_port),
             'Promise resource reservation')])
    elif args.step == 'resources':
        resources(args, secrets, cloud)
    else:
        return wait_computes(args, secrets, cloud, args.state)
    return 0


if __name__ == '__main__':
    sys.exit(main())
