"""/v1: the Blazar-compatible API tree."""

import pecan

from promise.api.controllers.v1 import capacity
from promise.api.controllers.v1 import capacity_changes
from promise.api.controllers.v1 import floatingips
from promise.api.controllers.v1 import hosts
from promise.api.controllers.v1 import leases
from promise.api.controllers.v1 import subscriptions
from promise.api import versions


class V1Controller:
    capacity = capacity.CapacityController()
    floatingips = floatingips.FloatingIPsController()
    leases = leases.LeasesController()
    subscriptions = subscriptions.SubscriptionsController()

    @pecan.expose('json')
    def index(self):
        base = pecan.request.application_url
        return {'version': versions.version_document(base)}


pecan.route(V1Controller, 'os-hosts', hosts.HostsController())
pecan.route(V1Controller, 'capacity-changes',
            capacity_changes.CapacityChangesController())
