"""Per-type reservation fields of lease create / update bodies, built
from the request fields each enabled resource plugin declares
(ResourcePlugin.request_schema, update_properties)."""

from promise.api import validation
from promise.plugins import loader

# Minutes after the start within which something must run in the
# reservation, or it is released (OPNFV Promise "expiry"); "" / null: none.
EXPIRY = dict(validation.INT_LIKE)
EXPIRY['anyOf'] = EXPIRY['anyOf'] + [{'type': 'null'}]


def _create(resource_type, declared):
    properties = {'resource_type': {'const': resource_type},
                  'expiry': EXPIRY}
    properties.update(declared['properties'])
    return {
        'type': 'object',
        'properties': properties,
        'required': ['resource_type'] + list(declared['required']),
        'additionalProperties': False,
    }


def by_type():
    """{resource type: schema of its reservations in a create body}."""
    return {name: _create(name, wing.request_schema)
            for name, wing in loader.wings().items()}


def update():
    """A reservation in an update body. It names the reservation by id,
    not by type: the union of what each type accepts is checked here, the
    type-specific rules in the plugin."""
    properties = {'id': {'type': 'string'}}
    for wing in loader.wings().values():
        properties.update(wing.update_properties)
    return {
        'type': 'object',
        'properties': properties,
        'required': ['id'],
        'additionalProperties': False,
    }
