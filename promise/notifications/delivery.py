"""The webhook delivery loop that runs in every promise-manager (a claim
loop, see db/claims).

Each loop claims due outbox rows, only as many as it has free senders, so
a claim never waits in a queue: a row is sent by one manager at a time,
and a claim of a manager that died expires and is taken over.
A delivery is an HTTP POST of the stored body, signed with the
subscription's secret; a 2xx answer marks it delivered, anything else
schedules a retry with exponential backoff until max_attempts or max_age
mark it failed.

Delivery is at least once: a manager killed after the receiver answered
but before it recorded the answer leaves a claim that another manager
takes over and sends again. The body's ``id`` (also in
X-Promise-Delivery) is what receivers deduplicate on.
"""

import collections
import datetime
import hashlib
import hmac
import socket
import time
import urllib.parse

from oslo_log import log as logging
import requests

from promise.common import dates
from promise import conf
from promise.db import api as db
from promise.db import claims
from promise.db.models import subscriptions as sub_models
from promise.notifications import matching
from promise.notifications import notifier
from promise.notifications import outbox
from promise import version

CONF = conf.CONF
LOG = logging.getLogger(__name__)

SIGNATURE_HEADER = 'X-Promise-Signature'
BATCH = 100
PURGE_INTERVAL = 3600


def sign(secret, body):
    """``sha256=<hex HMAC-SHA256 of the body bytes>``."""
    if isinstance(secret, str):
        secret = secret.encode('utf-8')
    return 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()


def backoff(attempts, initial, maximum):
    """Seconds before the next attempt after ``attempts`` failed ones:
    initial, 2 * initial, 4 * initial, ... at most ``maximum``."""
    return min(maximum, initial * 2 ** max(0, min(attempts - 1, 32)))


def retry_at(attempts, created_at, now, opts=None):
    """When to try again after ``attempts`` failed attempts; None when the
    delivery has failed for good (too many attempts, or too old)."""
    opts = opts or CONF.notifications
    if attempts >= opts.max_attempts:
        return None
    when = now + datetime.timedelta(seconds=backoff(
        attempts, opts.retry_initial_delay, opts.retry_max_delay))
    if when > created_at + datetime.timedelta(seconds=opts.max_age):
        return None
    return when


def _describe(exc):
    """The error without urllib3's wrapping (MaxRetryError and so on)."""
    inner = exc.args[0] if exc.args else exc
    inner = getattr(inner, 'reason', inner)
    return '%s: %s' % (type(exc).__name__, inner)


def _user_agent():
    return 'promise/%s' % version.version_info.version_string()


# final: no point in trying again.
Outcome = collections.namedtuple('Outcome', 'ok response_code error final')


def denied_destination(url, networks):
    """The address ``url``'s host resolves to that is in ``networks``, or
    None (also when it does not resolve: the POST reports that)."""
    if not networks:
        return None
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == 'https' else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port,
                                   proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    return matching.denied_address([info[4][0] for info in infos],
                                   networks)


def post(url, secret, body, delivery_id, event_type, timeout,
         denied_networks=()):
    """POST the body (redirects are not followed); returns an Outcome."""
    denied = denied_destination(url, denied_networks)
    if denied is not None:
        return Outcome(False, None, 'The URL leads to %s, in '
                       '[notifications] webhook_denied_networks' % denied,
                       True)
    data = body.encode('utf-8')
    headers = {'Content-Type': 'application/json',
               'User-Agent': _user_agent(),
               'X-Promise-Delivery': delivery_id,
               'X-Promise-Event': event_type}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, data)
    try:
        resp = requests.post(url, data=data, headers=headers,
                             timeout=(timeout, timeout),
                             allow_redirects=False, stream=True)
    except requests.RequestException as exc:
        return Outcome(False, None, _describe(exc), False)
    resp.close()
    if 200 <= resp.status_code < 300:
        return Outcome(True, resp.status_code, None, False)
    return Outcome(False, resp.status_code, 'HTTP %d' % resp.status_code,
                   False)


class DeliveryLoop(claims.ClaimLoop):

    what = 'webhook deliveries'

    def __init__(self, owner, opts=None):
        self._opts = opts or CONF.notifications
        # Only as many claims as free senders: a claim never waits in a
        # queue, where it could expire.
        super().__init__(owner, self._opts.delivery_workers, 'webhook',
                         bounded=True)
        self._next_thresholds = 0
        self._next_purge = 0

    @property
    def interval(self):
        return self._opts.delivery_interval

    @property
    def claim_timeout(self):
        # Longer than a send can take, so a live claim never expires.
        return datetime.timedelta(seconds=max(
            self._opts.delivery_claim_timeout,
            3 * self._opts.webhook_timeout + 5))

    def start(self):
        outbox.add_waker(self.wake)
        super().start()

    def stop(self):
        outbox.remove_waker(self.wake)
        super().stop()

    def periodic(self):
        now = time.monotonic()
        interval = self._opts.threshold_interval
        if interval and now >= self._next_thresholds:
            self._next_thresholds = now + interval
            notifier.check_thresholds()
        days = self._opts.retention_days
        if days and now >= self._next_purge:
            self._next_purge = now + PURGE_INTERVAL
            before = dates.utcnow() - datetime.timedelta(days=days)
            with db.writer() as session:
                gone = outbox.purge(session, before)
            if gone:
                LOG.info('Forgot %d delivered or failed webhook '
                         'deliveries older than %d days', gone, days)

    def next_due(self, session, now):
        return outbox.next_due_time(session)

    def due(self, session, now):
        return outbox.due(session, now, BATCH)

    def claim(self, session, delivery_id, now, until):
        return outbox.claim(session, delivery_id, self.owner, now, until)

    def handle(self, delivery_id):
        try:
            self.send(delivery_id)
        except Exception:
            LOG.exception('Sending webhook delivery %s failed', delivery_id)

    def send(self, delivery_id):
        """Send one delivery this loop has claimed and record the
        outcome."""
        with db.reader() as session:
            row = session.get(sub_models.Delivery, delivery_id)
            sub = (session.get(sub_models.Subscription, row.subscription_id)
                   if row is not None else None)
            if sub is None:
                LOG.debug('Delivery %s went with its subscription',
                          delivery_id)
                return
            url, secret = sub.url, sub.secret
            body, event_type = row.body, row.event_type
            attempts, created_at = row.attempts, row.created_at
        outcome = post(url, secret, body, delivery_id, event_type,
                       self._opts.webhook_timeout,
                       self._opts.webhook_denied_networks)
        code, error = outcome.response_code, outcome.error
        now = dates.utcnow()
        if outcome.ok:
            status, when = sub_models.DELIVERED, None
            LOG.info('Delivered %s %s to subscription %s (HTTP %s)',
                     event_type, delivery_id, sub.id, code)
        else:
            when = (None if outcome.final else
                    retry_at(attempts + 1, created_at, now, self._opts))
            status = sub_models.PENDING if when else sub_models.FAILED
            LOG.warning('Webhook delivery %s of %s to subscription %s '
                        'failed (attempt %d: %s); %s', delivery_id,
                        event_type, sub.id, attempts + 1, error,
                        'retrying at %s' % when if when else 'giving up')
        with db.writer() as session:
            if not outbox.finish(session, delivery_id, self.owner, now,
                                 status, next_attempt_at=when,
                                 response_code=code, error=error):
                LOG.warning('Delivery %s was taken over by another manager '
                            'or deleted before it finished here',
                            delivery_id)
