from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import tables

from promise_dashboard.api import promise


class CreateChange(tables.LinkAction):
    name = 'create'
    verbose_name = _('Plan Capacity Change')
    url = 'horizon:admin:promise_capacity_changes:create'
    icon = 'plus'


class CancelChange(tables.DeleteAction):
    name = 'cancel'

    @staticmethod
    def action_present(count):
        return ngettext_lazy('Cancel Capacity Change',
                             'Cancel Capacity Changes', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Cancelled Capacity Change',
                             'Cancelled Capacity Changes', count)

    def delete(self, request, obj_id):
        try:
            promise.capacity_change_delete(request, obj_id)
        except promise.PromiseError as exc:
            messages.error(request, exc.message)
            raise


class CapacityChangesTable(tables.DataTable):
    host = tables.Column('host_name', verbose_name=_('Host'))
    type = tables.Column('type', verbose_name=_('Type'))
    start = tables.Column('start', verbose_name=_('From (UTC)'))
    end = tables.Column('end', verbose_name=_('Until (UTC)'),
                        empty_value=_('for good'))
    reason = tables.Column('reason', verbose_name=_('Reason'),
                           empty_value='')

    def get_object_display(self, datum):
        return '%s %s %s' % (datum.type, datum.host_name, datum.start)

    class Meta(object):
        name = 'capacity_changes'
        verbose_name = _('Planned Capacity Changes')
        table_actions = (CreateChange, CancelChange)
        row_actions = (CancelChange,)
