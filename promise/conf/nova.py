"""Service credentials Promise uses to act on Nova, Placement and Neutron
([neutron] only picks the Neutron endpoint)."""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'nova'

opts = [
    cfg.StrOpt('aggregate_freepool_name', default='freepool',
               help='Nova aggregate that holds hosts registered with '
                    'Promise while no reservation uses them.'),
    cfg.StrOpt('region_name', help='Region of the Nova endpoint to use.'),
    cfg.StrOpt('endpoint_type', default='public',
               choices=['public', 'internal', 'admin'],
               help='Catalog interface used to reach Nova and Placement.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)


def list_opts():
    return {GROUP: (opts + ks_loading.get_session_conf_options() +
                    ks_loading.get_auth_common_conf_options() +
                    ks_loading.get_auth_plugin_conf_options('password'))}
