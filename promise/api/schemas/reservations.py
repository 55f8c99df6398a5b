"""Per-type reservation fields of lease create / update bodies."""

from promise.api import validation

QUERY = {'type': ['string', 'array', 'null']}

HOST = {
    'type': 'object',
    'properties': {
        'resource_type': {'const': 'physical:host'},
        'min': validation.INT_LIKE,
        'max': validation.INT_LIKE,
        'hypervisor_properties': QUERY,
        'resource_properties': QUERY,
        'before_end': {'type': ['string', 'null'],
                       'enum': ['', 'default', 'snapshot', None]},
    },
    'required': ['resource_type', 'min', 'max'],
    'additionalProperties': False,
}

HOST_UPDATE = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string'},
        'min': validation.INT_LIKE,
        'max': validation.INT_LIKE,
        'hypervisor_properties': QUERY,
        'resource_properties': QUERY,
        'before_end': {'type': ['string', 'null'],
                       'enum': ['', 'default', 'snapshot', None]},
    },
    'required': ['id'],
    'additionalProperties': False,
}

BY_TYPE = {'physical:host': HOST}
# Update bodies name the reservation by id, not by type: the union of what
# each type accepts is checked here, the type-specific rules in the plugin.
UPDATE = HOST_UPDATE
