"""Host capacity for instance slots, read from Placement.

A host's capacity per resource is (total - reserved) * allocation_ratio of
its compute node provider's inventory; what the provider's usages show is
what ordinary (non-reservation) consumers use, because reservation
instances consume only their reservation's custom resource class. Both are
stored on the host, when it is registered and whenever ``refresh_all``
runs. A change bumps the host's generation, so an allocation decision
taken on the old numbers concurrently is retried.
"""

from oslo_log import log as logging
import sqlalchemy as sa

from promise.clients import placement as placement_client
from promise.common import dates
from promise.db import api as db
from promise.db import models
from promise import exceptions

LOG = logging.getLogger(__name__)


def refresh_host(ctx, host_id, placement=None):
    """Read one host's capacity from Placement and store it."""
    placement = placement or placement_client.client()
    with db.reader(ctx) as session:
        host = session.get(models.Host, host_id)
        if host is None:
            raise exceptions.HostNotFound(host=host_id)
        provider_uuid = host.provider_uuid
        hostname = host.hypervisor_hostname
        before = _numbers(host)
    if not provider_uuid:
        provider = placement.find_provider(hostname)
        if provider is None:
            raise placement_client.PlacementError(
                reason='no resource provider is named %s' % hostname)
        provider_uuid = provider['uuid']
    capacity, used = placement.capacity(provider_uuid)
    used = _ordinary(ctx, placement, provider_uuid, used)
    values = {'provider_uuid': provider_uuid,
              'capacity_vcpus': capacity['vcpus'],
              'capacity_memory_mb': capacity['memory_mb'],
              'capacity_disk_gb': capacity['disk_gb'],
              'used_vcpus': used['vcpus'],
              'used_memory_mb': used['memory_mb'],
              'used_disk_gb': used['disk_gb']}
    changed = {k: v for k, v in values.items() if before.get(k) != v}
    values['capacity_updated_at'] = dates.utcnow()
    if changed:
        # Decisions taken concurrently on the old numbers must retry.
        values['generation'] = models.Host.generation + 1
        LOG.info('Host %s capacity from Placement: %s', hostname, changed)
    with db.writer(ctx) as session:
        session.execute(
            sa.update(models.Host).where(models.Host.id == host_id)
            .values(**values)
            .execution_options(synchronize_session=False))
    return capacity, used


def _ordinary(ctx, placement, provider_uuid, used):
    """Take the reservation instances out of the host's usage: each uses
    one unit of its reservation's class on a child provider, and its shape
    on the host."""
    booked = {}
    for rc, count in placement.slot_usages(provider_uuid).items():
        rid = placement_client.reservation_of_class(rc)
        if rid and count:
            booked[rid] = booked.get(rid, 0) + count
    if not booked:
        return used
    with db.reader(ctx) as session:
        shapes = session.execute(
            sa.select(models.InstanceReservation.reservation_id,
                      models.InstanceReservation.vcpus,
                      models.InstanceReservation.memory_mb,
                      models.InstanceReservation.disk_gb)
            .where(models.InstanceReservation.reservation_id.in_(
                list(booked))))
        result = dict(used)
        for rid, vcpus, memory_mb, disk_gb in shapes:
            for key, size in (('vcpus', vcpus), ('memory_mb', memory_mb),
                              ('disk_gb', disk_gb)):
                result[key] -= booked[rid] * size
    return {k: max(0, v) for k, v in result.items()}


def _numbers(host):
    return {k: getattr(host, k) for k in (
        'provider_uuid', 'capacity_vcpus', 'capacity_memory_mb',
        'capacity_disk_gb', 'used_vcpus', 'used_memory_mb', 'used_disk_gb')}


def refresh_all(ctx, placement=None):
    """Refresh every registered host; a host Placement cannot answer for
    keeps its last numbers. Returns the ids refreshed."""
    with db.reader(ctx) as session:
        ids = list(session.scalars(sa.select(models.Host.id)
                                   .order_by(models.Host.id)))
    done = []
    for host_id in ids:
        try:
            refresh_host(ctx, host_id, placement)
            done.append(host_id)
        except exceptions.ServiceNotConfigured:
            # Said once at start; no other host can be read either.
            LOG.debug('Placement is not configured; capacities kept')
            return done
        except Exception:
            LOG.exception('Reading the capacity of host %s from Placement '
                          'failed', host_id)
    return done
