# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""ML2 mechanism driver that binds every port on any host.

The fake computes have no L2 agent, so no stock driver would bind their
ports; this one binds each port to the first segment offered and marks it
ACTIVE.  Registered as neutron.ml2.mechanism_drivers:minicloud_anyhost.
"""
from neutron_lib.api.definitions import portbindings
from neutron_lib import constants
from neutron_lib.plugins.ml2 import api


class AnyHostMechanismDriver(api.MechanismDriver):

    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OTHER,
                                {portbindings.CAP_PORT_FILTER: False},
                                status=constants.PORT_STATUS_ACTIVE)
            return
