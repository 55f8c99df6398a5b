"""One webhook attempt and the senders: resolved once and sent to the
checked address only, no redirect followed, cut at the total time, one
project's slow receivers leaving senders to the others; Standard Webhooks
signatures and secrets encrypted at rest."""

import base64
import json
import os
import threading

from cryptography import fernet
import fixtures

from promise.db import api as db
from promise.db.models import subscriptions as sub_models
from promise.notifications import delivery
from promise.notifications import outbox
from promise.notifications import sender
from promise.notifications import signing
from promise.notifications import subscriptions
from promise.tests.unit import base
from promise.tests.unit import test_subscriptions_outbox as outbox_tests

ALLOWED = outbox_tests.ALLOWED


class Connections:
    """Replaces the connect of the sender: records the address and fails,
    so that a broken refusal cannot send anywhere."""

    def __init__(self, test):
        self.targets = []
        recorder = self

        def connect(conn):
            recorder.targets.append(conn._target)
            raise OSError('recorded, not connected')
        test.useFixture(fixtures.MockPatchObject(sender._Pinned, 'connect',
                                                 connect))


class TestSender(base.TestCase):

    def setUp(self):
        super().setUp()
        self.receiver = outbox_tests.Receiver().start()
        self.addCleanup(self.receiver.stop)

    def post(self, url, total=5, resolver=None, allowed=ALLOWED):
        return sender.post(url, b'{}', {'Content-Type': 'application/json'},
                           total, allowed, resolver=resolver)

    def test_resolved_once_and_sent_to_the_checked_address(self):
        answers = [[(2, ('127.0.0.2', self.receiver.port))],
                   [(2, ('10.0.0.1', self.receiver.port))]]
        asked = []

        def rebinding(host, port):
            asked.append(host)
            return answers[len(asked) - 1]
        result = self.post('http://u%%40x:p%%2F@hooks.test:%d/x?y=1#f'
                           % self.receiver.port, resolver=rebinding)
        self.assertTrue(result.ok, result)
        self.assertEqual(['hooks.test'], asked)
        [got] = self.receiver.received
        self.assertEqual('hooks.test:%d' % self.receiver.port,
                         got['headers']['Host'])
        self.assertEqual('/x?y=1', got['path'])
        self.assertEqual('Basic ' + base64.b64encode(b'u@x:p/').decode(),
                         got['headers']['Authorization'])

    def test_one_bad_address_refuses_without_connecting(self):
        connections = Connections(self)
        for answer in (['10.0.0.1'], ['8.8.8.8', '127.0.0.1'],
                       ['127.0.0.2', '169.254.169.254']):
            result = self.post(
                'http://hooks.test/',
                resolver=lambda h, p, a=answer: [(2, (x, p)) for x in a])
            self.assertTrue(result.refused, answer)
        self.assertEqual([], connections.targets)
        self.assertEqual([], self.receiver.received)

    def test_literal_forms_are_refused_without_connecting(self):
        connections = Connections(self)
        for url in ('http://2130706433/', 'http://0x7f.1/',
                    'http://0177.0.0.1/', 'http://127.1/', 'http://[::]/',
                    'http://0.0.0.0/', 'http://localhost/',
                    'http://[::ffff:127.0.0.1]/'):
            self.assertTrue(self.post(url).refused, url)
        self.assertEqual([], connections.targets)

    def test_redirects_are_not_followed(self):
        target = outbox_tests.Receiver().start()
        self.addCleanup(target.stop)
        for location in (target.url,
                         'http://127.0.0.1:%d/hook' % target.port):
            self.receiver.status = 302
            self.receiver.headers = {'Location': location}
            result = self.post(self.receiver.url)
            self.assertEqual((False, 302), (result.ok, result.status))
        self.assertEqual(2, len(self.receiver.received))
        self.assertEqual([], target.received)

    def test_a_trickling_receiver_is_cut_at_the_total_time(self):
        self.receiver.trickle = 0.2
        result = self.post(self.receiver.url, total=1)
        self.assertFalse(result.ok)
        self.assertIn('cut at the total time of 1s', result.detail)

    def test_a_slow_resolution_counts_in_the_total_time(self):
        answered = threading.Event()
        self.addCleanup(answered.set)

        def slow(host, port):
            answered.wait(30)
            return [(2, ('127.0.0.2', port))]
        result = self.post('http://slow.test/', total=0.5, resolver=slow)
        self.assertFalse(result.ok)
        self.assertIn('timed out', result.detail)
        self.assertEqual([], self.receiver.received)

    def test_https_checks_the_host_name(self):
        wrapped = []

        class Context:
            def wrap_socket(self, sock, server_hostname):
                wrapped.append(server_hostname)
                raise OSError('no TLS here')
        result = sender.post(
            'https://hooks.test:%d/' % self.receiver.port, b'{}', {}, 5,
            ALLOWED, tls_context=Context(),
            resolver=lambda h, p: [(2, ('127.0.0.2', p))])
        self.assertFalse(result.ok)
        self.assertEqual(['hooks.test'], wrapped)


