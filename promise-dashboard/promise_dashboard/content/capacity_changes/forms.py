from django import forms
from django.utils.translation import gettext_lazy as _

from promise_dashboard.content.capacity import forms as capacity_forms

TYPES = (
    ('unavailable', _('Unavailable (planned downtime or retirement)')),
    ('available', _('Available (joins the pool from the start date)')),
)


class CapacityChangeForm(forms.Form):
    host_id = forms.ChoiceField(label=_('Host'))
    type = forms.ChoiceField(label=_('Type'), choices=TYPES)
    start_date = forms.CharField(label=_('From'),
                                 help_text=_('UTC, YYYY-MM-DD HH:MM, or '
                                             '"now"'))
    end_date = forms.CharField(
        label=_('Until'), required=False,
        help_text=_('UTC, YYYY-MM-DD HH:MM; empty: for good (only for '
                    '"unavailable")'))
    reason = forms.CharField(label=_('Reason'), required=False,
                             max_length=255)

    def __init__(self, *args, hosts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields['host_id'].choices = [
            (str(h['id']), '%s (id %s)' % (h.get('hypervisor_hostname'),
                                           h['id'])) for h in hosts]

    def clean_start_date(self):
        return capacity_forms.parse_minute(
            self.cleaned_data.get('start_date'), allow_now=True)

    def clean_end_date(self):
        value = self.cleaned_data.get('end_date')
        return capacity_forms.parse_minute(value) if value else None

    def clean(self):
        data = super().clean()
        if data.get('type') == 'available' and data.get('end_date'):
            self.add_error('end_date', _('An "available" change has a '
                                         'start date only.'))
        start, end = data.get('start_date'), data.get('end_date')
        if start and end and start != 'now' and end <= start:
            self.add_error('end_date',
                           _('The end must be later than the start.'))
        return data
