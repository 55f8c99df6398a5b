# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Neutron: ML2 with flat physnets and no agents (the minicloud_anyhost
mechanism driver binds every port), the L3 router plugin for floating IPs
(API objects only: no agent, no dataplane), its gunicorn process and its
schema migrations."""

from minicloud import confgen
from minicloud import procs
from minicloud import settings
from minicloud.settings import etc
from minicloud import util

CONFIGS = ('neutron.conf', 'ml2_conf.ini')


def config_files(ctx):
    unlimited = [(k, '-1') for k in (
        'quota_network', 'quota_subnet', 'quota_port',
        'quota_security_group', 'quota_security_group_rule')]
    return {
        'neutron/neutron.conf': [
            ('DEFAULT', confgen.common(
                ('core_plugin', 'ml2'),
                ('service_plugins', 'router'),
                ('auth_strategy', 'keystone'),
                ('transport_url', ctx.transport),
                ('bind_host', settings.HOST),
                ('api_paste_config', etc('neutron', 'api-paste.ini')),
                ('state_path', settings.data('neutron')),
                ('dhcp_agent_notification', 'false'),
                ('notify_nova_on_port_status_changes', 'false'),
                ('notify_nova_on_port_data_changes', 'false'),
            )),
            ('database', [('connection', ctx.db_url('neutron'))]),
            ('keystone_authtoken',
             confgen.auth_items('neutron', ctx.password)),
            ('nova', confgen.auth_items('nova', ctx.password, uri=False)
             + [('region_name', settings.REGION)]),
            ('oslo_concurrency', [('lock_path',
                                   settings.data('neutron', 'lock'))]),
            ('quotas', unlimited),
        ],
        'neutron/ml2_conf.ini': [
            ('ml2', [('type_drivers', 'flat'),
                     ('tenant_network_types', ''),
                     ('mechanism_drivers', 'minicloud_anyhost'),
                     ('extension_drivers', 'port_security')]),
            # physnet2 carries the external network (floating IPs).
            ('ml2_type_flat', [('flat_networks', 'physnet1,physnet2')]),
        ],
    }


def services():
    return {'neutron': confgen.api_spec(
        'neutron', 'neutron', '/',
        {'OS_NEUTRON_CONFIG_DIR': etc('neutron'),
         'OS_NEUTRON_CONFIG_FILES': ';'.join(CONFIGS)},
        [etc('neutron', f) for f in CONFIGS])}


def setup():
    def run():
        argv = [settings.vbin('neutron-db-manage')]
        for f in CONFIGS:
            argv += ['--config-file', etc('neutron', f)]
        procs.run_logged('neutron', argv + ['upgrade', 'head'],
                         settings.log_of('neutron-setup'))
        util.say('neutron database ready')
    util.once('neutron-setup', run)
