"""openstack reservation capacity show"""

import logging

from osc_lib.command import command

from promiseclient.osc.v1 import base
from promiseclient.osc.v1 import formatting
from promiseclient import parsers

RESOURCE_TYPES = ('physical:host', 'virtual:instance', 'virtual:floatingip')


class ShowCapacity(command.ShowOne):
    """Show total, reserved, used and available capacity over a window.

    The timeline is a step function: one row per period in which nothing
    changes.  Without dates the window is now to now + 30 days.
    """

    log = logging.getLogger(__name__ + '.ShowCapacity')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--resource-type', metavar='<resource-type>',
            choices=RESOURCE_TYPES, default=None,
            help='physical:host (default), virtual:instance or '
                 'virtual:floatingip')
        parser.add_argument(
            '--start-date', metavar='<YYYY-MM-DD HH:MM>',
            help='Start of the window, UTC, or "now" (default: now)')
        parser.add_argument(
            '--end-date', metavar='<YYYY-MM-DD HH:MM>',
            help='End of the window, UTC (default: start + 30 days)')
        parser.add_argument(
            '--hypervisor-properties', metavar='<json-query>',
            help='Count only hosts matching this query, e.g. '
                 '\'[">=", "$vcpus", "8"]\'')
        parser.add_argument(
            '--resource-properties', metavar='<json-query>',
            help='Count only hosts whose extra capabilities match this '
                 'query, e.g. \'["==", "$gpu", "true"]\' (virtual:floatingip: '
                 'addresses whose fields match, e.g. '
                 '\'["==", "$floating_network_id", "<id>"]\')')
        parser.add_argument(
            '--vcpus', metavar='<vcpus>', type=int,
            help='virtual:instance: vCPUs of the instance shape to count')
        parser.add_argument(
            '--memory-mb', metavar='<memory-mb>', type=int,
            help='virtual:instance: memory (MiB) of the shape')
        parser.add_argument(
            '--disk-gb', metavar='<disk-gb>', type=int,
            help='virtual:instance: disk (GiB) of the shape')
        parser.add_argument(
            '--timeline-chart', action='store_true',
            help='Add a text bar chart of available/total per step')
        return parser

    def take_action(self, parsed_args):
        start = parsed_args.start_date
        if start is not None:
            start = parsers.parse_date(start, '--start-date',
                                       allow_now=True)
        end = parsed_args.end_date
        if end is not None:
            end = parsers.parse_date(end, '--end-date')
        capacity = base.client(self.app).get_capacity(
            resource_type=parsed_args.resource_type, start_date=start,
            end_date=end,
            hypervisor_properties=parsed_args.hypervisor_properties,
            resource_properties=parsed_args.resource_properties,
            vcpus=parsed_args.vcpus, memory_mb=parsed_args.memory_mb,
            disk_gb=parsed_args.disk_gb)
        data = dict(capacity)
        formatters = {'timeline': formatting.TimelineColumn,
                      'quota': formatting.QuotaColumn}
        if parsed_args.timeline_chart:
            data['timeline_chart'] = capacity.get('timeline') or []
            formatters['timeline_chart'] = formatting.ChartColumn
        return base.show_columns(
            data, ('resource_type', 'unit', 'start_date', 'end_date',
                   'min_available', 'timeline', 'timeline_chart', 'quota'),
            formatters)
