"""The ONAP Multicloud region Promise answers for."""

from oslo_config import cfg

GROUP = 'multicloud'

opts = [
    cfg.StrOpt('cloud_owner',
               help='ONAP cloud owner of the region Promise serves. '
                    'Unset: the Multicloud endpoints answer 503.'),
    cfg.StrOpt('cloud_region_id',
               help='ONAP cloud region id of the region Promise serves; '
                    'the v0 VIM id is <cloud_owner>_<cloud_region_id>.'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone name reported for hosts that have '
                    'none.'),
    cfg.IntOpt('max_window_days', default=366, min=1,
               help='Longest start_date/end_date window a capacity check '
                    'or net value request may ask about.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
