"""The property query language of hypervisor_properties and
resource_properties (Blazar's), e.g.

    ["==", "$hypervisor_hostname", "compute1"]
    ["and", [">=", "$memory_mb", 4096], ["==", "$gpu", "true"]]

Values compare as numbers when both sides are numeric ("16" >= "8" holds),
as strings otherwise. Pure functions: no I/O.

A query is at most schema_types.QUERY_MAX_CHARS long as JSON and nests at
most QUERY_MAX_DEPTH terms deep: a reader reaches this parser through
/v1/capacity, and matching runs once per host.
"""

import operator

from oslo_serialization import jsonutils

from promise.common import schema_types
from promise import exceptions

_COMPARE = {
    '==': operator.eq, '=': operator.eq, '!=': operator.ne,
    '<': operator.lt, '<=': operator.le, '>': operator.gt, '>=': operator.ge,
}
_LOGIC = ('and', 'or', 'not')


def parse(text, field):
    """Decode and check a query; None when there is none."""
    if text is None or text == '' or text == []:
        return None
    query = text
    if isinstance(text, str):
        if len(text) > schema_types.QUERY_MAX_CHARS:
            raise _invalid(field, text, 'longer than %d characters'
                           % schema_types.QUERY_MAX_CHARS)
        if _too_deep(text):
            raise _invalid(field, text, 'nested more than %d deep'
                           % schema_types.QUERY_MAX_DEPTH)
        try:
            query = jsonutils.loads(text)
        except (ValueError, RecursionError):
            raise _invalid(field, text, 'it is not JSON')
        if query == []:
            # "[]" is how Blazar's clients and API tests say "no filter".
            return None
    elif len(as_text(text)) > schema_types.QUERY_MAX_CHARS:
        raise _invalid(field, text, 'longer than %d characters'
                       % schema_types.QUERY_MAX_CHARS)
    _check(query, field, text)
    return query


def _too_deep(text):
    """Whether JSON text opens more than QUERY_MAX_DEPTH lists at once
    (strings aside), checked before the recursive parser sees it."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == '\\':
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in '[{':
            depth += 1
            if depth > schema_types.QUERY_MAX_DEPTH:
                return True
        elif char in ']}':
            depth -= 1
    return False


def as_text(value):
    """A query as stored: JSON text, '' for none."""
    if value is None or value == '':
        return ''
    if isinstance(value, str):
        return value
    return jsonutils.dumps(value)


def _echo(text, limit=80):
    text = text if isinstance(text, str) else repr(text)
    if len(text) > limit:
        return '%r... (%d characters)' % (text[:limit], len(text))
    return repr(text)


def _invalid(field, text, why):
    # The text is echoed cut short: it may be megabytes.
    return exceptions.InvalidInput(
        reason='%s %s is not a valid property query (%s). Example: '
               '["==", "$hypervisor_hostname", "compute1"] or ["and", '
               '[">=", "$memory_mb", "4096"], ["==", "$gpu", "true"]].'
               % (field, _echo(text), why))


def _check(query, field, text, depth=1):
    if depth > schema_types.QUERY_MAX_DEPTH:
        raise _invalid(field, text, 'nested more than %d deep'
                       % schema_types.QUERY_MAX_DEPTH)
    if not isinstance(query, list) or not query:
        raise _invalid(field, text, 'expected a non-empty list')
    op = query[0]
    if not isinstance(op, str):
        # A list or object is no operator (and no dictionary key).
        raise _invalid(field, text, 'the operator must be a string')
    if op in _LOGIC:
        if len(query) < 2 or (op == 'not' and len(query) != 2):
            raise _invalid(field, text, '%r needs operands' % op)
        for sub in query[1:]:
            _check(sub, field, text, depth + 1)
        return
    if op not in _COMPARE:
        raise _invalid(field, text, 'unknown operator %s' % _echo(op))
    if len(query) != 3:
        raise _invalid(field, text, '%r takes a $property and a value' % op)
    name = query[1]
    if not isinstance(name, str) or not name.startswith('$') or len(name) < 2:
        raise _invalid(field, text, '%s is not a $property' % _echo(name))
    if isinstance(query[2], (list, dict)):
        raise _invalid(field, text, 'values must be strings or numbers')


def number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def compare(op, left, right):
    a, b = number(left), number(right)
    if a is not None and b is not None:
        return _COMPARE[op](a, b)
    return _COMPARE[op](str(left).lower() if isinstance(left, bool)
                        else str(left), str(right))


def matches(query, properties):
    """Whether ``properties`` (a dict) satisfies ``query`` (parsed)."""
    if query is None:
        return True
    op = query[0]
    if op == 'and':
        return all(matches(q, properties) for q in query[1:])
    if op == 'or':
        return any(matches(q, properties) for q in query[1:])
    if op == 'not':
        return not matches(query[1], properties)
    name = query[1][1:]
    if name not in properties or properties[name] is None:
        return False
    return compare(op, properties[name], query[2])
