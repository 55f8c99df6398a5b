"""Reconciling what Nova runs inside active reservations (Usage rows).

Nova's API is the source of truth; this periodic pass is what keeps
``used`` in reservations and in /v1/capacity current.
"""

import threading

from oslo_log import log as logging
import sqlalchemy as sa

from promise.clients import nova as nova_client
from promise.common import dates
from promise.db import api as db
from promise.db import models
from promise.manager import status

LOG = logging.getLogger(__name__)


def reconcile(nova, now=None):
    """Count servers on each host of every active host reservation."""
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
    counts = {}
    servers_by_host = {}
    for reservation_id, host_id, hostname in rows:
        if hostname not in servers_by_host:
            servers_by_host[hostname] = len(nova.servers_on(hostname))
        counts[(reservation_id, host_id)] = servers_by_host[hostname]
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
    return counts


class UsageLoop:

    def __init__(self, interval, nova=None):
        self._interval = interval
        self._nova = nova
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        if self._interval <= 0:
            return
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name='promise-usage')
        self._thread.start()

    def _loop(self):
        while not self._stopping.wait(self._interval):
            try:
                reconcile(self._nova or nova_client.client())
            except Exception:
                LOG.exception('Reconciling usage with Nova failed')

    def stop(self):
        self._stopping.set()

    def wait(self):
        if self._thread is not None:
            self._thread.join()
