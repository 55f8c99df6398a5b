"""physical:host request fields, as JSON schema (ResourcePlugin
request_schema / update_properties)."""

from promise.common import schema_types

BEFORE_END = {'type': ['string', 'null'],
              'enum': ['', 'default', 'snapshot', None]}

CREATE = {
    'properties': {
        'min': schema_types.INT_LIKE,
        'max': schema_types.INT_LIKE,
        'hypervisor_properties': schema_types.QUERY,
        'resource_properties': schema_types.QUERY,
        'before_end': BEFORE_END,
    },
    'required': ['min', 'max'],
}

# On an update "" is no number: a given min or max must be one.
UPDATE = dict(CREATE['properties'], min=schema_types.INT_GIVEN,
              max=schema_types.INT_GIVEN)
