"""Webhook signatures (the Standard Webhooks scheme) and the subscription
secrets they are made with, encrypted at rest.

Each attempt is signed anew at its send time: ``webhook-id`` is the
delivery id (the same on every retry: receivers deduplicate on it),
``webhook-timestamp`` the attempt's Unix time and ``webhook-signature``
``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, so a receiver
rejects old and replayed messages (doc/source/admin/webhooks.rst).

The HMAC key of a ``whsec_<base64>`` secret is the decoded bytes; any
other secret (subscriptions made before, or clients that pass their own
string) is used as its UTF-8 bytes, and those subscriptions also get the
deprecated body-only ``X-Promise-Signature`` that their receivers check.

Secrets are stored as Fernet tokens under the first of ``[notifications]
secret_encryption_keys`` (any of them decrypts, for key rotation). Without
a key they are stored as they come, as before, and the manager warns.
"""

import base64
import binascii
import hashlib
import hmac
import os

from cryptography import fernet
from oslo_log import log as logging

from promise import conf

CONF = conf.CONF
LOG = logging.getLogger(__name__)

PREFIX = 'whsec_'
LEGACY_HEADER = 'X-Promise-Signature'
# What a generated secret holds (Standard Webhooks: 24 to 64 bytes).
SECRET_BYTES = 32


def generate_secret():
    return PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def key_of(secret):
    """The HMAC key of a secret."""
    if secret.startswith(PREFIX):
        try:
            return base64.b64decode(secret[len(PREFIX):], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode('utf-8')


def valid_standard_secret(secret):
    """Whether a whsec_ secret decodes to 24..64 bytes (other strings are
    accepted as they are)."""
    if not secret.startswith(PREFIX):
        return True
    try:
        key = base64.b64decode(secret[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return False
    return 24 <= len(key) <= 64


def signature(secret, msg_id, timestamp, body):
    """``v1,<base64 HMAC-SHA256 of "{msg_id}.{timestamp}.{body}">``."""
    signed = ('%s.%d.' % (msg_id, timestamp)).encode('utf-8') + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return 'v1,' + base64.b64encode(digest).decode('ascii')


def legacy_signature(secret, body):
    """``sha256=<hex HMAC-SHA256 of the body>`` (deprecated)."""
    return 'sha256=' + hmac.new(secret.encode('utf-8'), body,
                                hashlib.sha256).hexdigest()


def headers(secret, msg_id, timestamp, body):
    """The signature headers of one attempt."""
    found = {'webhook-id': msg_id, 'webhook-timestamp': str(timestamp)}
    if secret:
        found['webhook-signature'] = signature(secret, msg_id, timestamp,
                                               body)
        if not secret.startswith(PREFIX):
            found[LEGACY_HEADER] = legacy_signature(secret, body)
    return found


# -- at rest ----------------------------------------------------------------

class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key no longer configured."""


def _keys(opts=None):
    opts = opts or CONF.notifications
    return [k.strip() for k in opts.secret_encryption_keys or () if
            k and k.strip()]


def _fernet(keys):
    return fernet.MultiFernet([fernet.Fernet(k.encode('ascii'))
                               for k in keys])


def check_keys(opts=None):
    """ValueError when a configured key is not a Fernet key; warns when
    there is none (secrets then stay as they come)."""
    keys = _keys(opts)
    if not keys:
        LOG.warning('[notifications] secret_encryption_keys is not set: '
                    'webhook secrets are stored unencrypted.')
        return
    try:
        _fernet(keys)
    except (ValueError, binascii.Error) as exc:
        raise ValueError('[notifications] secret_encryption_keys: %s' % exc)


def seal(secret, opts=None):
    """(plaintext column, encrypted column) to store ``secret`` in."""
    if not secret:
        return None, None
    keys = _keys(opts)
    if not keys:
        return secret, None
    token = _fernet(keys).encrypt(secret.encode('utf-8'))
    return None, token.decode('ascii')


def unseal(plain, encrypted, opts=None):
    """The secret of a row: decrypted, or the plaintext of a row stored
    without a key (read as it is, so older rows keep working)."""
    if encrypted:
        keys = _keys(opts)
        if not keys:
            raise SecretUnreadable('no secret_encryption_keys')
        try:
            return _fernet(keys).decrypt(
                encrypted.encode('ascii')).decode('utf-8')
        except fernet.InvalidToken:
            raise SecretUnreadable('no configured key decrypts it')
    return plain
