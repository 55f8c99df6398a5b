"""Operator inputs of the ONAP cloud-agnostic placement cost (net value).

The weights must sum to 1: ``check`` refuses a configuration where they do
not, and the services call it when they parse their configuration.
"""

from oslo_config import cfg

GROUP = 'net_value'
TOLERANCE = 1e-6

opts = [
    cfg.FloatOpt('wcpu', default=0.5, min=0, max=1,
                 help='Weight of normalized vCPU in net_value_capacity. '
                      'wcpu + wmem + wdisk must be 1.'),
    cfg.FloatOpt('wmem', default=0.3, min=0, max=1,
                 help='Weight of normalized memory in net_value_capacity.'),
    cfg.FloatOpt('wdisk', default=0.2, min=0, max=1,
                 help='Weight of normalized disk in net_value_capacity.'),
    cfg.DictOpt('flavor_costs', default={},
                help='Cost of one instance per flavor name, e.g. '
                     'm1.small:1,m1.large:4.'),
    cfg.DictOpt('flavor_shapes', default={},
                help='Size of each flavor named in requests, as '
                     'name:vcpus/memory_mb/disk_gb, e.g. '
                     'm1.small:1/2048/20. An instance type given by size '
                     'costs what the flavor of that size costs.'),
    cfg.DictOpt('intent_costs', default={},
                help='Cost per intent, e.g. ha:2,burstable:0.5. A request '
                     'naming an intent without a cost is refused.'),
    cfg.FloatOpt('burstable_oversubscription', default=0.25, min=0,
                 help='The burstable intent turns an instance type into '
                      'min = its size and max = size * (1 + this) for '
                      'vCPU and memory.'),
]


class InvalidConfig(ValueError):
    pass


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}


def _number(group, option, key, value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidConfig('[%s] %s: %s has cost %r, not a number.'
                            % (group, option, key, value))
    if number < 0:
        raise InvalidConfig('[%s] %s: %s has a negative cost.'
                            % (group, option, key))
    return number


def parse_shape(name, text):
    parts = str(text).split('/')
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3 or min(values) < 0 or not any(values):
        raise InvalidConfig(
            '[%s] flavor_shapes: %s is %r, not vcpus/memory_mb/disk_gb '
            'whole numbers.' % (GROUP, name, text))
    return tuple(values)


def check(conf):
    """Raise InvalidConfig, with a message naming the options, unless the
    [net_value] configuration is usable."""
    group = conf[GROUP]
    total = group.wcpu + group.wmem + group.wdisk
    if abs(total - 1) > TOLERANCE:
        raise InvalidConfig(
            '[%s] wcpu + wmem + wdisk must be 1, not %g (%g + %g + %g).'
            % (GROUP, total, group.wcpu, group.wmem, group.wdisk))
    for option in ('flavor_costs', 'intent_costs'):
        for key, value in group[option].items():
            _number(GROUP, option, key, value)
    for name, text in group.flavor_shapes.items():
        parse_shape(name, text)


def exit_if_invalid(conf, stream=None):
    """For the services' start: a clear message and exit status 2 rather
    than a service that answers with weights that do not add up."""
    import sys
    try:
        check(conf)
    except InvalidConfig as exc:
        (stream or sys.stderr).write(
            'promise: invalid configuration: %s\n' % exc)
        raise SystemExit(2)
