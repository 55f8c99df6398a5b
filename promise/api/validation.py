"""JSON-schema validation at the API edge.

Schemas may mark a value with ``"x-coerce": "int"``: after validation such
values, which the CLI sends as strings, are turned into ints ("" -> None),
so the manager only ever sees typed values; ``"x-maximum"`` bounds the int.

Bodies are refused (400) before they reach a schema when they nest deeper
than MAX_DEPTH or hold a string no database can store (a lone UTF-16
surrogate such as "\\ud800", which JSON can spell). Error messages echo at
most ECHO_CHARS of an offending value.
"""

import re

import jsonschema
from oslo_serialization import jsonutils

from promise.common import schema_types
from promise import exceptions

# No request body Promise reads nests deeper than a grant request (about
# six levels); 32 leaves room and keeps the parser's recursion small.
MAX_DEPTH = 32
ECHO_CHARS = 80
# Strings and escaped quotes removed, what is left of JSON text holds the
# brackets that nest.
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r'[\[\]{}]')
_SURROGATE = re.compile('[\ud800-\udfff]')


def short(value, limit=ECHO_CHARS):
    """``repr(value)`` cut to about ``limit`` characters, for messages."""
    if isinstance(value, str) and len(value) > limit:
        return '%r... (%d characters)' % (value[:limit], len(value))
    text = repr(value)
    if len(text) > limit:
        return text[:limit] + '...'
    return text


def check_depth(text, field='The request body'):
    """Refuse JSON text nesting deeper than MAX_DEPTH, without parsing it
    (the parser would recurse once per level)."""
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub('', text)):
        depth += 1 if bracket.group() in '[{' else -1
        if depth > MAX_DEPTH:
            raise exceptions.InvalidInput(
                reason='%s nests deeper than %d levels.' % (field,
                                                            MAX_DEPTH))


def check_strings(value):
    """Refuse a lone surrogate in any key or string of ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and _SURROGATE.search(item):
            raise exceptions.InvalidInput(
                reason='The request holds %s, which is not valid Unicode '
                       '(a lone surrogate).' % short(item))


def load_body(request):
    if not request.body:
        raise exceptions.InvalidInput(reason='The request needs a JSON '
                                             'body.')
    try:
        text = request.body.decode('utf-8')
    except UnicodeDecodeError:
        raise exceptions.InvalidInput(
            reason='The request body is not valid UTF-8.')
    check_depth(text)
    try:
        body = jsonutils.loads(text)
    except (ValueError, RecursionError) as exc:
        # ValueError includes integers of more than 4300 digits.
        raise exceptions.InvalidInput(
            reason='The request body is not valid JSON: %s'
            % short(str(exc), 200))
    check_strings(body)
    return body


def _message(error):
    if error.validator == 'required':
        missing = error.message.split("'")[1]
        return 'Missing parameter %s' % missing
    message = error.message
    if len(message) > 2 * ECHO_CHARS:
        # jsonschema names the whole value: "<repr> is too long".
        message = message.replace(repr(error.instance),
                                  short(error.instance))
        if len(message) > 4 * ECHO_CHARS:
            message = short(message, 4 * ECHO_CHARS)
    where = '.'.join(short(p) if not isinstance(p, (str, int)) or
                     len(str(p)) > ECHO_CHARS else str(p)
                     for p in error.absolute_path)
    if where:
        return 'Invalid value for %s: %s' % (where, message)
    return 'Invalid request body: %s' % message


def validate(schema, body):
    """Validate ``body`` and return a coerced copy of it."""
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(body),
                    key=lambda e: (len(e.absolute_path), e.message))
    if errors:
        raise exceptions.InvalidInput(reason=_message(errors[0]))
    return _coerce(schema, body)


def _coerce(schema, value, name=None):
    kind = schema.get('x-coerce')
    if kind == 'int' and isinstance(value, str):
        value = value.strip()
        value = int(value) if value else None
    if kind == 'int' and value is not None:
        most = schema.get('x-maximum')
        if most is not None and value > most:
            raise exceptions.InvalidInput(
                reason='Invalid value for %s: %d is greater than the '
                       'maximum of %d' % (name, value, most))
        return value
    if isinstance(value, dict):
        props = schema.get('properties', {})
        return {k: (_coerce(props[k], v, k) if k in props else v)
                for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get('items'), dict):
        return [_coerce(schema['items'], v, name) for v in value]
    return value


INT_LIKE = schema_types.INT_LIKE
