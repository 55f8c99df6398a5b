"""A project's Keystone unified limits on Promise's resources, read with
oslo.limit ([oslo_limit] credentials and endpoint_id)."""

from oslo_limit import limit

from promise.common import lazy


def read(enforcer, project_id, resources):
    """{resource: limit} of ``resources`` that Keystone limits for the
    project: its own limit, else the registered default. A resource
    without either is not limited and is left out."""
    # None asks for every limit of this service (naming a resource that
    # has none would answer a limit of 0).
    found = {name: value for name, value in
             enforcer.get_registered_limits(None) if name in resources}
    found.update((name, value) for name, value in
                 enforcer.get_project_limits(project_id, None)
                 if name in resources)
    return found


def _refuse_usage(project_id, resources):
    raise RuntimeError('this enforcer only reads limits')


# Limits are read from Keystone each time: an operator's change shows at
# once.
_READER = lazy.Lazy(lambda: limit.Enforcer(_refuse_usage, cache=False))


def of_project(project_id, resources):
    """read() with a shared enforcer that only reads limits."""
    return read(_READER.get(), project_id, resources)


def reset():
    _READER.reset()
