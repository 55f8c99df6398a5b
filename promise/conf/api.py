from oslo_config import cfg

opts = [
    cfg.HostAddressOpt('host', default='127.0.0.1',
                       help='Address promise-api and promise-all listen on.'),
    cfg.PortOpt('port', default=1234,
                help='Port promise-api and promise-all listen on.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Largest page a list request may ask for.'),
    cfg.IntOpt('default_limit', default=1000, min=1,
               help='Page size used when a list request gives no limit.'),
    cfg.IntOpt('rpc_timeout', default=30, min=1,
               help='Seconds the API waits for promise-manager to answer a '
                    'change before giving up with 503. The manager drops a '
                    'request that arrives after this deadline, so a 503 '
                    'never turns into a late write.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='api')


def list_opts():
    return {'api': opts}
