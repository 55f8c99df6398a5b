"""Options of the ETSI NFV-SOL003 grant endpoint (/grant/v1/grants); their
group is [nfv]."""

from oslo_config import cfg
from oslo_config import types

GROUP = 'nfv'

opts = [
    # "<vnfdId>:<VDU>" keys contain a colon, so pairs use "=".
    cfg.Opt('vdu_flavors', default={},
            type=types.Dict(key_value_separator='='),
            help='Nova flavor of each VDU, as <vnfdId>:<VDU>=<flavor> or '
                 '<VDU>=<flavor> pairs separated by commas (the first form '
                 'wins). A GrantRequest may instead name flavors in '
                 'additionalParams.flavours {VDU: flavor}. Sizes come '
                 'from [net_value] flavor_shapes, else from Nova.'),
    cfg.StrOpt('vim_connection_id', default='default',
               help='vimConnectionId answered in grants: the id under '
                    'which the VNFM knows this cloud.'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Zone answered for hosts that have none.'),
    cfg.IntOpt('grant_hold_seconds', default=1800, min=1,
               help='How long the compute capacity of an approved grant '
                    'stays held for the VNF unless the operation ends '
                    'sooner (a COMPLETED, FAILED or ROLLED_BACK LCM '
                    'notification, a TERMINATE or scale-in grant).'),
    cfg.IntOpt('grant_window_minutes', default=60, min=1,
               help='A grant drawn on unreserved capacity needs it free '
                    'from now for this long: reservations starting '
                    'sooner count against it.'),
    cfg.BoolOpt('grant_flavors', default=True,
                help='Answer each grant on unreserved capacity with private '
                     'copies of its flavors, tagged with the grant, and put '
                     'the granted hosts in an aggregate of the grant: '
                     'Promise\'s scheduler filter then lets those flavors, '
                     'and only them, onto those hosts, which are in the '
                     'free pool. Without it such grants cannot be booted '
                     'when the filter guards the free pool. Needs [nova] '
                     'credentials; without them grants answer the VDU '
                     'flavors as they are.'),
    cfg.IntOpt('hold_sweep_interval', default=60, min=1,
               help='Seconds between the manager passes that delete '
                    'expired holds. Expired holds count for nothing '
                    'even before they are deleted.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
