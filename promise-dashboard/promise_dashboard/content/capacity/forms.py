"""Forms of the project panel: the timeline's window and the lease
request that is first checked (the offer), then committed."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from promise_dashboard.api import promise

DATE_HELP = _('UTC, as YYYY-MM-DD HH:MM')
SHAPE = ('vcpus', 'memory_mb', 'disk_gb')
RESOURCE_TYPES = (
    (promise.HOST, _('Whole hosts (physical:host)')),
    (promise.INSTANCE, _('Instances (virtual:instance)')),
    (promise.FLOATINGIP, _('Floating IPs (virtual:floatingip)')),
)


def parse_minute(value, allow_now=False):
    value = (value or '').strip()
    if allow_now and value.lower() == 'now':
        return 'now'
    try:
        return datetime.datetime.strptime(value, promise.DATE_IN)
    except ValueError:
        raise forms.ValidationError(
            _('%(value)s is not a date of the form YYYY-MM-DD HH:MM.'),
            params={'value': value})


class WindowForm(forms.Form):
    """The timeline's query (GET): resource type and window."""

    resource_type = forms.ChoiceField(
        label=_('Resource type'), choices=RESOURCE_TYPES, required=False)
    start = forms.CharField(label=_('From'), required=False,
                            help_text=DATE_HELP)
    days = forms.IntegerField(label=_('Days'), min_value=1, max_value=90,
                              required=False)

    # An instance shape (virtual:instance only): capacity is then counted
    # in instances of that shape instead of vCPUs.
    vcpus = forms.IntegerField(label=_('vCPUs'), min_value=0,
                               required=False)
    memory_mb = forms.IntegerField(label=_('RAM (MB)'), min_value=0,
                                   required=False)
    disk_gb = forms.IntegerField(label=_('Disk (GB)'), min_value=0,
                                 required=False)

    def shape(self):
        if not (self.is_bound and self.is_valid()):
            return {}
        return {key: self.cleaned_data[key] for key in SHAPE
                if self.cleaned_data.get(key)}

    def clean_start(self):
        value = self.cleaned_data.get('start')
        return parse_minute(value) if value else None


class LeaseRequestForm(forms.Form):
    """What the user asks for: a window and a number of whole hosts."""

    name = forms.CharField(label=_('Lease name'), max_length=80)
    start_date = forms.CharField(
        label=_('Start'), help_text=_('%s, or "now"') % DATE_HELP)
    end_date = forms.CharField(label=_('End'), help_text=DATE_HELP)
    min_hosts = forms.IntegerField(label=_('Hosts (at least)'),
                                   min_value=1, initial=1)
    max_hosts = forms.IntegerField(label=_('Hosts (at most)'), min_value=1,
                                   initial=1)
    hypervisor_properties = forms.CharField(
        label=_('Hypervisor properties'), required=False,
        help_text=_('Optional query, e.g. '
                    '["==", "$hypervisor_hostname", "compute1"]'))
    resource_properties = forms.CharField(
        label=_('Host properties'), required=False,
        help_text=_('Optional query on the hosts\' extra capabilities, '
                    'e.g. ["==", "$gpu", "true"]'))

    def clean_start_date(self):
        return parse_minute(self.cleaned_data.get('start_date'),
                            allow_now=True)

    def clean_end_date(self):
        return parse_minute(self.cleaned_data.get('end_date'))

    def clean(self):
        data = super().clean()
        start, end = data.get('start_date'), data.get('end_date')
        if start and end:
            begin = promise.utcnow() if start == 'now' else start
            if end <= begin:
                self.add_error('end_date',
                               _('The end must be later than the start.'))
        low, high = data.get('min_hosts'), data.get('max_hosts')
        if low and high and high < low:
            self.add_error('max_hosts',
                           _('"At most" cannot be below "at least".'))
        return data

    def reservations(self):
        data = self.cleaned_data
        return [promise.host_reservation(
            data['min_hosts'], data['max_hosts'],
            data.get('hypervisor_properties', ''),
            data.get('resource_properties', ''))]

    def hidden_values(self):
        """The request as strings, for the commit buttons' hidden inputs
        (the window is added per button)."""
        data = self.cleaned_data
        return [(key, data.get(key) or '') for key in (
            'name', 'min_hosts', 'max_hosts', 'hypervisor_properties',
            'resource_properties')]
