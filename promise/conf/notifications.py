"""[notifications]: the bus publisher, webhook subscriptions and their
delivery outbox."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('publisher_id', default='blazar.lease',
               help='Publisher id of the notifications Promise sends on '
                    'the message bus ([oslo_messaging_notifications]). '
                    'The default is Blazar\'s, so that consumers written '
                    'for Blazar (billing, Ceilometer) take them unchanged.'),
    cfg.IntOpt('delivery_interval', default=2, min=1,
               help='Seconds between two scans of the outbox for webhook '
                    'deliveries that are due (a manager also looks at once '
                    'when it records new ones).'),
    cfg.IntOpt('delivery_workers', default=4, min=1,
               help='Webhooks one promise-manager sends at the same time.'),
    cfg.IntOpt('delivery_workers_per_project', default=2, min=1,
               help='Webhooks of one project (the subscription\'s) that '
                    'one promise-manager sends at the same time, so that '
                    'slow receivers of one project cannot take every '
                    'sender; its further due deliveries wait for a free '
                    'one of its own.'),
    cfg.IntOpt('delivery_claim_timeout', default=60, min=5,
               help='Seconds a manager holds a delivery it is sending; '
                    'a claim of a manager that died is taken over after '
                    'it expires. Always at least three times '
                    'webhook_timeout.'),
    cfg.FloatOpt('webhook_timeout', default=10, min=0.1,
                 help='Seconds one delivery attempt may take in total: '
                      'resolving, connecting, sending and reading the '
                      'whole answer. An attempt cut at this time failed '
                      'and is retried later like any other failure.'),
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
    cfg.ListOpt('webhook_denied_networks', default=[],
                help='Networks (CIDRs) webhooks are never sent to, besides '
                     'the addresses that are not global (loopback, "this '
                     'host", private, shared, link-local, unique-local, '
                     'multicast, documentation and reserved ranges of both '
                     'families, and IPv6 addresses embedding such an IPv4 '
                     'one), which are always refused unless '
                     'webhook_allowed_networks opens them. A URL whose '
                     'host is or resolves to such an address is refused '
                     'by the API and again at each send. Wins over '
                     'webhook_allowed_networks.'),
    cfg.ListOpt('webhook_allowed_networks', default=[],
                help='Networks (CIDRs) of addresses that are not global '
                     'that webhooks may still be sent to, e.g. an '
                     'internal receiver. Keep them narrow; /0 is ignored '
                     'and 0.0.0.0 and :: are never allowed.'),
    cfg.ListOpt('secret_encryption_keys', default=[], secret=True,
                help='Fernet keys (cryptography.fernet.Fernet.'
                     'generate_key()) webhook secrets are stored '
                     'encrypted with: the first encrypts, any decrypts '
                     '(put a new key first to rotate, keep the old ones '
                     'while rows use them). The same list on every '
                     'promise-manager. Unset: secrets are stored '
                     'unencrypted and the manager warns at start.'),
    cfg.IntOpt('retention_days', default=7, min=0,
               help='Days delivered and failed deliveries are kept '
                    '(0: for good).'),
]


def register_opts(conf):
    conf.register_opts(opts, group='notifications')


def list_opts():
    return {'notifications': opts}
