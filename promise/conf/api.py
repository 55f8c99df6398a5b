from oslo_config import cfg

opts = [
    cfg.HostAddressOpt('host', default='127.0.0.1',
                       help='Address promise-api and promise-all listen on.'),
    cfg.PortOpt('port', default=1234,
                help='Port promise-api and promise-all listen on.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Largest page a list request may ask for with limit.'),
    cfg.IntOpt('default_limit', min=1,
               help='Page size of a lease list that gives no limit. Unset '
                    '(the default), such a list is whole, as Blazar\'s: '
                    'python-blazarclient and blazar-dashboard follow no '
                    'paging links, so a cut list would hide leases from '
                    'them. Paging with limit and marker works either '
                    'way.'),
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
