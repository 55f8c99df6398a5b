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

UPDATE = dict(CREATE['properties'])
