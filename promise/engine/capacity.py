"""Capacity of a reservation type over a window, from its plugin
(ResourcePlugin.capacity_timeline), and a project's use of its limits
over the same window. Read-only."""

from oslo_limit import exception as limit_exc

from promise.clients import limits
from promise.db import quota as quota_db
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


def quota_limits(project_id, resource_type):
    """{resource: limit, or None where Keystone sets none} of a project,
    for what ``resource_type`` counts against (``leases`` and the type's
    quota_resources). ServiceUnavailable when Keystone cannot be
    reached."""
    wing = loader.wings()[resource_type]
    names = (quota_db.LEASES,) + tuple(wing.quota_resources)
    try:
        found = limits.of_project(project_id, names)
    except limit_exc.SessionInitError as exc:
        raise exceptions.ServiceUnavailable(
            reason='Keystone, which keeps the limits, cannot be reached: '
                   '%s' % exc)
    return {name: found.get(name) for name in names}
