"""Admin panel: planned capacity changes (list, create, cancel)."""

import logging

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from horizon import tables as horizon_tables
from horizon import views
from openstack_dashboard.api import base

from promise_dashboard.api import promise
from promise_dashboard.content.capacity_changes import forms as cc_forms
from promise_dashboard.content.capacity_changes import tables

LOG = logging.getLogger(__name__)


def _host_names(request):
    try:
        return {str(h['id']): h.get('hypervisor_hostname') or str(h['id'])
                for h in promise.host_list(request)}, None
    except promise.PromiseError as exc:
        return {}, exc.message


class Change(base.APIDictWrapper):
    _attrs = ['id', 'host_id', 'type', 'start_date', 'end_date', 'reason']


def _wrap(change, names):
    values = dict(change)
    values['host_name'] = names.get(str(change['host_id']),
                                    str(change['host_id']))
    values['start'] = promise.format_date(change['start_date'])
    values['end'] = (promise.format_date(change['end_date'])
                     if change.get('end_date') else None)
    return Change(values)


class IndexView(horizon_tables.DataTableView):
    table_class = tables.CapacityChangesTable
    template_name = 'admin/promise_capacity_changes/index.html'
    page_title = _('Capacity Changes')

    def get_data(self):
        names, error = _host_names(self.request)
        if error:
            messages.error(self.request, error)
        try:
            changes = promise.capacity_change_list(self.request)
        except promise.PromiseError as exc:
            messages.error(self.request, exc.message)
            return []
        return [_wrap(c, names) for c in changes]


class CreateView(views.HorizonTemplateView):
    """A planned change; the answer page lists the reservations it
    moved to other hosts or left short (Promise tells their owners)."""

    template_name = 'admin/promise_capacity_changes/create.html'
    page_title = _('Plan Capacity Change')

    def _hosts(self):
        try:
            return promise.host_list(self.request), None
        except promise.PromiseError as exc:
            return [], exc.message

    def get(self, request, *args, **kwargs):
        hosts, error = self._hosts()
        form = cc_forms.CapacityChangeForm(
            hosts=hosts, initial={'type': 'unavailable'})
        return self.render_to_response(self.get_context_data(
            form=form, error=error))

    def post(self, request, *args, **kwargs):
        hosts, error = self._hosts()
        form = cc_forms.CapacityChangeForm(request.POST, hosts=hosts)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(
                form=form, error=error))
        data = form.cleaned_data
        try:
            change = promise.capacity_change_create(
                request, data['host_id'], data['type'], data['start_date'],
                end_date=data.get('end_date'), reason=data.get('reason'))
        except promise.PromiseError as exc:
            return self.render_to_response(self.get_context_data(
                form=form, error=exc.message))
        names = {str(h['id']): h.get('hypervisor_hostname') for h in hosts}
        affected = []
        for item in change.get('affected_reservations') or []:
            item = dict(item)
            item['old_host'] = names.get(str(item.get('old_host_id')),
                                         item.get('old_host_id'))
            item['new_host'] = (names.get(str(item['new_host_id']),
                                          item['new_host_id'])
                                if item.get('new_host_id') else None)
            affected.append(item)
        messages.success(request, _('Capacity change planned.'))
        return self.render_to_response(self.get_context_data(
            created=_wrap(change, names), affected=affected))
