"""Request bodies of /v1/os-hosts."""

# Extra capabilities are flat string (or number) values; Nova ids and
# hostnames name the host.
CAPABILITY_VALUE = {'type': ['string', 'number', 'boolean']}

# Capability names: letters, digits and _ . : - (length is checked with
# Blazar's own message).
CAPABILITY_NAME = {'pattern': '^[A-Za-z0-9_.:-]+$'}

CREATE = {
    'type': 'object',
    'propertyNames': CAPABILITY_NAME,
    'properties': {
        'name': {'type': ['string', 'integer'], 'minLength': 1,
                 'maxLength': 255},
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
    'updated_at', 'trust_id'))
CAPABILITY_KEY_MAX = 64
