"""Command-line syntaxes shared by the commands.

``--reservation`` takes what python-blazarclient's ``lease create`` takes:
``key=value`` pairs joined by commas, where a value may itself contain
commas (JSON property queries such as
``["and", ["==", "$vcpus", "8"], [">=", "$memory_mb", "16384"]]``).  A comma
ends a value only when it is outside any quotes and brackets *and* what
follows it is ``<identifier>=``; anything else belongs to the value.  Keys
the resource type does not know are refused (a typo is not sent on).  Whole
numbers become integers, list-valued keys are read as JSON, and the keys
that ``lease create`` fills in by default are filled in the same way, so
``reservation lease check`` sends the body ``reservation lease create``
would.
"""

import datetime
import json
import re

from promiseclient import exceptions

DATE_FORMAT = '%Y-%m-%d %H:%M'
NOW = 'now'

# The keys each resource type knows, with the value python-blazarclient's
# `lease create` sends when the key is not given (None: not sent).
RESERVATION_KEYS = {
    'physical:host': {
        'resource_type': 'physical:host',
        'min': '',
        'max': '',
        'hypervisor_properties': '',
        'resource_properties': '',
        'before_end': None,
    },
    'virtual:instance': {
        'resource_type': 'virtual:instance',
        'vcpus': '',
        'memory_mb': '',
        'disk_gb': '',
        'amount': '',
        'affinity': 'None',
        'resource_properties': '',
    },
    'flavor:instance': {
        'resource_type': 'flavor:instance',
        'flavor_id': '',
        'amount': '',
        'affinity': 'None',
    },
    'virtual:floatingip': {
        'resource_type': 'virtual:floatingip',
        'amount': 1,
        'network_id': None,
        'required_floatingips': [],
    },
}

_KEY_AHEAD = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=')
_INT = re.compile(r'^\s*-?[0-9]+\s*$')
_OPENERS = {'[': ']', '{': '}', '(': ')'}


def _split_pairs(text):
    """``key=value`` pieces of ``text``: a comma splits only at nesting
    depth 0, outside double quotes, and before ``<identifier>=``."""
    pieces = []
    current = []
    closers = []
    in_quotes = False
    escaped = False
    for i, char in enumerate(text):
        if in_quotes:
            if escaped:
                escaped = False
            elif char == '\\':
                escaped = True
            elif char == '"':
                in_quotes = False
        elif char == '"':
            in_quotes = True
        elif char in _OPENERS:
            closers.append(_OPENERS[char])
        elif closers and char == closers[-1]:
            closers.pop()
        elif (char == ',' and not closers and
                _KEY_AHEAD.match(text, i + 1)):
            pieces.append(''.join(current))
            current = []
            continue
        current.append(char)
    pieces.append(''.join(current))
    return pieces


def parse_reservation(text):
    """One ``--reservation`` value as the dict sent to Promise."""
    if not text or not text.strip():
        raise exceptions.CommandError('--reservation needs key=value pairs, '
                                      'starting with resource_type=...')
    pairs = []
    for piece in _split_pairs(text):
        key, sep, value = piece.partition('=')
        key = key.strip()
        if not sep or not key:
            raise exceptions.CommandError(
                'Invalid --reservation %r: expected key=value pairs '
                'separated by commas, got %r.' % (text, piece))
        pairs.append((key, value.strip()))
    resource_type = dict(pairs).get('resource_type')
    if not resource_type:
        raise exceptions.CommandError(
            'Invalid --reservation %r: resource_type is required (one of '
            '%s).' % (text, ', '.join(sorted(RESERVATION_KEYS))))
    # A type this client does not know: every pair goes through as given.
    known = RESERVATION_KEYS.get(resource_type, {})
    result = {}
    for key, value in pairs:
        if known and key not in known:
            raise exceptions.CommandError(
                'Invalid --reservation %r: unknown key %r for %s (known: '
                '%s).' % (text, key, resource_type,
                          ', '.join(sorted(known))))
        if key in result:
            raise exceptions.CommandError(
                'Invalid --reservation %r: %s is given twice.'
                % (text, key))
        result[key] = _typed(key, value, known.get(key), text)
    for key, default in known.items():
        if key not in result and default is not None:
            result[key] = default
    return result


def _typed(key, value, default, text):
    if _INT.match(value):
        return int(value)
    if isinstance(default, list):
        try:
            return json.loads(value)
        except ValueError:
            raise exceptions.CommandError(
                'Invalid --reservation %r: %s must be a JSON list.'
                % (text, key))
    return value


THRESHOLD_OPS = ('lt', 'le', 'gt', 'ge')


def parse_threshold(text):
    """``--threshold metric,op,value`` (or ``metric=..,op=..,value=..``)
    as ``{"metric", "op", "value"}`` with a whole-number value, e.g.
    ``available,lt,5``: fire when the available capacity drops below 5."""
    parts = [p.strip() for p in (text or '').split(',')]
    if all('=' in p for p in parts):
        named = dict(p.split('=', 1) for p in parts)
        named = {k.strip(): v.strip() for k, v in named.items()}
        if set(named) != {'metric', 'op', 'value'}:
            parts = None
        else:
            parts = [named['metric'], named['op'], named['value']]
    if not parts or len(parts) != 3 or not all(parts):
        raise exceptions.CommandError(
            'Invalid --threshold %r: expected METRIC,OP,VALUE such as '
            'available,lt,5.' % text)
    metric, op, value = parts
    if op not in THRESHOLD_OPS:
        raise exceptions.CommandError(
            'Invalid --threshold %r: OP must be one of %s.'
            % (text, ', '.join(THRESHOLD_OPS)))
    if not _INT.match(value) or int(value) < 0:
        raise exceptions.CommandError(
            'Invalid --threshold %r: VALUE must be a whole number >= 0.'
            % text)
    number = int(value)
    return {'metric': metric, 'op': op, 'value': number}


def parse_date(value, option, allow_now=False):
    """A ``YYYY-MM-DD HH:MM`` (UTC) date, or "now" where allowed."""
    if allow_now and value == NOW:
        return NOW
    try:
        datetime.datetime.strptime(value, DATE_FORMAT)
    except (TypeError, ValueError):
        raise exceptions.CommandError(
            '%s: %r is an invalid date. Required format: YYYY-MM-DD HH:MM '
            '(UTC)%s.' % (option, value, ' or "now"' if allow_now else ''))
    return value


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def end_after(start, hours=24):
    """The default end of a lease: ``hours`` after its start (as
    python-blazarclient's `lease create` does)."""
    if start == NOW:
        begin = utcnow()
    else:
        begin = datetime.datetime.strptime(start, DATE_FORMAT)
    return (begin + datetime.timedelta(hours=hours)).strftime(DATE_FORMAT)
