# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""A restartable fake virt driver.

nova's FakeDriver reports a fresh random node uuid in every process, so a
restarted nova-compute finds a compute node record that is not "its own"
and refuses to run.  This subclass derives the node uuid from the node name,
so every start of computeN reports the same uuid (and matches the
compute_id file nova keeps in the compute's state_path).
"""
import uuid

from nova.virt import fake

_NAMESPACE = uuid.UUID('7c1a0c5e-4d53-4d0e-9d55-2b0f0c6a9d11')


def node_uuid(nodename):
    # tools/minicloud writes the same value to <state_path>/compute_id.
    return str(uuid.uuid5(_NAMESPACE, 'promise-minicloud:%s' % nodename))


class PinnedFakeDriver(fake.FakeDriver):

    def get_available_resource(self, nodename):
        res = super().get_available_resource(nodename)
        if res:
            res['uuid'] = node_uuid(nodename)
        return res

    def get_nodenames_by_uuid(self, refresh=False):
        return {node_uuid(n): n for n in self.get_available_nodes()}
