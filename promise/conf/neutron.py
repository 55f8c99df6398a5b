"""[neutron]: where Promise reaches Neutron (floating IP reservations).
Promise acts on Neutron with the service credentials of [nova]."""

from oslo_config import cfg

GROUP = 'neutron'

opts = [
    cfg.StrOpt('region_name',
               help='Region of the Neutron endpoint to use (default: '
                    '[nova] region_name).'),
    cfg.StrOpt('endpoint_type', default='public',
               choices=['public', 'internal', 'admin'],
               help='Catalog interface used to reach Neutron.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
