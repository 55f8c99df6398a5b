"""JSON-schema fragments shared by the API's request schemas and the
request schemas each resource plugin declares. Constants only.

Every number is bounded by what its column holds (SQL INTEGER, signed 32
bits on every backend) and every string by a length, so that no value of
any field reaches the database or the date arithmetic as a 500.
"""

# SQL INTEGER: the largest value any integer column of Promise holds.
INT_MAX = 2 ** 31 - 1
# How many decimal digits INT_MAX has: a longer numeric string is refused
# by its pattern, before anything turns it into an int.
_DIGITS = len(str(INT_MAX))


def _int_like(min_digits):
    return {
        'anyOf': [{'type': 'integer', 'minimum': 0, 'maximum': INT_MAX},
                  # ASCII digits only ([0-9] is not \d): '²' is no number.
                  {'type': 'string', 'maxLength': 64,
                   'pattern': r'^\s*[0-9]{%d,%d}\s*$' % (min_digits,
                                                         _DIGITS)}],
        'x-coerce': 'int',
        # Checked after coercion: "9999999999" fits the pattern.
        'x-maximum': INT_MAX,
    }


# A whole number, or the string the CLI sends for one ("" -> None);
# promise.api.validation turns such values into ints ("x-coerce").
INT_LIKE = _int_like(0)
# The same where "" (unset) makes no sense, e.g. min on an update.
INT_GIVEN = _int_like(1)

# Longest property query (JSON text) and deepest nesting of its terms;
# promise.common.properties enforces both, whatever the source.
QUERY_MAX_CHARS = 8192
QUERY_MAX_DEPTH = 16

# A property query (promise.common.properties), as JSON text or a list.
QUERY = {'type': ['string', 'array', 'null'], 'maxLength': QUERY_MAX_CHARS}
