"""The version document of API discovery (``GET /`` and ``GET /v1``).

Invariant: the microversion range it states is the one the microversion
middleware enforces.
"""

from promise.api.middleware import microversion


def version_document(base_url):
    return {
        'id': 'v1.0',
        'status': 'CURRENT',
        'links': [{'href': '%s/v1' % base_url.rstrip('/'), 'rel': 'self'}],
        'min_version': microversion.version_string(microversion.MIN_VERSION),
        'max_version': microversion.version_string(microversion.MAX_VERSION),
    }
