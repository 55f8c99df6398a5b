"""The webhook delivery loop that runs in every promise-manager (a claim
loop, see db/claims).

Each loop claims due outbox rows, only as many as it has free senders
and at most ``delivery_workers_per_project`` of one project, so a claim
never waits in a queue and one project's slow receivers leave senders to
the others: a row is sent by one manager at a time, and a claim of a
manager that died expires and is taken over.
A delivery is an HTTP POST of the stored body (notifications/sender:
resolved once, to checked addresses only, bounded in total time), signed
anew at each attempt (notifications/signing); a 2xx answer marks it
delivered, anything else schedules a retry with exponential backoff until
max_attempts or max_age mark it failed.

What the deliveries API shows of a failure is one of two stable messages:
status codes, connection errors and addresses would make the service a
port scanner. The detail is in this log, with the delivery id.

Delivery is at least once: a manager killed after the receiver answered
but before it recorded the answer leaves a claim that another manager
takes over and sends again. The body's ``id`` (also webhook-id and
X-Promise-Delivery) is what receivers deduplicate on.
"""

import collections
import datetime
import threading
import time

from oslo_log import log as logging

from promise.common import dates
from promise import conf
from promise.db import api as db
from promise.db import claims
from promise.db.models import subscriptions as sub_models
from promise.notifications import addresses
from promise.notifications import notifier
from promise.notifications import outbox
from promise.notifications import sender
from promise.notifications import signing
from promise import version

CONF = conf.CONF
LOG = logging.getLogger(__name__)

BATCH = 100
PURGE_INTERVAL = 3600

# The only failure texts the deliveries API shows.
NOT_ACCEPTED = ('The receiver did not accept the delivery in time (no 2xx '
                'answer); it is retried.')
REFUSED = ('The URL leads to an address webhooks are not sent to '
           '([notifications] webhook_allowed_networks).')
UNSIGNABLE = ('The subscription\'s secret cannot be read with the '
              'configured [notifications] secret_encryption_keys.')
MESSAGES = (NOT_ACCEPTED, REFUSED, UNSIGNABLE)


def shown_error(stored):
    """What the API shows of a stored error: rows written before these
    messages hold network detail."""
    if stored is None or stored in MESSAGES:
        return stored
    return NOT_ACCEPTED


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


def _user_agent():
    return 'promise/%s' % version.version_info.version_string()


# ok: 2xx; response_code: shown only for a delivery; error: one of the
# stable texts above; final: no point in trying again; detail: for the log.
Outcome = collections.namedtuple('Outcome',
                                 'ok response_code error final detail')


def post(url, secret, body, delivery_id, event_type, timeout,
         allowed_networks=(), denied_networks=(), resolver=None, now=None):
    """One attempt; returns an Outcome."""
    data = body.encode('utf-8')
    headers = {'Content-Type': 'application/json',
               'User-Agent': _user_agent(),
               'X-Promise-Delivery': delivery_id,
               'X-Promise-Event': event_type}
    # Signed at the attempt's own time, so that a retry carries a fresh
    # timestamp and receivers can refuse old messages.
    headers.update(signing.headers(secret, delivery_id,
                                   int(now if now is not None
                                       else time.time()), data))
    result = sender.post(url, data, headers, timeout, allowed_networks,
                         denied_networks, resolver=resolver)
    if result.ok:
        return Outcome(True, result.status, None, False, result.detail)
    if result.refused:
        return Outcome(False, None, REFUSED, True, result.detail)
    return Outcome(False, None, NOT_ACCEPTED, False, result.detail)


