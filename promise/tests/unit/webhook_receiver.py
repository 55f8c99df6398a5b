"""A webhook receiver for tests, on 127.0.0.2, and the documented
signature check (doc/source/admin/webhook_verify.py) as a module."""

import http.server
import importlib.util
import json
import os
import threading
import time


# Receivers listen here; tests allow only this address
# ([notifications] webhook_allowed_networks), never all of loopback.
RECEIVER_HOST = '127.0.0.2'
ALLOWED = ['127.0.0.2/32']


class Receiver:
    """A webhook receiver on 127.0.0.2 that records what it gets.

    ``status`` is what it answers (a callable of the request count works
    too); ``headers`` are added to the answer (a Location: a redirect);
    ``trickle``: seconds between the bytes of a never-ending answer;
    ``gate``: an Event each request waits for before it is answered;
    ``stop()`` closes the port, ``start()`` opens it again on the same
    port.
    """

    def __init__(self, status=200, port=0, host=RECEIVER_HOST):
        self.status = status
        self.port = port
        self.host = host
        self.headers = {}
        self.trickle = None
        self.gate = None
        self.received = []
        self.lock = threading.Condition()
        self._server = None

    @property
    def url(self):
        return 'http://%s:%d/hook' % (self.host, self.port)

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get('Content-Length', 0))
                data = self.rfile.read(length)
                with receiver.lock:
                    status = receiver.status
                    if callable(status):
                        status = status(len(receiver.received))
                    receiver.received.append(
                        {'headers': dict(self.headers), 'body': data,
                         'status': status, 'path': self.path,
                         'at': time.time()})
                    receiver.lock.notify_all()
                    trickle = receiver.trickle
                    extra = dict(receiver.headers)
                    gate = receiver.gate
                if gate is not None:
                    gate.wait(60)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                if trickle:
                    self._trickle(trickle)
                    return
                self.send_header('Content-Length', '0')
                self.end_headers()

            def _trickle(self, seconds):
                # One header byte at a time, for at most 120 s: a sender
                # that waits per read would never finish.
                self.wfile.write(b'X-Slow: ')
                for _ in range(int(120 / seconds)):
                    try:
                        self.wfile.write(b'.')
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(seconds)

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self._server = http.server.ThreadingHTTPServer(
            (self.host, self.port), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name='test-receiver').start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def accepted(self):
        """[(body dict, headers, raw body)] of requests answered 2xx."""
        with self.lock:
            return [(json.loads(r['body']), r['headers'], r['body'])
                    for r in self.received if 200 <= r['status'] < 300]

    def wait_for(self, predicate, timeout=20, what='webhooks'):
        with self.lock:
            if not self.lock.wait_for(lambda: predicate(self.received),
                                      timeout):
                raise AssertionError('Timed out waiting for %s; got %r'
                                     % (what, self.received))


def documented_verifier():
    """doc/source/admin/webhook_verify.py, the code the operator guide
    shows, as a module."""
    path = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                        os.pardir, 'doc', 'source', 'admin',
                        'webhook_verify.py')
    spec = importlib.util.spec_from_file_location('webhook_verify', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VERIFIER = documented_verifier()


def verify(secret, headers, raw):
    """The documented check of the signature, as a receiver that has seen
    nothing yet runs it when the request arrives (its signing time: a
    test may look at a body again minutes later). The time and replay
    checks have tests of their own."""
    stamp = headers.get('webhook-timestamp', '')
    return VERIFIER.verify(secret, headers, raw, set(),
                           now=int(stamp) if stamp.isdigit() else None)
