"""virtual:instance and flavor:instance request fields, as JSON schema
(ResourcePlugin request_schema / update_properties)."""

from promise.common import schema_types

# true | false | null, and what the CLI sends for them.
AFFINITY = {'type': ['boolean', 'string', 'null'],
            'enum': [True, False, None, 'True', 'False', 'None', 'true',
                     'false', 'none', 'null', '']}
FLAVOR_ID = {'type': 'string', 'minLength': 1, 'maxLength': 255}

VIRTUAL = {
    'properties': {
        'amount': schema_types.INT_LIKE,
        'vcpus': schema_types.INT_LIKE,
        'memory_mb': schema_types.INT_LIKE,
        'disk_gb': schema_types.INT_LIKE,
        'affinity': AFFINITY,
        'resource_properties': schema_types.QUERY,
    },
    'required': ['amount', 'vcpus', 'memory_mb'],
}
# On an update "" is no number: a given count must be one.
VIRTUAL_UPDATE = dict(VIRTUAL['properties'], amount=schema_types.INT_GIVEN,
                      vcpus=schema_types.INT_GIVEN,
                      memory_mb=schema_types.INT_GIVEN)

FLAVOR = {
    'properties': {
        'flavor_id': FLAVOR_ID,
        'amount': schema_types.INT_LIKE,
        'affinity': AFFINITY,
        'resource_properties': schema_types.QUERY,
    },
    'required': ['flavor_id', 'amount'],
}
FLAVOR_UPDATE = {
    'amount': schema_types.INT_GIVEN,
    'affinity': AFFINITY,
    'resource_properties': schema_types.QUERY,
    'flavor_id': FLAVOR_ID,
}
