"""Request bodies of the ONAP Multicloud endpoints.

Numbers are bounded by what a host's columns hold (vCPU, Storage in GB,
Memory in GB turned into MB), so that the capacity math stays finite.
"""

from promise.common import schema_types

_INT_MAX = schema_types.INT_MAX
_NUMBER = {'type': 'number', 'minimum': 0, 'maximum': _INT_MAX}
# Memory is in GB here and in MB in the database.
_GB = {'type': 'number', 'minimum': 0, 'maximum': _INT_MAX // 1024}
_DATE = {'type': 'string', 'minLength': 1, 'maxLength': 64}
_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}

V1_VIM = {
    'type': 'object',
    'properties': {
        'cloud-owner': _NAME,
        'cloud-region-id': _NAME,
    },
    'required': ['cloud-owner', 'cloud-region-id'],
}

CHECK_V0 = {
    'type': 'object',
    'properties': {
        'vCPU': _NUMBER,
        'Memory': _GB,
        'Storage': _NUMBER,
        'VIMs': {'type': 'array', 'items': {'type': 'string',
                                            'maxLength': 511}},
        'start_date': _DATE,
        'end_date': _DATE,
    },
    'required': ['VIMs'],
    'additionalProperties': False,
}

CHECK_V1 = {
    'type': 'object',
    'properties': {
        'vCPU': _NUMBER,
        'Memory': _GB,
        'Storage': _NUMBER,
        'VIMs': {'type': 'array', 'items': V1_VIM},
        'start_date': _DATE,
        'end_date': _DATE,
    },
    'required': ['VIMs'],
    'additionalProperties': False,
}

_COUNT = {'type': 'integer', 'minimum': 0, 'maximum': _INT_MAX}

NET_VALUE = {
    'type': 'object',
    'properties': {
        'instance_type': {
            'oneOf': [
                {'type': 'object',
                 'properties': {'flavor': _NAME},
                 'required': ['flavor'], 'additionalProperties': False},
                {'type': 'object',
                 'properties': {'vcpus': _COUNT, 'memory_mb': _COUNT,
                                'disk_gb': _COUNT},
                 'required': ['vcpus', 'memory_mb', 'disk_gb'],
                 'additionalProperties': False},
            ],
        },
        # count x a flavor's size must stay a number the math can hold.
        'count': {'type': 'integer', 'minimum': 1, 'maximum': _INT_MAX},
        'intents': {'type': 'array', 'uniqueItems': True, 'maxItems': 64,
                    'items': _NAME},
        'VIMs': {'type': 'array', 'items': V1_VIM},
        'start_date': _DATE,
        'end_date': _DATE,
    },
    'required': ['instance_type', 'VIMs'],
    'additionalProperties': False,
}
