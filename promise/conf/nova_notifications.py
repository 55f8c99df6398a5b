"""[nova_notifications]: listening to Nova's versioned notifications."""

from oslo_config import cfg

GROUP = 'nova_notifications'

opts = [
    cfg.BoolOpt('enabled', default=True,
                help='Listen to Nova\'s versioned notifications (instance '
                     'create and delete, compute service changes) so that '
                     'usage and host health follow Nova within seconds. '
                     'The periodic passes ([manager] usage_interval and '
                     'health_interval) run either way as a backstop.'),
    cfg.StrOpt('transport_url', secret=True,
               help='Transport Nova sends its notifications on, usually '
                    'Nova\'s own transport_url (with its virtual host). '
                    'Unset: Promise\'s notification transport '
                    '([oslo_messaging_notifications] transport_url, then '
                    '[DEFAULT] transport_url).'),
    cfg.StrOpt('exchange', default='nova',
               help='Exchange Nova publishes on (Nova\'s '
                    'control_exchange).'),
    cfg.ListOpt('topics', default=['versioned_notifications'],
                help='Topics of Nova\'s versioned notifications (Nova\'s '
                     '[notifications] versioned_notifications_topics).'),
    cfg.StrOpt('pool', default='promise-manager',
               help='Listener pool shared by every promise-manager: each '
                    'notification is handled by one manager only, and the '
                    'queue is Promise\'s own, so other consumers of Nova\'s '
                    'notifications keep getting theirs.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='A compute service whose last heartbeat is older than '
                    'this many seconds when it is reported counts as down '
                    '(Nova\'s own service_down_time).'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
