# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Nova: nova.conf, the scheduler filters (nova-filters.conf), one small
config and state dir per fake compute, the processes (nova-api under
gunicorn, conductor, scheduler, computes) and the database set-up (API
database, cell0, cell1)."""

import os
import time
import uuid

from minicloud import confgen
from minicloud import procs
from minicloud import settings
from minicloud.settings import etc
from minicloud import util

# Filters Nova must run with (conductor too: it checks the server-group ones).
NOVA_FILTERS = [
    'ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
    'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter',
    'AggregateInstanceExtraSpecsFilter', 'SameHostFilter',
    'DifferentHostFilter',
]

NOVA_CONF = ('nova', 'nova.conf')
FILTERS_CONF = ('nova', 'nova-filters.conf')


def default_filter_sections():
    return [('filter_scheduler', [
        ('available_filters', 'nova.scheduler.filters.all_filters'),
        ('enabled_filters', ','.join(NOVA_FILTERS))])]


def compute_names(cloud):
    return ['compute%d' % i for i in range(1, cloud['computes'] + 1)]


def config_files(ctx, filter_sections):
    """nova.conf, nova-filters.conf (filter_sections) and computeN.conf."""
    nova_data = settings.data('nova')
    svc_auth = confgen.auth_items('nova', ctx.password, uri=False)
    client_auth = svc_auth + [('region_name', settings.REGION)]
    unlimited = [(k, '-1') for k in (
        'instances', 'cores', 'ram', 'metadata_items', 'key_pairs',
        'server_groups', 'server_group_members')]
    files = {'nova/nova.conf': [
        ('DEFAULT', confgen.common(
            ('transport_url', ctx.transport),
            ('compute_driver', 'fake.FakeDriver'),
            ('host', 'minicloud-controller'),
            ('my_ip', settings.HOST),
            ('state_path', nova_data),
            ('graceful_shutdown_timeout', '5'),
            ('osapi_compute_listen', settings.HOST),
            ('metadata_listen', settings.HOST),
        )),
        ('api', [('auth_strategy', 'keystone')]),
        ('api_database', [('connection', ctx.db_url('nova_api'))]),
        ('database', [('connection', ctx.db_url('nova'))]),
        ('keystone_authtoken', confgen.auth_items('nova', ctx.password)),
        ('service_user', [('send_service_user_token', 'true')] + svc_auth),
        ('placement', client_auth),
        ('neutron', list(client_auth)),
        ('glance', [('region_name', settings.REGION)]),
        ('cinder', [('os_region_name', settings.REGION)]),
        ('oslo_concurrency', [('lock_path',
                               os.path.join(nova_data, 'lock'))]),
        ('conductor', [('workers', '1')]),
        ('scheduler', [('workers', '1'),
                       ('discover_hosts_in_cells_interval', '-1')]),
        ('quota', unlimited),
        ('vnc', [('enabled', 'false')]),
        ('wsgi', [('api_paste_config', etc('nova', 'api-paste.ini'))]),
        # Versioned notifications on Nova's transport: Promise's managers
        # listen to them ([nova_notifications] in promise.conf).
        ('oslo_messaging_notifications', [('driver', 'messagingv2')]),
        ('notifications', [('notification_format', 'versioned')]),
    ]}
    # Only nova-scheduler and nova-conductor read this one, so changing the
    # filters (Promise's) restarts just those two.
    files['nova/nova-filters.conf'] = filter_sections
    for host in compute_names(ctx.cloud):
        files['nova/%s.conf' % host] = [('DEFAULT', [
            ('host', host),
            ('state_path', os.path.join(nova_data, host)),
            ('compute_driver', 'minicloud_fake.PinnedFakeDriver'),
        ])]
    return files


def fake_node_uuid(nodename):
    # Must match minicloud.d/minicloud_fake.py.
    ns = uuid.UUID('7c1a0c5e-4d53-4d0e-9d55-2b0f0c6a9d11')
    return str(uuid.uuid5(ns, 'promise-minicloud:%s' % nodename))


def make_compute_dirs(cloud):
    for host in compute_names(cloud):
        path = settings.data('nova', host)
        os.makedirs(path, exist_ok=True)
        # Nova refuses to restart a compute without its identity file; the
        # fake driver reports the same uuid.
        if not os.path.exists(os.path.join(path, 'compute_id')):
            util.write_file(os.path.join(path, 'compute_id'),
                            fake_node_uuid(host))


def api_service():
    return {'nova-api': confgen.api_spec(
        'nova_api', 'nova-api', '/',
        {'OS_NOVA_CONFIG_DIR': etc('nova')}, [etc(*NOVA_CONF)])}


def backend_services(cloud):
    """nova-conductor, nova-scheduler and nova-compute-N."""
    nova_conf, filters_conf = etc(*NOVA_CONF), etc(*FILTERS_CONF)
    table = {}
    for binary in ('nova-conductor', 'nova-scheduler'):
        table[binary] = dict(argv=[settings.vbin(binary),
                                   '--config-file', nova_conf,
                                   '--config-file', filters_conf],
                             env={}, configs=[nova_conf, filters_conf])
    for i, host in enumerate(compute_names(cloud), 1):
        conf = etc('nova', '%s.conf' % host)
        table['nova-compute-%d' % i] = dict(
            argv=[settings.vbin('python'),
                  os.path.join(settings.PYDIR, 'nova_compute_pinned.py'),
                  '--config-file', nova_conf, '--config-file', conf],
            env={}, configs=[nova_conf, conf])
    return table


def setup(ctx):
    log = settings.log_of('nova-setup')
    manage = [settings.vbin('nova-manage'), '--config-file', etc(*NOVA_CONF)]

    def nova_manage(*args):
        procs.run_logged('nova', manage + list(args), log)

    def run():
        t = time.monotonic()
        nova_manage('api_db', 'sync')
        nova_manage('cell_v2', 'map_cell0',
                    '--database_connection', ctx.db_url('nova_cell0'))
        util.once('nova-cell1', lambda: nova_manage(
            'cell_v2', 'create_cell', '--name', 'cell1'))
        nova_manage('db', 'sync')
        util.say('nova databases ready (%.1fs)' % (time.monotonic() - t))
    util.once('nova-setup', run)
