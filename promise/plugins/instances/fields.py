"""Reading the fields of an instance reservation request: checked,
typed values (or InvalidInput). Pure functions."""

from oslo_utils import strutils

from promise import exceptions

# The key under which resolve() leaves the looked-up source flavor.
RESOLVED = '_source_flavor'
# The key under which before_create() leaves the server group it made.
SERVER_GROUP = '_server_group_id'


def parse_affinity(value):
    """true | false | null, from what the API and the CLI send."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('', 'none', 'null'):
        return None
    try:
        return strutils.bool_from_string(text, strict=True)
    except ValueError:
        raise exceptions.InvalidInput(
            reason='affinity must be true, false or None (got %r).'
            % (value,))


def number(values, key, minimum, default=None):
    value = values.get(key)
    if value is None or value == '':
        if default is not None:
            return default
        raise exceptions.MissingParameter(param=key)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise exceptions.InvalidInput(reason='%s must be a whole number.'
                                             % key)
    if number < minimum:
        raise exceptions.InvalidInput(reason='%s must be at least %d.'
                                             % (key, minimum))
    return number
