"""One webhook attempt: resolve the URL's host once, refuse it when any
address it resolves to may not be sent to, connect to the checked address
itself (so a second, different DNS answer cannot redirect the request),
POST, read the answer, follow no redirect, all within one total time.

The total bound holds against a receiver that trickles bytes: a watchdog
shuts the socket down at the deadline, which ends any read or write
in progress; each socket operation also times out at what is left.
"""

import base64
import collections
import http.client
import socket
import ssl
import threading
import time
import urllib.parse

from promise.notifications import addresses

# What is read of an answer before the connection is closed.
MAX_ANSWER = 64 * 1024

# ok: 2xx. refused: an address may not be sent to (final). detail: for
# the log only (network detail stays out of the API).
Result = collections.namedtuple('Result', 'ok status refused detail')


class _Pinned(http.client.HTTPConnection):
    """HTTP to a given address, with the Host header of the URL."""

    def __init__(self, host, port, target, timeout):
        super().__init__(host, port, timeout=timeout)
        self._target = target

    def connect(self):
        family, sockaddr = self._target
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(sockaddr)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _PinnedTLS(_Pinned):
    """HTTPS to a given address; SNI and certificate checked against the
    URL's host name."""

    def __init__(self, host, port, target, timeout, context):
        super().__init__(host, port, target, timeout)
        self._context = context

    def connect(self):
        super().connect()
        self.sock = self._context.wrap_socket(self.sock,
                                              server_hostname=self.host)


class _Watchdog:
    """Shuts the connection's socket down at the deadline."""

    def __init__(self, conn, seconds):
        self.fired = False
        self._conn = conn
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self):
        self.fired = True
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()


def _path(parts):
    path = parts.path or '/'
    return path + ('?' + parts.query if parts.query else '')


def _basic_auth(parts):
    """Credentials in the URL as Basic auth (as requests sent them)."""
    if parts.username is None:
        return {}
    pair = '%s:%s' % (urllib.parse.unquote(parts.username),
                      urllib.parse.unquote(parts.password or ''))
    return {'Authorization': 'Basic ' + base64.b64encode(
        pair.encode('utf-8')).decode('ascii')}


def _resolve_within(resolver, host, port, seconds):
    """The resolver's answer, or OSError after ``seconds``: getaddrinfo
    cannot be interrupted, and the name's own DNS server (the tenant's)
    may answer as slowly as it likes. A late answer is dropped."""
    box = {}

    def run():
        try:
            box['targets'] = resolver(host, port)
        except OSError as exc:
            box['error'] = exc
    thread = threading.Thread(target=run, daemon=True,
                              name='promise-webhook-resolve')
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise OSError('timed out')
    if 'error' in box:
        raise box['error']
    return box['targets']


def post(url, body, headers, total, allowed=(), denied=(),
         resolver=None, tls_context=None):
    """POST ``body`` (bytes) to ``url`` within ``total`` seconds; returns
    a Result. ``resolver`` (host, port) -> [(family, sockaddr)] is
    addresses.resolve unless a test gives its own."""
    start = time.monotonic()
    try:
        host, port = addresses.host_and_port(url)
    except ValueError as exc:
        return Result(False, None, True, str(exc))
    try:
        targets = _resolve_within(resolver or addresses.resolve, host, port,
                                  total)
    except OSError as exc:
        return Result(False, None, False, 'resolving %s: %s' % (host, exc))
    bad = addresses.first_refused(targets, allowed, denied)
    if bad is not None:
        return Result(False, None, True, '%s resolves to %s (%s)'
                      % (host, bad[0], bad[1]))
    # The first checked address only: trying others would multiply the
    # time a dead receiver holds a sender.
    target = targets[0]
    left = total - (time.monotonic() - start)
    if left <= 0:
        return Result(False, None, False, 'timed out resolving %s' % host)
    if url.lower().startswith('https://'):
        conn = _PinnedTLS(host, port, target, left,
                          tls_context or ssl.create_default_context())
    else:
        conn = _Pinned(host, port, target, left)
    with _Watchdog(conn, left) as watchdog:
        try:
            parts = urllib.parse.urlsplit(url)
            conn.request('POST', _path(parts), body=body,
                         headers=dict(headers, **_basic_auth(parts)))
            resp = conn.getresponse()
            resp.read(MAX_ANSWER)
            status = resp.status
        except (OSError, http.client.HTTPException, ValueError) as exc:
            detail = ('cut at the total time of %ss' % total
                      if watchdog.fired else
                      '%s: %s' % (type(exc).__name__, exc))
            return Result(False, None, False, '%s (%s)' % (detail,
                                                           target[1][0]))
        finally:
            conn.close()
    if watchdog.fired:
        return Result(False, status, False, 'cut at the total time of %ss'
                      % total)
    return Result(200 <= status < 300, status, False,
                  'HTTP %d from %s' % (status, target[1][0]))