class DeliveryLoop(claims.ClaimLoop):

    what = 'webhook deliveries'
    #: (host, port) -> [(family, sockaddr)]; tests give a stub.
    resolver = None

    def __init__(self, owner, opts=None):
        self._opts = opts or CONF.notifications
        # A broken key or CIDR stops the manager before it starts.
        signing.check_keys(self._opts)
        addresses.check_networks(self._opts.webhook_allowed_networks,
                                 self._opts.webhook_denied_networks)
        # Only as many claims as free senders: a claim never waits in a
        # queue, where it could expire.
        super().__init__(owner, self._opts.delivery_workers, 'webhook',
                         bounded=True)
        self._next_thresholds = 0
        self._next_purge = 0
        # Sends in flight per project, and whether a scan left due rows
        # of a project at its cap (then the loop waits for a sender to
        # finish, which wakes it, instead of scanning again at once).
        self._busy = collections.Counter()
        self._busy_lock = threading.Lock()
        self._deferred = False

    @property
    def interval(self):
        return self._opts.delivery_interval

    @property
    def claim_timeout(self):
        # Longer than a send can take (webhook_timeout bounds its total),
        # so a live claim never expires and a cut attempt is recorded as
        # a failure and retried later, not re-claimed and sent at once.
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

    # -- per-project senders ------------------------------------------------

    def _saturated(self):
        cap = self._opts.delivery_workers_per_project
        with self._busy_lock:
            return {p for p, n in self._busy.items() if n >= cap}

    def next_due(self, session, now):
        upcoming = outbox.next_due_time(session)
        if self._deferred and upcoming is not None and upcoming <= now:
            # Only rows of projects at their cap are due: a finishing
            # sender wakes the loop, new deliveries too.
            return None
        return upcoming

    def due(self, session, now):
        saturated = self._saturated()
        rows = outbox.due(session, now, BATCH, skip_projects=saturated)
        self._deferred = bool(saturated)
        return rows

    def item_id(self, item):
        return item[0]

    def claim(self, session, item, now, until):
        delivery_id, project_id = item
        cap = self._opts.delivery_workers_per_project
        with self._busy_lock:
            if self._busy[project_id] >= cap:
                self._deferred = True
                return False
            self._busy[project_id] += 1
        won = False
        try:
            won = outbox.claim(session, delivery_id, self.owner, now, until)
        finally:
            if not won:
                self._done(project_id)
        return won

    def _done(self, project_id):
        with self._busy_lock:
            self._busy[project_id] -= 1
            if self._busy[project_id] <= 0:
                del self._busy[project_id]

    def handle(self, item):
        delivery_id, project_id = item
        try:
            self.send(delivery_id)
        except Exception:
            LOG.exception('Sending webhook delivery %s failed', delivery_id)
        finally:
            self._done(project_id)

    # -- one attempt ----------------------------------------------------------

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
            url, sub_id = sub.url, sub.id
            plain, encrypted = sub.secret, sub.secret_encrypted
            body, event_type = row.body, row.event_type
            attempts, created_at = row.attempts, row.created_at
        try:
            secret = signing.unseal(plain, encrypted, self._opts)
        except signing.SecretUnreadable as exc:
            outcome = Outcome(False, None, UNSIGNABLE, False, str(exc))
        else:
            outcome = post(url, secret, body, delivery_id, event_type,
                           self._opts.webhook_timeout,
                           self._opts.webhook_allowed_networks,
                           self._opts.webhook_denied_networks,
                           resolver=self.resolver)
        now = dates.utcnow()
        if outcome.ok:
            status, when = sub_models.DELIVERED, None
            LOG.info('Delivered %s %s to subscription %s (%s)',
                     event_type, delivery_id, sub_id, outcome.detail)
        else:
            when = (None if outcome.final else
                    retry_at(attempts + 1, created_at, now, self._opts))
            status = sub_models.PENDING if when else sub_models.FAILED
            LOG.warning('Webhook delivery %s of %s to subscription %s '
                        'failed (attempt %d: %s); %s', delivery_id,
                        event_type, sub_id, attempts + 1, outcome.detail,
                        'retrying at %s' % when if when else 'giving up')
        with db.writer() as session:
            if not outbox.finish(session, delivery_id, self.owner, now,
                                 status, next_attempt_at=when,
                                 response_code=outcome.response_code,
                                 error=outcome.error):
                LOG.warning('Delivery %s was taken over by another manager '
                            'or deleted before it finished here',
                            delivery_id)
