"""Request body of POST /v1/capacity-changes."""

from promise.common import schema_types

CREATE = {
    'type': 'object',
    'properties': {
        # A Nova hypervisor id (what the column holds) or hostname.
        'host_id': {'anyOf': [
            {'type': 'integer', 'minimum': 0,
             'maximum': schema_types.INT_MAX},
            {'type': 'string', 'minLength': 1, 'maxLength': 255}]},
        'type': {'enum': ['unavailable', 'available']},
        'start_date': {'type': 'string', 'minLength': 1, 'maxLength': 64},
        'end_date': {'type': ['string', 'null'], 'maxLength': 64},
        'reason': {'type': ['string', 'null'], 'maxLength': 255},
    },
    'required': ['host_id', 'type', 'start_date'],
    'additionalProperties': False,
}
