"""Per-type reservation fields of lease create / update bodies."""

from promise.api import validation

QUERY = {'type': ['string', 'array', 'null']}

# Minutes after the start within which something must run in the
# reservation, or it is released (OPNFV Promise "expiry"); "" / null: none.
EXPIRY = dict(validation.INT_LIKE)
EXPIRY['anyOf'] = EXPIRY['anyOf'] + [{'type': 'null'}]

HOST = {
    'type': 'object',
    'properties': {
        'resource_type': {'const': 'physical:host'},
        'expiry': EXPIRY,
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

# true | false | null, and what the CLI sends for them.
AFFINITY = {'type': ['boolean', 'string', 'null'],
            'enum': [True, False, None, 'True', 'False', 'None', 'true',
                     'false', 'none', 'null', '']}
FLAVOR_ID = {'type': 'string', 'minLength': 1, 'maxLength': 255}

VIRTUAL_INSTANCE = {
    'type': 'object',
    'properties': {
        'resource_type': {'const': 'virtual:instance'},
        'expiry': EXPIRY,
        'amount': validation.INT_LIKE,
        'vcpus': validation.INT_LIKE,
        'memory_mb': validation.INT_LIKE,
        'disk_gb': validation.INT_LIKE,
        'affinity': AFFINITY,
        'resource_properties': QUERY,
    },
    'required': ['resource_type', 'amount', 'vcpus', 'memory_mb'],
    'additionalProperties': False,
}

FLAVOR_INSTANCE = {
    'type': 'object',
    'properties': {
        'resource_type': {'const': 'flavor:instance'},
        'expiry': EXPIRY,
        'flavor_id': FLAVOR_ID,
        'amount': validation.INT_LIKE,
        'affinity': AFFINITY,
        'resource_properties': QUERY,
    },
    'required': ['resource_type', 'flavor_id', 'amount'],
    'additionalProperties': False,
}

BY_TYPE = {'physical:host': HOST,
           'virtual:instance': VIRTUAL_INSTANCE,
           'flavor:instance': FLAVOR_INSTANCE}
# Update bodies name the reservation by id, not by type: the union of what
# each type accepts is checked here, the type-specific rules in the plugin.
UPDATE = {
    'type': 'object',
    'properties': dict(
        HOST_UPDATE['properties'],
        amount=validation.INT_LIKE,
        vcpus=validation.INT_LIKE,
        memory_mb=validation.INT_LIKE,
        disk_gb=validation.INT_LIKE,
        affinity=AFFINITY,
        flavor_id=FLAVOR_ID),
    'required': ['id'],
    'additionalProperties': False,
}
