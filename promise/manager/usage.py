"""What Nova runs inside active reservations (Usage rows).

Two feeds write the same rows: Nova's instance notifications
(``count_server``, within seconds) and a periodic reconcile against the
Nova API (``reconcile``, the backstop that also corrects anything a
notification missed). Both ask ``Holders`` where a server counts.

``Usage.updated_at`` is when the last reconcile looked at Nova. A
notification older than that is already in the reconciled count and is
not applied again; rows a notification creates carry ``NEVER_RECONCILED``.
"""

import collections
import datetime

import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.common import dates
from promise.common import periodic
from promise.db import api as db
from promise.db import models
from promise.db import retry
from promise.manager import reclaim
from promise.plugins import loader
from promise import status

NEVER_RECONCILED = datetime.datetime(1970, 1, 1)


class Holders:
    """Where a server counts, as the database says now: in every active
    host reservation holding its hypervisor now, and in the active
    instance reservation whose flavor it was booted with (the flavor has
    the reservation's id), on its compute host."""

    def __init__(self, session, now):
        alloc = models.HostAllocation
        res = models.Reservation
        rows = session.execute(
            sa.select(alloc.reservation_id, alloc.host_id,
                      models.Host.hypervisor_hostname)
            .join(res, res.id == alloc.reservation_id)
            .join(models.Host, models.Host.id == alloc.host_id)
            .where(res.status == status.Reservation.ACTIVE,
                   alloc.start_date <= now, alloc.end_date > now))
        self._by_node = collections.defaultdict(list)
        for reservation_id, host_id, hostname in rows:
            self._by_node[hostname].append((reservation_id, host_id))
        self._flavors = set(session.scalars(
            sa.select(res.id).where(res.status == status.Reservation.ACTIVE,
                                    res.resource_type.in_(
                                        loader.types_with('instance_slots')))))
        self._host_ids = dict(session.execute(
            sa.select(models.Host.service_name, models.Host.id)).all())

    def nodes(self):
        """Hypervisors held by active host reservations."""
        return sorted(self._by_node)

    def flavors(self):
        """Flavors of active instance reservations."""
        return sorted(self._flavors)

    def on_node(self, node):
        return list(self._by_node.get(node, ()))

    def with_flavor(self, flavor_id, service):
        if flavor_id in self._flavors and service in self._host_ids:
            return [(flavor_id, self._host_ids[service])]
        return []

    def server(self, node, service, flavor_id):
        """[(reservation id, host id)] a server on hypervisor ``node`` of
        compute service ``service``, booted with ``flavor_id``, counts in."""
        keys = self.on_node(node) + self.with_flavor(flavor_id, service)
        return list(dict.fromkeys(keys))


def reconcile(nova, now=None):
    """Count what Nova runs inside every active reservation: servers on
    the hosts of host reservations, servers booted with the flavor of
    instance reservations. Stored as Usage rows; returns
    {(reservation id, host id): servers}."""
    # Taken before Nova is asked: what happened earlier is in its answer.
    now = now or dates.utcnow()
    with db.reader() as session:
        holders = Holders(session, now)
    counts = {}
    for node in holders.nodes():
        servers = len(nova.servers_on(node))
        for key in holders.on_node(node):
            counts[key] = servers
    for flavor_id in holders.flavors():
        for service, count in nova.flavor_servers_by_host(flavor_id).items():
            for key in holders.with_flavor(flavor_id, service):
                counts[key] = count
    _store(counts, now)
    return counts


@retry.insert_once
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


@retry.insert_once
def count_server(node, service, flavor_id, delta, at=None, now=None):
    """A server appeared (delta 1) or went away (-1) at ``at`` on
    hypervisor ``node`` of compute service ``service``, booted with
    ``flavor_id``. Returns the [(reservation id, host id)] whose count
    changed."""
    now = now or dates.utcnow()
    usage = models.Usage
    changed = []
    with db.writer() as session:
        for key in Holders(session, now).server(node, service, flavor_id):
            # Locked: two managers counting on one row must not lose one.
            row = session.scalars(
                sa.select(usage).where(usage.reservation_id == key[0],
                                       usage.host_id == key[1])
                .with_for_update()).first()
            if row is None:
                if delta > 0:
                    session.add(models.Usage(
                        reservation_id=key[0], host_id=key[1],
                        servers=delta, updated_at=NEVER_RECONCILED))
                    session.flush()
                    changed.append(key)
                continue
            if at is not None and at < row.updated_at:
                continue  # the last reconcile counted it already
            servers = max(0, row.servers + delta)
            if servers != row.servers:
                row.servers = servers
                changed.append(key)
    return changed


def pass_(nova, reclaiming=False):
    """One periodic pass: reconcile, then (``reclaiming``) release what
    expired unused and make room on hosts whose reservations start soon."""
    reconcile(nova)
    if reclaiming:
        reclaim.expire_unused()
        reclaim.preempt_upcoming()


def loop(interval, reclaiming=False):
    return periodic.Periodic(
        'usage', interval,
        lambda: pass_(nova_client.client(), reclaiming))
