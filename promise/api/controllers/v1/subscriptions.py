"""/v1/subscriptions: webhooks for lease, reservation and capacity events.

Reads come straight from the database, changes go to promise-manager over
RPC. A subscription belongs to its creator's project and sees only that
project's events, unless an admin made it for all projects. The secret
is write-only: a generated one (when the request has none) is shown in
the create answer and never again.
"""

from oslo_utils import uuidutils
import pecan
from pecan import rest
import webob

from promise.api.controllers import base
from promise.api import params
from promise.api.schemas import reservations as res_schema
from promise.api.schemas import subscriptions as schema
from promise.api import validation
from promise.common import dates
from promise.common import subscription_views
from promise import conf
from promise.db import api as db
from promise.db import leases as lease_db
from promise.db.models import subscriptions as sub_models
from promise.db import subscriptions as subscription_db
from promise import exceptions
from promise.notifications import addresses
from promise.notifications import delivery
from promise.notifications import matching
from promise.notifications import signing
from promise.policies import leases as lease_rules
from promise.policies import subscriptions as subscription_rules
from promise import policy

CONF = conf.CONF
DELIVERY_STATUSES = (sub_models.PENDING, sub_models.SENDING,
                     sub_models.DELIVERED, sub_models.FAILED)


def delivery_view(row):
    # A failure shows no status code, connection error or address (that
    # would make a port scanner of the service): the manager stores a
    # stable message and logs the detail with the delivery id.
    delivered = row.status == sub_models.DELIVERED
    return {'id': row.id, 'subscription_id': row.subscription_id,
            'event_type': row.event_type, 'status': row.status,
            'attempts': row.attempts,
            'response_code': row.last_response_code if delivered else None,
            'error': (None if delivered else
                      delivery.shown_error(row.last_error)),
            'next_attempt_at': (dates.format_date(row.next_attempt_at)
                                if row.status == sub_models.PENDING else None),
            'delivered_at': dates.format_date(row.delivered_at),
            'created_at': dates.format_date(row.created_at),
            'updated_at': dates.format_date(row.updated_at)}


def _subscription_or_404(ctx, action, subscription_id):
    """The subscription the caller may ``action``; other projects' ones
    are not found, so that their existence does not leak."""
    with db.reader() as session:
        sub = subscription_db.get(session, subscription_id)
    return base.owned_or_404(
        ctx, action, sub,
        exceptions.NotFound(object='Subscription', id=subscription_id))


class SubscriptionsController(rest.RestController):
    _custom_actions = {'deliveries': ['GET']}

    @pecan.expose('json')
    def get_all(self, **query):
        ctx = base.authorize(subscription_rules.GET)
        params.only(query, ('project_id', 'all_projects'))
        scope = params.project_scope(ctx, query,
                                     subscription_rules.LIST_ALL_PROJECTS)
        with db.reader() as session:
            return {'subscriptions': [
                subscription_views.subscription(s)
                for s in subscription_db.list_(session, *scope)]}

    @pecan.expose('json')
    def get_one(self, subscription_id):
        ctx = pecan.request.context
        sub = _subscription_or_404(ctx, subscription_rules.GET,
                                   subscription_id)
        return {'subscription': subscription_views.subscription(sub)}

    @pecan.expose('json')
    def deliveries(self, subscription_id, **query):
        """GET /v1/subscriptions/{id}/deliveries, newest first."""
        ctx = pecan.request.context
        sub = _subscription_or_404(ctx, subscription_rules.GET,
                                   subscription_id)
        params.only(query, ('limit', 'status'))
        # Deliveries pile up: a page unless asked for less.
        limit = params.limit(query.get('limit'), CONF.api.max_limit)
        status = query.get('status')
        if status is not None and status not in DELIVERY_STATUSES:
            raise exceptions.InvalidInput(
                reason='status must be one of %s.'
                % ', '.join(DELIVERY_STATUSES))
        with db.reader() as session:
            return {'deliveries': [
                delivery_view(row) for row in subscription_db.deliveries(
                    session, sub.id, limit, status)]}

    @pecan.expose('json')
    def post(self):
        ctx = base.authorize(subscription_rules.POST)
        body = validation.validate(schema.CREATE,
                                   validation.load_body(pecan.request))
        values = _typed_create(ctx, body)
        answer = _render(pecan.request.rpcapi.create_subscription(ctx,
                                                                  values))
        if not body.get('secret'):
            # The only time a generated secret is shown.
            answer = dict(answer, secret=values['secret'])
        pecan.response.status = 201
        return {'subscription': answer}

    @pecan.expose('json')
    def delete(self, subscription_id):
        ctx = pecan.request.context
        sub = _subscription_or_404(ctx, subscription_rules.DELETE,
                                   subscription_id)
        pecan.request.rpcapi.delete_subscription(ctx, sub.id)
        return webob.Response(status=204)


