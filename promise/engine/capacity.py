"""Capacity of a reservation type over a window, from its plugin
(ResourcePlugin.capacity_timeline). Read-only."""

from promise import exceptions
from promise.plugins import loader


def timeline(session, resource_type, start, end, hypervisor_query=None,
             resource_query=None, shape=None):
    """([(start, end, values)], summary) for the enabled type
    ``resource_type``; InvalidInput for a type without a capacity view."""
    wing = loader.wings().get(resource_type)
    if wing is None or not wing.has_capacity:
        raise exceptions.InvalidInput(
            reason='resource_type must be %s.'
            % ' or '.join(loader.types_with('has_capacity')))
    return wing.capacity_timeline(session, start, end, hypervisor_query,
                                  resource_query, shape)
