from django.utils.translation import gettext_lazy as _
import horizon


class Capacity(horizon.Panel):
    name = _("Reservation Capacity")
    slug = 'promise_capacity'
    permissions = ('openstack.services.reservation',)
