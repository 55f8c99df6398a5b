"""Host inventory requests: the host wing registers, changes and removes
hosts (promise.plugins.hosts.inventory); a newly registered host's
capacity for instance slots is then read from Placement."""

from oslo_log import log as logging

from promise.plugins.hosts import inventory as host_inventory
from promise.plugins.instances import inventory as instance_inventory

LOG = logging.getLogger(__name__)


class HostManager:

    def __init__(self, nova=None):
        self.inventory = host_inventory.HostInventory(nova)

    def create(self, ctx, name, capabilities):
        host_id = self.inventory.create(ctx, name, capabilities)
        # A host whose capacity cannot be read yet gives no slots until a
        # refresh.
        try:
            instance_inventory.refresh_host(ctx, host_id)
        except Exception:
            LOG.exception('Reading the capacity of host %s from Placement '
                          'failed', name)
        return host_id

    def update(self, ctx, host_id, capabilities):
        return self.inventory.update(ctx, host_id, capabilities)

    def delete(self, ctx, host_id):
        return self.inventory.delete(ctx, host_id)
