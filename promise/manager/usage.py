"""Reconciling what Nova runs inside active reservations (Usage rows).

Nova's API is the source of truth; this periodic pass is what keeps
``used`` in reservations and in /v1/capacity current.
"""

import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.common import dates
from promise.common import periodic
from promise.db import api as db
from promise.db import models
from promise.manager import status


INSTANCE_TYPES = ('virtual:instance', 'flavor:instance')


def reconcile(nova, now=None):
    """Count what Nova runs inside every active reservation: servers on
    the hosts of host reservations, servers booted with the flavor of
    instance reservations. Stored as Usage rows; returns
    {(reservation id, host id): servers}."""
    now = now or dates.utcnow()
    alloc = models.HostAllocation
    res = models.Reservation
    with db.reader() as session:
        rows = session.execute(
            sa.select(alloc.reservation_id, alloc.host_id,
                      models.Host.hypervisor_hostname)
            .join(res, res.id == alloc.reservation_id)
            .join(models.Host, models.Host.id == alloc.host_id)
            .where(res.status == status.Reservation.ACTIVE,
                   alloc.start_date <= now, alloc.end_date > now)).all()
        instance_reservations = list(session.scalars(
            sa.select(res.id).where(res.status == status.Reservation.ACTIVE,
                                    res.resource_type.in_(INSTANCE_TYPES))))
        host_ids = dict(session.execute(
            sa.select(models.Host.service_name, models.Host.id)).all())
    counts = {}
    servers_by_host = {}
    for reservation_id, host_id, hostname in rows:
        if hostname not in servers_by_host:
            servers_by_host[hostname] = len(nova.servers_on(hostname))
        counts[(reservation_id, host_id)] = servers_by_host[hostname]
    for reservation_id in instance_reservations:
        # The reservation's flavor has the reservation's id.
        for service, count in nova.flavor_servers_by_host(
                reservation_id).items():
            if service in host_ids:
                counts[(reservation_id, host_ids[service])] = count
    _store(counts, now)
    return counts


def _store(counts, now):
    with db.writer() as session:
        existing = {(u.reservation_id, u.host_id): u for u in
                    session.scalars(sa.select(models.Usage))}
        for key, count in counts.items():
            row = existing.pop(key, None)
            if row is None:
                session.add(models.Usage(reservation_id=key[0],
                                         host_id=key[1], servers=count,
                                         updated_at=now))
            else:
                row.servers, row.updated_at = count, now
        for row in existing.values():
            # The reservation ended or moved off the host.
            session.delete(row)


def pass_(nova, lease_manager=None):
    """One periodic pass: reconcile, release what expired unused, and make
    room on hosts whose reservations start soon."""
    reconcile(nova)
    if lease_manager is not None:
        lease_manager.expire_unused()
        lease_manager.preempt_upcoming()


def loop(interval, lease_manager=None):
    return periodic.Periodic(
        'usage', interval,
        lambda: pass_(nova_client.client(), lease_manager))
