"""openstack reservation lease check"""

import logging

from osc_lib.command import command

from promiseclient.osc.v1 import base
from promiseclient.osc.v1 import formatting
from promiseclient import parsers


class CheckLease(command.ShowOne):
    """Check whether a lease would be accepted, without creating it.

    Takes the arguments of "openstack reservation lease create" and shows
    Promise's offer: whether the lease fits (feasible), the most each
    reservation could get over the whole window (max_reservable) and up to
    three windows of the same length where all of it fits (alternatives).
    """

    log = logging.getLogger(__name__ + '.CheckLease')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>',
                            help='Name of the lease to check')
        parser.add_argument(
            '--start-date', metavar='<YYYY-MM-DD HH:MM>', default='now',
            help='Start, UTC, or "now" (default: now)')
        parser.add_argument(
            '--end-date', metavar='<YYYY-MM-DD HH:MM>',
            help='End, UTC (default: 24 hours after the start)')
        parser.add_argument(
            '--before-end-date', metavar='<YYYY-MM-DD HH:MM>',
            help='When to run the before-end action, UTC (default: set by '
                 'the service)')
        parser.add_argument(
            '--reservation', metavar='<key=value,...>', action='append',
            dest='reservations', default=[], required=True,
            help='A reservation, as for "lease create": e.g. '
                 'resource_type=physical:host,min=1,max=2,'
                 'hypervisor_properties=\'[">=", "$vcpus", "8"]\'. '
                 'Values may contain commas (JSON queries). Repeat for '
                 'several reservations.')
        return parser

    def take_action(self, parsed_args):
        start = parsers.parse_date(parsed_args.start_date, '--start-date',
                                   allow_now=True)
        if parsed_args.end_date:
            end = parsers.parse_date(parsed_args.end_date, '--end-date')
        else:
            end = parsers.end_after(start)
        before_end = None
        if parsed_args.before_end_date:
            before_end = parsers.parse_date(parsed_args.before_end_date,
                                            '--before-end-date')
        reservations = [parsers.parse_reservation(text)
                        for text in parsed_args.reservations]
        offer = base.client(self.app).check_lease(
            parsed_args.name, start, end, reservations,
            before_end_date=before_end)
        return base.show_columns(
            offer, ('feasible', 'max_reservable', 'alternatives'),
            {'max_reservable': formatting.NumbersColumn,
             'alternatives': formatting.WindowsColumn})
