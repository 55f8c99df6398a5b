"""Request body of POST /v1/capacity-changes."""

CREATE = {
    'type': 'object',
    'properties': {
        'host_id': {'type': ['string', 'integer'], 'minLength': 1,
                    'maxLength': 255},
        'type': {'enum': ['unavailable', 'available']},
        'start_date': {'type': 'string', 'minLength': 1, 'maxLength': 64},
        'end_date': {'type': ['string', 'null'], 'maxLength': 64},
        'reason': {'type': ['string', 'null'], 'maxLength': 255},
    },
    'required': ['host_id', 'type', 'start_date'],
    'additionalProperties': False,
}
