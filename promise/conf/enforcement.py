"""[enforcement]: operator limits on leases, with Blazar's option names
(a blazar.conf [enforcement] section carries over)."""

from oslo_config import cfg

GROUP = 'enforcement'
FILTERS = ('MaxLeaseDurationFilter', 'ExternalServiceFilter')

opts = [
    cfg.ListOpt('enabled_filters', default=[],
                item_type=cfg.types.String(choices=FILTERS),
                help='Filters every lease create and update must pass '
                     '(and that are told when a lease ends), in order: '
                     'MaxLeaseDurationFilter, ExternalServiceFilter.'),
    cfg.IntOpt('max_lease_duration', default=-1, min=-1,
               help='MaxLeaseDurationFilter: the longest lease, in seconds '
                    '(-1: no limit).'),
    cfg.DictOpt('max_lease_duration_per_project', default={},
                help='MaxLeaseDurationFilter: <project id>:<seconds> pairs '
                     'that replace max_lease_duration for those projects '
                     '(-1: no limit).'),
    cfg.ListOpt('max_lease_duration_exempt_project_ids', default=[],
                help='MaxLeaseDurationFilter: projects it never refuses.'),
    cfg.StrOpt('external_service_endpoint',
               help='ExternalServiceFilter: base URL of the service; '
                    'Promise POSTs to <endpoint>/check-create, '
                    '/check-update and /on-end, as Blazar does.'),
    cfg.StrOpt('external_service_check_create',
               help='ExternalServiceFilter: absolute URL instead of '
                    '<endpoint>/check-create.'),
    cfg.StrOpt('external_service_check_update',
               help='ExternalServiceFilter: absolute URL instead of '
                    '<endpoint>/check-update.'),
    cfg.StrOpt('external_service_on_end',
               help='ExternalServiceFilter: absolute URL instead of '
                    '<endpoint>/on-end.'),
    cfg.StrOpt('external_service_token', default='', secret=True,
               help='ExternalServiceFilter: the X-Auth-Token to send. '
                    'Empty: a Keystone token of Promise\'s own service '
                    'user (the [nova] credentials).'),
    cfg.FloatOpt('external_service_timeout', default=10.0, min=0.1,
                 help='ExternalServiceFilter: seconds to wait for an '
                      'answer. The decision waits with its hosts locked, '
                      'so keep it short.'),
    cfg.BoolOpt('external_service_fail_open', default=False,
                help='ExternalServiceFilter: when the service cannot be '
                     'reached or answers something other than 204 or '
                     '403, accept the lease (true) or refuse it with 503 '
                     '(false, the default).'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