class TestSignatures(base.TestCase):

    def test_the_standard_webhooks_test_vector(self):
        self.assertEqual(
            'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
            signing.signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
                              'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330,
                              b'{"test": 2432232314}'))

    def test_the_documented_verifier(self):
        verifier = outbox_tests.VERIFIER
        secret = signing.generate_secret()
        body = b'{"id": "d1"}'
        headers = signing.headers(secret, 'd1', 1000, body)
        self.assertNotIn(signing.LEGACY_HEADER, headers)
        seen = set()
        self.assertTrue(verifier.verify(secret, headers, body, seen,
                                        now=1100))
        # The same message again: a replay.
        self.assertFalse(verifier.verify(secret, headers, body, seen,
                                         now=1100))
        self.assertFalse(verifier.verify(secret, headers, body, set(),
                                         now=1000 + verifier.TOLERANCE + 1))
        self.assertFalse(verifier.verify(secret, headers, body + b' ',
                                         set(), now=1100))
        self.assertFalse(verifier.verify(signing.generate_secret(),
                                         headers, body, set(), now=1100))
        forged = dict(headers, **{'webhook-timestamp': '1090'})
        self.assertFalse(verifier.verify(secret, forged, body, set(),
                                         now=1100))

    def test_the_guide_shows_the_tested_code(self):
        guide = os.path.join(os.path.dirname(outbox_tests.__file__),
                             os.pardir, os.pardir, os.pardir, 'doc',
                             'source', 'admin', 'webhooks.rst')
        with open(guide) as f:
            text = f.read()
        self.assertIn('.. literalinclude:: webhook_verify.py\n'
                      '   :language: python\n   :pyobject: verify', text)

    def test_other_secrets_keep_the_old_header_too(self):
        headers = signing.headers('s3cret', 'd1', 1000, b'{}')
        self.assertTrue(outbox_tests.VERIFIER.verify(
            's3cret', headers, b'{}', set(), now=1000))
        self.assertEqual(signing.legacy_signature('s3cret', b'{}'),
                         headers[signing.LEGACY_HEADER])

    def test_secrets_at_rest(self):
        old, new = fernet.Fernet.generate_key().decode(), \
            fernet.Fernet.generate_key().decode()
        self.assertEqual(('s', None), signing.seal('s'))
        self.assertEqual('s', signing.unseal('s', None))
        self.flags(group='notifications', secret_encryption_keys=[old])
        plain, token = signing.seal('whsec_x')
        self.assertIsNone(plain)
        self.assertNotIn('whsec_x', token)
        self.assertEqual('whsec_x', signing.unseal(None, token))
        # Rotation: a new key first, the old one still decrypts.
        self.flags(group='notifications', secret_encryption_keys=[new, old])
        self.assertEqual('whsec_x', signing.unseal(None, token))
        self.flags(group='notifications', secret_encryption_keys=[new])
        self.assertRaises(signing.SecretUnreadable, signing.unseal, None,
                          token)
        self.flags(group='notifications', secret_encryption_keys=['nope'])
        self.assertRaises(ValueError, signing.check_keys)


