"""Names and contents of the Nova and Placement objects of an instance
reservation. Pure functions: the plugin does the calls.

The metadata / extra spec keys are promise.nova.keys, which the Nova
scheduler filter reads too.
"""

from promise.clients import placement as placement_client
from promise.nova import keys

# Flavor extra spec and aggregate metadata key: the instance reservation a
# flavor books, and the aggregate of that reservation's hosts. Distinct
# from the physical:host key, so that the ``reservation`` hint never leads
# an ordinary flavor onto hosts that hold instance slots.
INSTANCE_RESERVATION = keys.INSTANCE_RESERVATION
OWNER = keys.OWNER

AFFINITY_POLICY = {True: 'affinity', False: 'anti-affinity'}


def flavor_name(reservation_id):
    return 'reservation:%s' % reservation_id


def server_group_name(reservation_id):
    return 'reservation:%s' % reservation_id


def child_provider_name(hypervisor_hostname):
    """The host's slots provider (promise.clients.placement.child_uuid)."""
    return 'promise-slots:%s' % hypervisor_hostname


def flavor_extra_specs(reservation_id, source_extra_specs=None):
    """What the reservation flavor carries: the source flavor's extra specs
    (flavor:instance), one unit of the reservation's resource class, and
    the key the scheduler filter recognises.

    The standard classes (VCPU, MEMORY_MB, DISK_GB) are still requested
    from the compute node: nova-scheduler (Nova 34) maps allocation
    candidates to hosts by the compute node provider, and a request served
    by the child provider alone matches no host ("No valid host"). So a
    reservation instance uses its shape on the host as any instance does,
    and capacity.refresh_host takes the reservation instances out of what
    it counts as ordinary usage.
    """
    specs = {k: v for k, v in (source_extra_specs or {}).items()
             if k not in (INSTANCE_RESERVATION, OWNER)}
    rc = placement_client.resource_class(reservation_id)
    specs['resources:%s' % rc] = '1'
    specs[INSTANCE_RESERVATION] = reservation_id
    return specs


def aggregate_metadata(reservation_id, project_id):
    return {INSTANCE_RESERVATION: reservation_id, OWNER: project_id}


def flavor_disk_gb(flavor, include_swap):
    """The disk a server of the Nova ``flavor`` takes, in GB: root plus
    ephemeral, plus swap (MB, rounded up to GB) if ``include_swap``."""
    disk = int(flavor.disk) + int(
        getattr(flavor, 'OS-FLV-EXT-DATA:ephemeral', 0) or 0)
    if include_swap and flavor.swap:
        disk += -(-int(flavor.swap or 0) // 1024)
    return disk