def _render(answer):
    """The subscription view promise-manager answered with; a manager
    older than RPC 1.2 answers with the id only, and it is read here."""
    if isinstance(answer, dict):
        return answer
    with db.reader() as session:
        return subscription_views.subscription(
            subscription_db.get(session, answer))


def _typed_create(ctx, body):
    patterns = body['event_types']
    unknown = [p for p in patterns if not matching.known_pattern(p)]
    if unknown:
        raise exceptions.InvalidInput(
            reason='Unknown event type(s) %s. Known: %s; a pattern ending '
                   'in * matches by prefix (lease.*).'
            % (', '.join(unknown), ', '.join(matching.EVENT_TYPES)))
    threshold = body.get('threshold')
    if threshold and not matching.any_matches(patterns,
                                              matching.CAPACITY_CHANGE):
        raise exceptions.InvalidInput(
            reason='A threshold fires capacity.change events; add '
                   'capacity.change (or capacity.*) to event_types.')
    if threshold:
        threshold = {'metric': threshold['metric'], 'op': threshold['op'],
                     'value': threshold['value'],
                     'resource_type': threshold.get('resource_type')}
    all_projects = bool(body.get('all_projects'))
    if all_projects:
        base.authorize(subscription_rules.ALL_PROJECTS)
    resource_type = body.get('resource_type')
    if resource_type and resource_type not in res_schema.by_type():
        raise exceptions.InvalidInput(
            reason='Unsupported resource_type %s; supported: %s.'
            % (resource_type, ', '.join(sorted(res_schema.by_type()))))
    return {'event_types': patterns, 'url': _url(body['url']),
            'secret': _secret(body.get('secret')),
            'lease_id': _lease_id(ctx, body.get('lease_id')),
            'resource_type': resource_type or None,
            'threshold': threshold or None,
            'all_projects': all_projects}


def _secret(value):
    if not value:
        return signing.generate_secret()
    if not signing.valid_standard_secret(value):
        raise exceptions.InvalidInput(
            reason='secret: a whsec_ secret is whsec_ and the base64 of 24 '
                   'to 64 bytes.')
    return value


def _url(value):
    """The URL, unless its host is or resolves to an address webhooks are
    not sent to (promise-manager checks again at each send: DNS answers
    change)."""
    try:
        host, port = addresses.host_and_port(value)
    except ValueError:
        host = None
    if host is None:
        raise exceptions.InvalidInput(
            reason='url must be an http:// or https:// URL with a host.')
    opts = CONF.notifications
    try:
        targets = addresses.resolve(host, port)
    except OSError:
        # Not resolvable now (perhaps not yet): each send checks.
        return value
    if addresses.first_refused(targets, opts.webhook_allowed_networks,
                               opts.webhook_denied_networks):
        raise exceptions.InvalidInput(
            reason='url may not lead to %s: webhooks are only sent to '
                   'global addresses and [notifications] '
                   'webhook_allowed_networks.' % host[:255])
    return value


def _lease_id(ctx, lease_id):
    """A lease the caller may see (other projects' are not found)."""
    if not lease_id:
        return None
    lease = None
    if uuidutils.is_uuid_like(lease_id):
        with db.reader() as session:
            try:
                lease = lease_db.get(session, lease_id)
            except exceptions.LeaseNotFound:
                lease = None
    if lease is None or not policy.check(ctx, lease_rules.GET,
                                         {'project_id': lease.project_id}):
        raise exceptions.LeaseNotFound(id=lease_id)
    return lease.id