class TestSenders(outbox_tests.OutboxTestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='notifications', retry_initial_delay=30,
                   retry_max_delay=60, max_attempts=3, webhook_timeout=1,
                   delivery_workers=4, delivery_workers_per_project=2,
                   threshold_interval=0, webhook_allowed_networks=ALLOWED,
                   secret_encryption_keys=[
                       fernet.Fernet.generate_key().decode()])
        self.slow = outbox_tests.Receiver().start()
        self.addCleanup(self.slow.stop)
        self.fast = outbox_tests.Receiver().start()
        self.addCleanup(self.fast.stop)

    def test_a_cut_attempt_is_a_failure_retried_later(self):
        self.slow.trickle = 0.2
        self.subscribe(url=self.slow.url, secret='k')
        [delivery_id] = outbox.record('lease.create',
                                      outbox_tests.lease_payload())
        loop = self.loop()
        self.assertEqual([delivery_id], loop.run_once())
        [row] = base.wait_for(lambda: self.deliveries(
            status=sub_models.PENDING), what='the cut attempt recorded')
        self.assertEqual((1, None, delivery.NOT_ACCEPTED),
                         (row.attempts, row.last_response_code,
                          row.last_error))
        self.assertIsNone(row.claimed_until)
        # Not due again until its backoff: no immediate second send.
        self.assertEqual([], loop.run_once())
        self.assertEqual(1, len(self.slow.received))

    def test_slow_receivers_of_one_project_leave_senders_to_others(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        self.slow.gate = gate
        self.flags(group='notifications', webhook_timeout=60)
        self.subscribe(url=self.slow.url, project='pa')
        self.subscribe(url=self.fast.url, project='pb')
        for i in range(4):
            outbox.record('lease.create',
                          outbox_tests.lease_payload('A%d' % i, 'pa'))
        loop = self.loop()
        claimed = loop.run_once()
        self.assertEqual(2, len(claimed))
        self.slow.wait_for(lambda r: len(r) == 2, what="A's two sends")
        # A has its two senders stuck; B's event still goes out.
        [b_id] = outbox.record('lease.create',
                               outbox_tests.lease_payload('B', 'pb'))
        self.assertEqual([b_id], loop.run_once())
        self.fast.wait_for(lambda r: len(r) == 1, what="B's delivery")
        base.wait_for(lambda: self.deliveries(
            status=sub_models.DELIVERED), what="B's delivery recorded")
        self.assertEqual(2, len(self.slow.received))
        self.assertEqual(2, len(self.deliveries(status=sub_models.SENDING)))
        self.assertEqual(2, len(self.deliveries(status=sub_models.PENDING)))
        gate.set()
        base.wait_for(lambda: len(self.deliveries(
            status=sub_models.DELIVERED)) == 3, what="A's first two")

    def test_the_stored_secret_is_encrypted_and_signs(self):
        sub_id = self.subscribe(url=self.fast.url, secret='whsec_' + 'A' * 44)
        with db.reader() as session:
            row = session.get(sub_models.Subscription, sub_id)
            self.assertIsNone(row.secret)
            self.assertNotIn('A' * 44, row.secret_encrypted)
        outbox.record('lease.create', outbox_tests.lease_payload())
        loop = self.loop()
        base.wait_for(lambda: (loop.run_once(), self.fast.accepted())[1],
                      what='the delivery')
        [(body, headers, raw)] = self.fast.accepted()
        self.assertTrue(outbox_tests.verify('whsec_' + 'A' * 44, headers,
                                            raw))
        self.assertEqual(body['id'], headers['webhook-id'])
        self.assertNotIn(signing.LEGACY_HEADER, headers)

    def test_a_plaintext_row_still_signs(self):
        self.conf.clear_override('secret_encryption_keys',
                                 group='notifications')
        sub_id = subscriptions.SubscriptionManager().create(
            base.ctx(project_id='p1'),
            {'event_types': ['lease.*'], 'url': self.fast.url,
             'secret': 'legacy'})
        with db.reader() as session:
            self.assertEqual('legacy', session.get(
                sub_models.Subscription, sub_id).secret)
        self.flags(group='notifications', secret_encryption_keys=[
            fernet.Fernet.generate_key().decode()])
        outbox.record('lease.create', outbox_tests.lease_payload())
        loop = self.loop()
        base.wait_for(lambda: (loop.run_once(), self.fast.accepted())[1],
                      what='the delivery')
        [(_, headers, raw)] = self.fast.accepted()
        self.assertTrue(outbox_tests.verify('legacy', headers, raw))
        self.assertIn(signing.LEGACY_HEADER, headers)
        self.assertEqual(json.loads(raw)['id'], headers['webhook-id'])
