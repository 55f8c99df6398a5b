"""Request bodies of /v1/leases."""

# Dates are checked by promise.api.dates, which gives Blazar's exact
# message for a malformed one.
DATE = {'type': 'string', 'minLength': 1, 'maxLength': 64}
NULLABLE_DATE = {'type': ['string', 'null'], 'maxLength': 64}
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 80}

RESERVATION = {
    'type': 'object',
    'properties': {'resource_type': {'type': 'string', 'minLength': 1,
                                     'maxLength': 66}},
    'required': ['resource_type'],
}

# Blazar stores user events without looking at them; Promise accepts them
# for compatibility and ignores them.
EVENT = {'type': 'object'}

CREATE = {
    'type': 'object',
    'properties': {
        'name': NAME,
        'start_date': DATE,
        'end_date': DATE,
        'before_end_date': NULLABLE_DATE,
        'reservations': {'type': 'array', 'items': RESERVATION},
        'events': {'type': 'array', 'items': EVENT},
    },
    'required': ['name', 'end_date'],
    'additionalProperties': False,
}

RESERVATION_UPDATE = {
    'type': 'object',
    'properties': {'id': {'type': 'string', 'minLength': 1,
                          'maxLength': 36}},
    'required': ['id'],
}

UPDATE = {
    'type': 'object',
    'properties': {
        'name': NAME,
        'start_date': DATE,
        'end_date': DATE,
        'before_end_date': NULLABLE_DATE,
        'reservations': {'type': 'array', 'items': RESERVATION_UPDATE},
        'events': {'type': 'array', 'items': EVENT},
    },
    'additionalProperties': False,
    'minProperties': 1,
}
