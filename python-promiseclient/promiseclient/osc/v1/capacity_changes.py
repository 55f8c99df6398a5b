"""openstack reservation capacity change create|list|show|delete"""

import logging

from osc_lib.command import command

from promiseclient.osc.v1 import base
from promiseclient.osc.v1 import formatting
from promiseclient import parsers

SHOW_ORDER = ('id', 'host_id', 'type', 'start_date', 'end_date', 'reason',
              'created_at', 'updated_at', 'affected_reservations')
LIST_COLUMNS = ('id', 'host_id', 'type', 'start_date', 'end_date',
                'reason')
FORMATTERS = {'affected_reservations': formatting.AffectedColumn}


class CreateCapacityChange(command.ShowOne):
    """Plan a capacity change on a host (admin).

    "unavailable" takes the host out of the reservable pool from the start
    date to the end date (no end date: for good); reservations that overlap
    are moved to free hosts where possible, flagged otherwise, and listed
    as affected_reservations.  "available" adds the host to the pool from
    the start date only.
    """

    log = logging.getLogger(__name__ + '.CreateCapacityChange')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--host', metavar='<host>', required=True,
            help='Host id or hypervisor hostname')
        parser.add_argument(
            '--type', metavar='<type>', dest='change_type', required=True,
            choices=('unavailable', 'available'),
            help='unavailable (planned downtime or retirement) or '
                 'available (joins the pool from the start date)')
        parser.add_argument(
            '--start-date', metavar='<YYYY-MM-DD HH:MM>', required=True,
            help='When the change takes effect, UTC, or "now"')
        parser.add_argument(
            '--end-date', metavar='<YYYY-MM-DD HH:MM>',
            help='unavailable only: when the host is back (default: never)')
        parser.add_argument(
            '--reason', metavar='<reason>',
            help='Why (shown to operators and in notifications)')
        return parser

    def take_action(self, parsed_args):
        start = parsers.parse_date(parsed_args.start_date, '--start-date',
                                   allow_now=True)
        end = None
        if parsed_args.end_date:
            end = parsers.parse_date(parsed_args.end_date, '--end-date')
        change = base.client(self.app).create_capacity_change(
            parsed_args.host, parsed_args.change_type, start, end_date=end,
            reason=parsed_args.reason)
        change.setdefault('affected_reservations', [])
        return base.show_columns(change, SHOW_ORDER, FORMATTERS)


class ListCapacityChanges(command.Lister):
    """List planned capacity changes (admin)."""

    log = logging.getLogger(__name__ + '.ListCapacityChanges')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--host', metavar='<host>',
            help='Only the changes of this host (id or hypervisor hostname)')
        return parser

    def take_action(self, parsed_args):
        changes = base.client(self.app).list_capacity_changes(
            host_id=parsed_args.host)
        return LIST_COLUMNS, [tuple(c.get(k) for k in LIST_COLUMNS)
                              for c in changes]


class ShowCapacityChange(command.ShowOne):
    """Show a planned capacity change (admin)."""

    log = logging.getLogger(__name__ + '.ShowCapacityChange')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('change', metavar='<change>',
                            help='Id of the capacity change')
        return parser

    def take_action(self, parsed_args):
        change = base.client(self.app).get_capacity_change(
            parsed_args.change)
        return base.show_columns(change, SHOW_ORDER, FORMATTERS)


class DeleteCapacityChange(command.Command):
    """Cancel planned capacity changes (admin)."""

    log = logging.getLogger(__name__ + '.DeleteCapacityChange')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('changes', metavar='<change>', nargs='+',
                            help='Id(s) of the capacity change(s)')
        return parser

    def take_action(self, parsed_args):
        base.delete_each(self.log, 'capacity change', parsed_args.changes,
                         base.client(self.app).delete_capacity_change)
