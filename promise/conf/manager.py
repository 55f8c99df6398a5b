from oslo_config import cfg

opts = [
    cfg.StrOpt('topic', default='promise.manager',
               help='RPC topic promise-manager listens on.'),
    cfg.IntOpt('event_interval', default=10, min=1,
               help='Seconds between two scans for due lease events.'),
    cfg.IntOpt('event_claim_timeout', default=600, min=30,
               help='Seconds after which an event claimed by a manager that '
                    'died is taken over by another manager.'),
    cfg.IntOpt('minutes_before_end_lease', default=60, min=0,
               help='Minutes before a lease ends at which its '
                    'before_end_lease event runs when the lease sets no '
                    'before_end_date.'),
    cfg.IntOpt('usage_interval', default=60, min=0,
               help='Seconds between two reconciliations of what Nova runs '
                    'inside active reservations (0 disables).'),
    cfg.IntOpt('capacity_interval', default=600, min=0,
               help='Seconds between two refreshes of every host\'s '
                    'capacity and ordinary usage from Placement (0 '
                    'disables; registering a host refreshes it at once).'),
    cfg.IntOpt('preemption_grace', default=300, min=0,
               help='Seconds before a host reservation starts at which '
                    'preemptible instances on its hosts are deleted (flavor '
                    'extra spec promise:preemptible=true). Checked on the '
                    'usage pass.'),
    cfg.IntOpt('health_interval', default=30, min=0,
               help='Seconds between two checks of the compute services '
                    'of registered hosts in Nova, and of the registered '
                    'floating IPs in Neutron (0 disables). A host whose '
                    'service is down or disabled, or an address Neutron '
                    'holds for something else, stops being reservable and '
                    'its reservations are re-homed or flagged.'),
    cfg.IntOpt('search_horizon_days', default=30, min=1,
               help='How far after the requested start Promise looks for '
                    'alternative windows when a lease does not fit.'),
    cfg.FloatOpt('offer_search_seconds', default=5.0, min=0.1,
                 help='How long the search for alternative windows may take '
                      'before answering with what it found, for leases '
                      'with a reservation type that must book each window '
                      'on trial (virtual:instance, floating IPs); '
                      'physical:host windows are found in one pass. Keep it '
                      'well below [api] rpc_timeout.'),
    cfg.IntOpt('max_alternatives', default=3, min=0,
               help='How many alternative windows an infeasible request '
                    'is offered.'),
    cfg.ListOpt('plugins',
                default=['physical:host', 'virtual:instance',
                         'flavor:instance', 'virtual:floatingip'],
                help='Resource plugins to load (names of entry points in '
                     'the promise.resource.plugins namespace, such as '
                     'physical:host).'),
]


def register_opts(conf):
    conf.register_opts(opts, group='manager')


def list_opts():
    return {'manager': opts}
