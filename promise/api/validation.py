"""JSON-schema validation at the API edge.

Schemas may mark a value with ``"x-coerce": "int"``: after validation such
values, which the CLI sends as strings, are turned into ints ("" -> None),
so the manager only ever sees typed values.
"""

import jsonschema
from oslo_serialization import jsonutils

from promise.common import schema_types
from promise import exceptions


def load_body(request):
    if not request.body:
        raise exceptions.InvalidInput(reason='The request needs a JSON '
                                             'body.')
    try:
        return jsonutils.loads(request.body)
    except ValueError as exc:
        raise exceptions.InvalidInput(
            reason='The request body is not valid JSON: %s' % exc)


def _message(error):
    if error.validator == 'required':
        missing = error.message.split("'")[1]
        return 'Missing parameter %s' % missing
    where = '.'.join(str(p) for p in error.absolute_path)
    if where:
        return 'Invalid value for %s: %s' % (where, error.message)
    return 'Invalid request body: %s' % error.message


def validate(schema, body):
    """Validate ``body`` and return a coerced copy of it."""
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(body),
                    key=lambda e: (len(e.absolute_path), e.message))
    if errors:
        raise exceptions.InvalidInput(reason=_message(errors[0]))
    return _coerce(schema, body)


def _coerce(schema, value):
    kind = schema.get('x-coerce')
    if kind == 'int' and isinstance(value, str):
        value = value.strip()
        return int(value) if value else None
    if isinstance(value, dict):
        props = schema.get('properties', {})
        return {k: (_coerce(props[k], v) if k in props else v)
                for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get('items'), dict):
        return [_coerce(schema['items'], v) for v in value]
    return value


INT_LIKE = schema_types.INT_LIKE
