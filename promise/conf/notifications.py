"""[notifications]: webhook subscriptions and their delivery outbox."""

from oslo_config import cfg

opts = [
    cfg.IntOpt('delivery_interval', default=2, min=1,
               help='Seconds between two scans of the outbox for webhook '
                    'deliveries that are due (a manager also looks at once '
                    'when it records new ones).'),
    cfg.IntOpt('delivery_workers', default=4, min=1,
               help='Webhooks one promise-manager sends at the same time.'),
    cfg.IntOpt('delivery_claim_timeout', default=60, min=5,
               help='Seconds a manager holds a delivery it is sending; '
                    'a claim of a manager that died is taken over after '
                    'it expires. Always at least three times '
                    'webhook_timeout.'),
    cfg.FloatOpt('webhook_timeout', default=10, min=0.1,
                 help='Seconds to wait for a webhook receiver to accept a '
                      'connection, and then for each part of its answer.'),
    cfg.IntOpt('retry_initial_delay', default=10, min=1,
               help='Seconds before the first retry of a failed delivery; '
                    'each further retry waits twice as long.'),
    cfg.IntOpt('retry_max_delay', default=900, min=1,
               help='Longest wait between two attempts of a delivery.'),
    cfg.IntOpt('max_attempts', default=12, min=1,
               help='Attempts after which a delivery is marked failed.'),
    cfg.IntOpt('max_age', default=86400, min=1,
               help='Seconds after the event after which a delivery that '
                    'still fails is marked failed.'),
    cfg.IntOpt('threshold_interval', default=30, min=0,
               help='Seconds between two evaluations of capacity '
                    'thresholds besides the ones after each lease and '
                    'capacity change (planned downtimes begin without '
                    'one); 0 disables them.'),
    cfg.ListOpt('webhook_denied_networks',
                default=['127.0.0.0/8', '::1/128', '0.0.0.0/8',
                         '169.254.0.0/16', 'fe80::/10'],
                help='Networks webhooks are never sent to (CIDRs), so '
                     'that a subscription cannot make promise-manager '
                     'call services on its own host or a metadata '
                     'service. A URL whose host is or resolves to such an '
                     'address is refused by the API or fails at once.'),
    cfg.IntOpt('retention_days', default=7, min=0,
               help='Days delivered and failed deliveries are kept '
                    '(0: for good).'),
]


def register_opts(conf):
    conf.register_opts(opts, group='notifications')


def list_opts():
    return {'notifications': opts}
