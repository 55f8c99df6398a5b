"""Request bodies of the ONAP Multicloud endpoints."""

_NUMBER = {'type': 'number', 'minimum': 0}
_DATE = {'type': 'string'}

V1_VIM = {
    'type': 'object',
    'properties': {
        'cloud-owner': {'type': 'string', 'minLength': 1},
        'cloud-region-id': {'type': 'string', 'minLength': 1},
    },
    'required': ['cloud-owner', 'cloud-region-id'],
}

CHECK_V0 = {
    'type': 'object',
    'properties': {
        'vCPU': _NUMBER,
        'Memory': _NUMBER,
        'Storage': _NUMBER,
        'VIMs': {'type': 'array', 'items': {'type': 'string'}},
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
        'Memory': _NUMBER,
        'Storage': _NUMBER,
        'VIMs': {'type': 'array', 'items': V1_VIM},
        'start_date': _DATE,
        'end_date': _DATE,
    },
    'required': ['VIMs'],
    'additionalProperties': False,
}

_COUNT = {'type': 'integer', 'minimum': 0}

NET_VALUE = {
    'type': 'object',
    'properties': {
        'instance_type': {
            'oneOf': [
                {'type': 'object',
                 'properties': {'flavor': {'type': 'string',
                                           'minLength': 1}},
                 'required': ['flavor'], 'additionalProperties': False},
                {'type': 'object',
                 'properties': {'vcpus': _COUNT, 'memory_mb': _COUNT,
                                'disk_gb': _COUNT},
                 'required': ['vcpus', 'memory_mb', 'disk_gb'],
                 'additionalProperties': False},
            ],
        },
        'count': {'type': 'integer', 'minimum': 1},
        'intents': {'type': 'array', 'uniqueItems': True,
                    'items': {'type': 'string', 'minLength': 1}},
        'VIMs': {'type': 'array', 'items': V1_VIM},
        'start_date': _DATE,
        'end_date': _DATE,
    },
    'required': ['instance_type', 'VIMs'],
    'additionalProperties': False,
}
