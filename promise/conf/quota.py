"""[quota]: per-project limits from Keystone unified limits (oslo.limit,
configured in [oslo_limit] as in Nova and Glance)."""

from oslo_config import cfg
from oslo_limit import opts as limit_opts

GROUP = 'quota'

opts = [
    cfg.BoolOpt('enforce', default=False,
                help='Check every lease create and update against the '
                     'project\'s Keystone unified limits on what it holds at '
                     'once over the lease\'s window: leases, hosts, '
                     'instance_vcpus, instance_memory_mb, instance_disk_gb, '
                     'floatingips '
                     '(register a limit in Keystone for the service of '
                     '[oslo_limit] endpoint_id; resources without one are not '
                     'limited). Needs [oslo_limit] credentials.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)
    limit_opts.register_opts(conf)


def list_opts():
    return {GROUP: opts}
