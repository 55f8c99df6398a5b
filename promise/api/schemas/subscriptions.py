"""Request body of POST /v1/subscriptions."""

EVENT_PATTERN = {'type': 'string', 'minLength': 1, 'maxLength': 66,
                 'pattern': r'^[a-z_.]*\*?$'}

THRESHOLD = {
    'type': 'object',
    'properties': {
        'metric': {'enum': ['available']},
        'op': {'enum': ['lt', 'le', 'gt', 'ge']},
        'value': {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1},
        'resource_type': {'enum': ['physical:host', 'virtual:floatingip',
                                   None]},
    },
    'required': ['metric', 'op', 'value'],
    'additionalProperties': False,
}

CREATE = {
    'type': 'object',
    'properties': {
        'event_types': {'type': 'array', 'items': EVENT_PATTERN,
                        'minItems': 1, 'maxItems': 20,
                        'uniqueItems': True},
        'url': {'type': 'string', 'minLength': 1, 'maxLength': 2048},
        'secret': {'type': ['string', 'null'], 'minLength': 1,
                   'maxLength': 255},
        'lease_id': {'type': ['string', 'null'], 'minLength': 1,
                     'maxLength': 255},
        'resource_type': {'type': ['string', 'null'], 'minLength': 1,
                          'maxLength': 66},
        'threshold': {'anyOf': [THRESHOLD, {'type': 'null'}]},
        'all_projects': {'type': 'boolean'},
    },
    'required': ['event_types', 'url'],
    'additionalProperties': False,
}
