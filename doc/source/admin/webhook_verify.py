"""Verifying a Promise webhook in a receiver (Standard Webhooks scheme).

This file is what doc/source/admin/webhooks.rst shows; Promise's tests
import it and run it against real deliveries. Standard library only.
"""

import base64
import binascii
import hashlib
import hmac
import time

TOLERANCE = 300  # seconds a message is accepted after it was signed


def hmac_key(secret):
    """The key of a whsec_<base64> secret is the decoded bytes; any other
    secret string is used as its UTF-8 bytes."""
    if secret.startswith('whsec_'):
        try:
            return base64.b64decode(secret[6:], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode('utf-8')


def verify(secret, headers, body, seen_ids, now=None,
           tolerance=TOLERANCE):
    """True when ``body`` (the raw bytes) was signed with ``secret``
    within ``tolerance`` seconds and its id was not accepted before.

    ``headers``: the request headers (names in any case); ``seen_ids``: a
    set of the webhook-ids accepted within the tolerance (a database table
    in a real receiver). A retry of a delivery has the same id: when it
    was accepted once, drop it as a duplicate.
    """
    headers = {k.lower(): v for k, v in headers.items()}
    msg_id = headers.get('webhook-id', '')
    timestamp = headers.get('webhook-timestamp', '')
    signatures = headers.get('webhook-signature', '')
    if not (msg_id and timestamp.isdigit() and signatures):
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        return False  # too old (or from the future): a replay
    signed = ('%s.%s.' % (msg_id, timestamp)).encode() + body
    expected = base64.b64encode(hmac.new(
        hmac_key(secret), signed, hashlib.sha256).digest()).decode()
    # Several space-separated "v1,<sig>" while a secret is rotated.
    if not any(hmac.compare_digest(sig.partition(',')[2], expected)
               for sig in signatures.split() if sig.startswith('v1,')):
        return False
    if msg_id in seen_ids:
        return False  # the same message again
    seen_ids.add(msg_id)
    return True
