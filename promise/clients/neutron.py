"""Thin Neutron wrapper (openstacksdk): the floating IP calls Promise
makes, each safe to repeat. Promise's service credentials are the [nova]
section's (promise.clients.keystone); [neutron] picks the endpoint."""

import ipaddress

from keystoneauth1 import exceptions as ks_exc
from openstack import connection as sdk_connection
from openstack import exceptions as sdk_exc
from oslo_log import log as logging

from promise.clients import failures
from promise.clients import keystone
from promise.common import lazy
from promise import conf
from promise import exceptions

CONF = conf.CONF
LOG = logging.getLogger(__name__)

# What marks an address Promise created for a reservation.
TAG = 'promise'
RESERVATION_TAG = 'reservation:%s'
DESCRIPTION = 'Promise reservation %s'


def _new_client():
    return NeutronClient()


_CLIENT = lazy.Lazy(_new_client)


def client():
    return _CLIENT.get()


def reset():
    _CLIENT.reset()


@failures.unavailable_on_failure('Neutron', ks_exc.ClientException,
                                 sdk_exc.SDKException)
class NeutronClient:

    def __init__(self, connection=None):
        self._conn = connection

    @property
    def network(self):
        if self._conn is None:
            self._conn = sdk_connection.Connection(
                session=keystone.session('nova'),
                region_name=(CONF.neutron.region_name or
                             CONF.nova.region_name),
                network_interface=CONF.neutron.endpoint_type)
        return self._conn.network

    def subnet_for(self, network_id, address):
        """The id of the subnet of external network ``network_id`` that
        holds ``address`` outside its allocation pools and gateway (so
        Neutron never hands it out by itself); InvalidInput otherwise."""
        try:
            net = self.network.get_network(network_id)
        except sdk_exc.NotFoundException:
            raise exceptions.InvalidInput(
                reason='Neutron has no network %s.' % network_id)
        if not net.is_router_external:
            raise exceptions.InvalidInput(
                reason='Network %s is not an external network.'
                % network_id)
        ip = _ip(address)
        for subnet in self.network.subnets(network_id=network_id):
            if ip not in ipaddress.ip_network(subnet.cidr, strict=False):
                continue
            if subnet.gateway_ip and ip == ipaddress.ip_address(
                    subnet.gateway_ip):
                raise exceptions.InvalidInput(
                    reason='%s is the gateway of subnet %s.'
                    % (address, subnet.id))
            for pool in subnet.allocation_pools or []:
                if (ipaddress.ip_address(pool['start']) <= ip <=
                        ipaddress.ip_address(pool['end'])):
                    raise exceptions.InvalidInput(
                        reason='%s is in an allocation pool of subnet %s: '
                               'Neutron hands it out itself. Register '
                               'addresses outside the pools.'
                               % (address, subnet.id))
            return subnet.id
        raise exceptions.InvalidInput(
            reason='No subnet of network %s holds %s.'
            % (network_id, address))

    def find(self, network_id, address):
        """The floating IP ``address`` of the network, or None."""
        # Neutron matches the text: fd00::0100 must be asked as fd00::100.
        for fip in self.network.ips(floating_network_id=network_id,
                                    floating_ip_address=str(_ip(address))):
            return fip
        return None

    def on_network(self, network_id):
        """Every floating IP of the network (one call)."""
        return list(self.network.ips(floating_network_id=network_id))

    def create_reserved(self, network_id, subnet_id, address, project_id,
                        reservation_id):
        """Create ``address`` in ``project_id`` for the reservation; one
        already made for it is kept. Conflict when something else holds
        it. Returns its id."""
        fip = self.find(network_id, address)
        if fip is None:
            try:
                # The description is written with the address, so that a
                # start run again after a crash knows it as its own.
                fip = self.network.create_ip(
                    floating_network_id=network_id, subnet_id=subnet_id,
                    floating_ip_address=str(_ip(address)),
                    project_id=project_id,
                    description=DESCRIPTION % reservation_id)
            except sdk_exc.ConflictException as exc:
                fip = self.find(network_id, address)
                if fip is None:
                    # A port (a router gateway, say) has the address, or
                    # the project's floating IP quota is full: not an
                    # outage. Neutron's words go to the log only.
                    LOG.warning('Neutron refused floating IP %s for '
                                'reservation %s: %s', address,
                                reservation_id, exc)
                    raise exceptions.Conflict(
                        reason='Neutron refused floating IP %s for '
                               'reservation %s: the address is in use by '
                               'something else, or the project\'s '
                               'floating IP quota is full.'
                               % (address, reservation_id)) from exc
        if not made_for(fip, reservation_id):
            raise exceptions.Conflict(
                reason='Floating IP %s is held in Neutron by something '
                       'other than reservation %s.'
                       % (address, reservation_id))
        tags = {TAG, RESERVATION_TAG % reservation_id}
        if not tags <= set(fip.tags or []):
            # set_tags replaces them all: keep any a user added.
            self.network.set_tags(fip, sorted(tags | set(fip.tags or [])))
        return fip.id

    def delete_reserved(self, network_id, address, reservation_id):
        """Remove ``address`` if it was made for the reservation, its port
        association first (as Blazar does); nothing there, or something
        that is not the reservation's, is left as it is."""
        fip = self.find(network_id, address)
        if fip is None or not made_for(fip, reservation_id):
            return
        if fip.port_id:
            self.network.update_ip(fip, port_id=None)
        self.network.delete_ip(fip, ignore_missing=True)


def _ip(address):
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        raise exceptions.InvalidInput(
            reason='%r is not an IP address.' % (address,))


def made_for(fip, reservation_id):
    """Whether Neutron's floating IP ``fip`` was made for the
    reservation (its description or tag)."""
    return (fip.description == DESCRIPTION % reservation_id or
            RESERVATION_TAG % reservation_id in (fip.tags or []))
