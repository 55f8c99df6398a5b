"""ONAP net_value pricing: what an instance type costs and the shape the
capacity check counts, from the [net_value] options.

Invariant: pure functions of the request and the options they are given
(no database, no global configuration); anything the options cannot
price is an error, never a guess: InvalidInput when the request names
what has no cost, ServiceUnavailable when the options themselves are
broken.
"""

from promise.common import shapes
from promise.conf import net_value as net_value_conf
from promise.engine import net_value
from promise import exceptions


def weights(options):
    """The per-resource weights of the net value."""
    return {'vcpus': options.wcpu, 'memory_mb': options.wmem,
            'disk_gb': options.wdisk}


def _cost(options, table, key, what):
    value = options[table].get(key)
    if value is None:
        raise exceptions.InvalidInput(
            reason='No cost is configured for %s %s ([net_value] %s).'
                   % (what, key, table))
    try:
        return float(value)
    except ValueError:
        raise exceptions.ServiceUnavailable(
            reason='[net_value] %s: %s is not a number.' % (table, key))


def _shapes(options):
    try:
        return {name: shapes.Shape(*net_value_conf.parse_shape(name, text))
                for name, text in options.flavor_shapes.items()}
    except net_value_conf.InvalidConfig as exc:
        raise exceptions.ServiceUnavailable(reason=str(exc))


def _flavor_of(kind, sizes, options):
    """(flavor name, its shape) of a named flavor or a size."""
    if 'flavor' in kind:
        flavor = kind['flavor']
        if flavor not in sizes:
            raise exceptions.InvalidInput(
                reason='Flavor %s has no size in [net_value] '
                       'flavor_shapes.' % flavor)
        return flavor, sizes[flavor]
    shape = shapes.Shape(kind['vcpus'], kind['memory_mb'], kind['disk_gb'])
    if not any(shape):
        raise exceptions.InvalidInput(
            reason='An instance type needs a size above 0.')
    named = sorted(n for n, s in sizes.items() if s == shape)
    priced = [n for n in named if n in options.flavor_costs]
    if not priced:
        raise exceptions.InvalidInput(
            reason='No flavor of %d vCPU, %d MB, %d GB has a cost in '
                   '[net_value] flavor_shapes and flavor_costs.' % shape)
    if len({options.flavor_costs[n] for n in priced}) > 1:
        raise exceptions.InvalidInput(
            reason='Flavors %s have this size and different costs: '
                   'name the flavor.' % ', '.join(priced))
    return priced[0], shape


def instance_type(kind, count, intents, options):
    """(shape the capacity check uses, net_value_cost, sizes to show) of
    ``count`` instances of ``kind`` (a flavor or a size) with ``intents``.
    """
    flavor, shape = _flavor_of(kind, _shapes(options), options)
    cost = _cost(options, 'flavor_costs', flavor, 'flavor') * count
    for intent in intents:
        cost += _cost(options, 'intent_costs', intent, 'intent')
    sizes = {'flavor': flavor, 'min': dict(shape._asdict()),
             'max': dict(shape._asdict())}
    if 'burstable' in intents:
        low, high = net_value.burstable(
            shape, options.burstable_oversubscription)
        sizes['min'], sizes['max'] = dict(low._asdict()), dict(high._asdict())
        # The capacity check counts what is guaranteed.
        shape = low
    return shape, cost, sizes
