"""openstack reservation subscription create|list|show|delete and
openstack reservation subscription delivery list"""

import logging
import re

from osc_lib.command import command

from promiseclient.osc.v1 import base
from promiseclient.osc.v1 import formatting
from promiseclient import parsers

SHOW_ORDER = ('id', 'event_types', 'lease_id', 'resource_type',
              'threshold', 'url', 'all_projects', 'project_id', 'user_id',
              'created_at', 'updated_at')
LIST_COLUMNS = ('id', 'event_types', 'lease_id', 'resource_type',
                'threshold', 'url')
FORMATTERS = {'event_types': formatting.ListColumn,
              'threshold': formatting.DictColumn}
DELIVERY_COLUMNS = ('id', 'event_type', 'status', 'attempts',
                    'response_code', 'error', 'next_attempt_at',
                    'delivered_at', 'created_at')
DELIVERY_STATUSES = ('pending', 'sending', 'delivered', 'failed')
UUID = re.compile(r'^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$')
SECRET_KEYS = ('secret',)


def _hide_secret(subscription):
    """Never print a secret the service might echo."""
    return {k: ('******' if k in SECRET_KEYS and v else v)
            for k, v in subscription.items()}


class CreateSubscription(command.ShowOne):
    """Subscribe a webhook to Promise's events.

    Promise POSTs each matching event as JSON to the URL, signed as
    Standard Webhooks sign (webhook-id, webhook-timestamp and
    webhook-signature headers). Without --secret, Promise makes a
    secret (whsec_BASE64) and this command shows it: the only time it
    is shown.
    """

    log = logging.getLogger(__name__ + '.CreateSubscription')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--event-type', metavar='<event-type>', dest='event_types',
            action='append', required=True,
            help='Event type or pattern, e.g. lease.*, reservation.degraded, '
                 'capacity.change (repeat for several)')
        parser.add_argument(
            '--lease', metavar='<lease>',
            help='Only events of this lease (id or name)')
        parser.add_argument(
            '--resource-type', metavar='<resource-type>',
            help='Only events about this resource type, e.g. physical:host')
        parser.add_argument(
            '--threshold', metavar='<metric,op,value>',
            help='capacity.change: only when the metric crosses the '
                 'threshold, e.g. available,lt,5 (op: %s)'
                 % ', '.join(parsers.THRESHOLD_OPS))
        parser.add_argument(
            '--url', metavar='<url>', required=True,
            help='Where to POST the events')
        parser.add_argument(
            '--secret', metavar='<secret>',
            help='Key of the HMAC-SHA256 signature of each delivery '
                 '(default: one Promise makes, shown once)')
        parser.add_argument(
            '--all-projects', action='store_true', default=None,
            help='Events of every project (admin only)')
        return parser

    def take_action(self, parsed_args):
        client = base.client(self.app)
        threshold = None
        if parsed_args.threshold is not None:
            threshold = parsers.parse_threshold(parsed_args.threshold)
        lease_id = parsed_args.lease
        if lease_id and not UUID.match(lease_id):
            lease_id = client.get_lease(lease_id)['id']
        subscription = client.create_subscription(
            parsed_args.event_types, parsed_args.url, lease_id=lease_id,
            resource_type=parsed_args.resource_type, threshold=threshold,
            secret=parsed_args.secret,
            all_projects=parsed_args.all_projects)
        if parsed_args.secret is not None:
            # The caller knows it; a secret Promise made is shown once.
            subscription = _hide_secret(subscription)
        return base.show_columns(subscription, SHOW_ORDER, FORMATTERS)


class ListSubscriptions(command.Lister):
    """List webhook subscriptions (admin: of every project)."""

    log = logging.getLogger(__name__ + '.ListSubscriptions')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--project', metavar='<project-id>',
            help='Only the subscriptions of this project (admin only)')
        return parser

    def take_action(self, parsed_args):
        subscriptions = base.client(self.app).list_subscriptions(
            project_id=parsed_args.project)
        rows = []
        for sub in subscriptions:
            rows.append(tuple(
                FORMATTERS[k](sub.get(k)) if k in FORMATTERS else sub.get(k)
                for k in LIST_COLUMNS))
        return LIST_COLUMNS, rows


class ShowSubscription(command.ShowOne):
    """Show a webhook subscription."""

    log = logging.getLogger(__name__ + '.ShowSubscription')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('subscription', metavar='<subscription>',
                            help='Id of the subscription')
        return parser

    def take_action(self, parsed_args):
        subscription = base.client(self.app).get_subscription(
            parsed_args.subscription)
        return base.show_columns(_hide_secret(subscription), SHOW_ORDER,
                                 FORMATTERS)


class DeleteSubscription(command.Command):
    """Delete webhook subscriptions."""

    log = logging.getLogger(__name__ + '.DeleteSubscription')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('subscriptions', metavar='<subscription>',
                            nargs='+', help='Id(s) of the subscription(s)')
        return parser

    def take_action(self, parsed_args):
        base.delete_each(self.log, 'subscription',
                         parsed_args.subscriptions,
                         base.client(self.app).delete_subscription)


class ListDeliveries(command.Lister):
    """List the deliveries of a subscription, newest first.

    Shows each delivery's status, attempts and the receiver's last answer.
    """

    log = logging.getLogger(__name__ + '.ListDeliveries')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('subscription', metavar='<subscription>',
                            help='Id of the subscription')
        parser.add_argument(
            '--status', metavar='<status>', choices=DELIVERY_STATUSES,
            help='Only deliveries in this status (%s)'
                 % ', '.join(DELIVERY_STATUSES))
        parser.add_argument(
            '--limit', metavar='<limit>', type=int,
            help='At most this many deliveries')
        parser.add_argument(
            '--long', action='store_true',
            help='Show every field of each delivery')
        return parser

    def take_action(self, parsed_args):
        deliveries = base.client(self.app).list_deliveries(
            parsed_args.subscription, status=parsed_args.status,
            limit=parsed_args.limit)
        columns = list(DELIVERY_COLUMNS)
        if parsed_args.long:
            columns += sorted({k for d in deliveries for k in d} -
                              set(columns))
        rows = [tuple(formatting.DictColumn(d.get(k))
                      if isinstance(d.get(k), dict) else d.get(k)
                      for k in columns) for d in deliveries]
        return tuple(columns), rows
