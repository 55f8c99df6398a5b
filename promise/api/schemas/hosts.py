"""Request bodies of /v1/os-hosts."""

from promise.common import schema_types

# Extra capabilities are flat string (or number) values, stored as text
# of at most 255 characters (a number's digits included); Nova ids and
# hostnames name the host.
CAPABILITY_VALUE = {'anyOf': [
    {'type': ['string', 'boolean'], 'maxLength': 255},
    {'type': 'number', 'minimum': -10 ** 15, 'maximum': 10 ** 15}]}

# Capability names: letters, digits and _ . : - (length is checked with
# Blazar's own message).
CAPABILITY_NAME = {'pattern': '^[A-Za-z0-9_.:-]+$'}

CREATE = {
    'type': 'object',
    'propertyNames': CAPABILITY_NAME,
    'properties': {
        'name': {'anyOf': [
            {'type': 'integer', 'minimum': 0,
             'maximum': schema_types.INT_MAX},
            {'type': 'string', 'minLength': 1, 'maxLength': 255}]},
    },
    'required': ['name'],
    'additionalProperties': CAPABILITY_VALUE,
}

UPDATE = {
    'type': 'object',
    'propertyNames': CAPABILITY_NAME,
    'additionalProperties': CAPABILITY_VALUE,
    'minProperties': 1,
}

PROPERTY_UPDATE = {
    'type': 'object',
    'properties': {'private': {'type': 'boolean'}},
    'required': ['private'],
    'additionalProperties': False,
}

# Fields of the host itself; a capability may not shadow them.
RESERVED_KEYS = frozenset((
    'id', 'name', 'hypervisor_hostname', 'hypervisor_type',
    'hypervisor_version', 'service_name', 'vcpus', 'cpu_info', 'memory_mb',
    'local_gb', 'availability_zone', 'reservable', 'created_at',
    'updated_at', 'trust_id', 'status'))
CAPABILITY_KEY_MAX = 64
