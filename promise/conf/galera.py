"""[galera]: how Promise reads when its database is a MariaDB Galera
cluster (detected per connection; ignored on any other server)."""

from oslo_config import cfg

GROUP = 'galera'

opts = [
    cfg.IntOpt('sync_wait', default=1, min=0, max=15,
               help='wsrep_sync_wait for every connection to a Galera node. '
                    '1 (reads) makes a SELECT wait until the node has '
                    'applied every write set the cluster committed before '
                    'it, so that a decision taken on one node never starts '
                    'from a read another node\'s commit has not reached '
                    '(causal reads); the write conflicts themselves are '
                    'caught by certification and retried either way. 0 '
                    'turns it off (faster reads, possibly stale).'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
