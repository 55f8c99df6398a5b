from django.utils.translation import gettext_lazy as _
import horizon


class CapacityChanges(horizon.Panel):
    name = _("Capacity Changes")
    slug = 'promise_capacity_changes'
    permissions = ('openstack.roles.admin', 'openstack.services.reservation')
