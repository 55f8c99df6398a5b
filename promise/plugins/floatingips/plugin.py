"""virtual:floatingip — registered addresses of an external network for
the lease window, created in Neutron in the lease's project when it
starts and removed when it ends."""

import functools
import ipaddress
import json

from oslo_log import log as logging

from promise.clients import neutron as neutron_client
from promise.db import api as db
from promise.db import floatingips as fip_db
from promise.db import models
from promise.db import quota as quota_db
from promise import exceptions
from promise.plugins import base as plugin_base
from promise.plugins.floatingips import allocation
from promise.plugins.floatingips import capacity
from promise.plugins.floatingips import schemas
from promise import status

LOG = logging.getLogger(__name__)


def canonical(address):
    """One spelling per address (IPv6 has many); InvalidInput if it is
    no IP address."""
    try:
        return ipaddress.ip_address(str(address).strip()).compressed
    except ValueError:
        raise exceptions.InvalidInput(
            reason='%s is not an IP address.' % str(address)[:45])


def _amount(value):
    try:
        amount = int(value)
    except (TypeError, ValueError):
        amount = 0
    if amount < 1:
        raise exceptions.InvalidInput(
            reason='virtual:floatingip needs amount >= 1.')
    return amount


def _required(session, network_id, addresses, amount):
    required = [canonical(a) for a in addresses or []]
    if len(set(required)) != len(required):
        raise exceptions.InvalidInput(
            reason='required_floatingips names an address twice.')
    if len(required) > amount:
        raise exceptions.InvalidInput(
            reason='required_floatingips names more addresses than '
                   'amount.')
    for address in required:
        if fip_db.find(session, network_id, address) is None:
            raise exceptions.InvalidInput(
                reason='%s is not a floating IP of network %s registered '
                       'with Promise.' % (address, network_id))
    return required


class FloatingIPPlugin(plugin_base.ResourcePlugin):
    resource_type = 'virtual:floatingip'
    has_capacity = True
    quota_resources = (quota_db.FLOATINGIPS,)
    request_schema = schemas.CREATE
    update_properties = schemas.UPDATE

    def __init__(self, neutron=None):
        self._neutron = neutron

    @property
    def neutron(self):
        return self._neutron or neutron_client.client()

    # -- database side (inside the lease transaction) -------------------------

    def reserve(self, session, lease, reservation, values):
        if reservation.expiry is not None:
            # Expiry releases reservations no server runs in; no server
            # ever runs in an address.
            raise exceptions.InvalidInput(
                reason='expiry applies to host and instance reservations, '
                       'not to virtual:floatingip.')
        amount = _amount(values.get('amount'))
        network_id = values['network_id']
        required = _required(session, network_id,
                             values.get('required_floatingips'), amount)
        reservation.floatingip = models.FloatingIPReservation(
            network_id=network_id, amount=amount,
            required_floatingips=json.dumps(required))
        chosen = allocation.choose(session, network_id, lease.start_date,
                                   lease.end_date, amount, required)
        self._allocate(reservation, lease, chosen)

    def update(self, session, lease, reservation, values):
        detail = reservation.floatingip
        if values.get('network_id', detail.network_id) != detail.network_id:
            raise exceptions.InvalidInput(
                reason='The network of a floating IP reservation cannot '
                       'change.')
        amount = _amount(values.get('amount', detail.amount))
        required = json.loads(detail.required_floatingips or '[]')
        if 'required_floatingips' in values:
            new = _required(session, detail.network_id,
                            values['required_floatingips'], amount)
            # As Blazar: the addresses can be dropped, not changed.
            if new and new != required:
                raise exceptions.InvalidInput(
                    reason='required_floatingips can only be emptied.')
            required = new
        elif len(required) > amount:
            raise exceptions.InvalidInput(
                reason='required_floatingips names more addresses than '
                       'amount.')
        held = [a.floatingip_id for a in reservation.floatingip_allocations]
        started = lease.status == status.ACTIVE
        if started and amount != detail.amount:
            raise exceptions.InvalidInput(
                reason='The amount of an active floating IP reservation '
                       'cannot change.')
        # Addresses in use never move: a running reservation keeps its
        # own, or the update is refused.
        chosen = allocation.choose(
            session, detail.network_id, lease.start_date, lease.end_date,
            amount, required, exclude_reservation=reservation.id,
            prefer=set(held), only=set(held) if started else None)
        detail.amount = amount
        detail.required_floatingips = json.dumps(required)
        reservation.floatingip_allocations.clear()
        session.flush()
        self._allocate(reservation, lease, chosen)

    def max_reservable(self, session, start, end, values):
        try:
            required = [canonical(a) for a in
                        values.get('required_floatingips') or []]
        except exceptions.InvalidInput:
            return 0
        return allocation.count_free(session, values.get('network_id'),
                                     start, end, required)

    def release_times(self, session, start, until):
        return allocation.release_times(session, start, until)

    @classmethod
    def capacity_timeline(cls, session, start, end, hypervisor_query=None,
                          resource_query=None, shape=None):
        return capacity.timeline_of(session, start, end, hypervisor_query,
                                    resource_query, shape)

    @staticmethod
    def _allocate(reservation, lease, fips):
        for fip in fips:
            reservation.floatingip_allocations.append(
                models.FloatingIPAllocation(
                    floatingip_id=fip.id, start_date=lease.start_date,
                    end_date=lease.end_date))

    # -- Neutron side (idempotent; may run again after a crash) --------------

    def on_start(self, ctx, lease, reservation):
        for fip in self._addresses(ctx, reservation):
            self.neutron.create_reserved(
                fip.floating_network_id, fip.subnet_id,
                fip.floating_ip_address, lease.project_id, reservation.id)

    def on_end(self, ctx, lease, reservation):
        self._delete_reserved(self._addresses(ctx, reservation),
                              reservation)

    def discard(self, ctx, lease, reservation):
        # A lease deleted before it started: remove what a half-done
        # start created.
        self.on_end(ctx, lease, reservation)

    def discard_later(self, ctx, lease, reservation):
        return functools.partial(self._delete_reserved,
                                 self._addresses(ctx, reservation),
                                 reservation)

    def _delete_reserved(self, addresses, reservation):
        for fip in addresses:
            self.neutron.delete_reserved(fip.floating_network_id,
                                         fip.floating_ip_address,
                                         reservation.id)

    def _addresses(self, ctx, reservation):
        with db.reader(ctx) as session:
            return fip_db.addresses(session, reservation.id)
