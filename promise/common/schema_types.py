"""JSON-schema fragments shared by the API's request schemas and the
request schemas each resource plugin declares. Constants only."""

# A whole number, or the string the CLI sends for one ("" -> None);
# promise.api.validation turns such values into ints ("x-coerce").
INT_LIKE = {
    'anyOf': [{'type': 'integer', 'minimum': 0},
              {'type': 'string', 'pattern': r'^\s*[0-9]*\s*$'}],
    'x-coerce': 'int',
}

# A property query (promise.common.properties), as JSON text or a list.
QUERY = {'type': ['string', 'array', 'null']}
