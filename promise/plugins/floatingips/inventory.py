"""virtual:floatingip inventory: registering addresses of external
Neutron networks with Promise, and removing them.

Neutron is read outside any database transaction. Only an address outside
its subnet's allocation pools is accepted, so Neutron never gives it to
anyone by itself; removal bumps the address's generation, so a decision in
flight on it is retried without it.
"""

from oslo_utils import uuidutils

from promise.clients import neutron as neutron_client
from promise.db import api as db
from promise.db import floatingips as fip_db
from promise.plugins.floatingips import plugin


class FloatingIPInventory:

    def __init__(self, neutron=None):
        self._neutron = neutron

    @property
    def neutron(self):
        return self._neutron or neutron_client.client()

    def create(self, ctx, network_id, address):
        """Register ``address`` of external network ``network_id``;
        returns its view."""
        address = plugin.canonical(address)
        with db.reader(ctx) as session:
            fip_db.check_new(session, network_id, address)
        subnet_id = self.neutron.subnet_for(network_id, address)
        with db.writer(ctx) as session:
            fip = fip_db.create(session, uuidutils.generate_uuid(),
                                network_id, subnet_id, address)
            session.flush()
            return fip_db.view(fip)

    def delete(self, ctx, fip_id):
        with db.writer(ctx) as session:
            fip_db.delete(session, fip_id)
