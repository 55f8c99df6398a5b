"""What a project holds over a window, for its limits; and the row its
quota decisions take turns on."""

import collections

import sqlalchemy as sa

from promise.db import models
from promise import exceptions

# Resource names, as registered limits in Keystone name them.
LEASES = 'leases'
HOSTS = 'hosts'
VCPUS = 'instance_vcpus'
MEMORY_MB = 'instance_memory_mb'
DISK_GB = 'instance_disk_gb'
FLOATINGIPS = 'floatingips'
RESOURCES = (LEASES, HOSTS, VCPUS, MEMORY_MB, DISK_GB, FLOATINGIPS)


def lock(session, project_id):
    """Take the project's turn: bump its row (made on first use); a
    concurrent decision of the same project waits on the row lock, or on
    Galera fails certification, and is retried with this one in view."""
    table = models.ProjectLock
    bumped = session.execute(
        sa.update(table).where(table.project_id == project_id)
        .values(generation=table.generation + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not bumped:
        session.add(table(project_id=project_id, generation=1))
        try:
            session.flush()
        except sa.exc.IntegrityError:
            # Made meanwhile by a concurrent decision: start again.
            raise exceptions.ConcurrentUpdate()


def holdings(lease):
    """{resource: amount} a lease holds over its whole window."""
    held = collections.Counter({LEASES: 1})
    for res in lease.reservations:
        held[HOSTS] += len(res.host_allocations)
        held[FLOATINGIPS] += len(res.floatingip_allocations)
        for alloc in res.instance_allocations:
            held[VCPUS] += alloc.slots * alloc.vcpus
            held[MEMORY_MB] += alloc.slots * alloc.memory_mb
            held[DISK_GB] += alloc.slots * alloc.disk_gb
    return held


def usage_steps(session, project_id, start, end, resources,
                exclude_lease=None):
    """What the project's leases (but ``exclude_lease``) hold over
    [start, end): [(from, to, {resource: amount})], a step wherever the
    amounts change, from ``start`` to ``end``."""
    lease, res = models.Lease, models.Reservation
    leases = (sa.select(lease.id, lease.start_date, lease.end_date)
              .where(lease.project_id == project_id,
                     lease.start_date < end, lease.end_date > start))
    if exclude_lease is not None:
        leases = leases.where(lease.id != exclude_lease)
    rows = {i: (s, e) for i, s, e in session.execute(leases)}
    steps = collections.defaultdict(collections.Counter)

    def add(s, e, amounts):
        s, e = max(s, start), min(e, end)
        if s < e:
            steps[s].update(amounts)
            steps[e].subtract(amounts)

    for s, e in rows.values():
        add(s, e, {LEASES: 1})
    if rows:
        # One unit per allocation row: a whole host, an address.
        for table, name in ((models.HostAllocation, HOSTS),
                            (models.FloatingIPAllocation, FLOATINGIPS)):
            for s, e in session.execute(
                    sa.select(table.start_date, table.end_date)
                    .join(res, res.id == table.reservation_id)
                    .where(res.lease_id.in_(list(rows)))):
                add(s, e, {name: 1})
        slot = models.InstanceAllocation
        for s, e, n, v, m, d in session.execute(
                sa.select(slot.start_date, slot.end_date, slot.slots,
                          slot.vcpus, slot.memory_mb, slot.disk_gb)
                .join(res, res.id == slot.reservation_id)
                .where(res.lease_id.in_(list(rows)))):
            add(s, e, {VCPUS: n * v, MEMORY_MB: n * m, DISK_GB: n * d})
    current = collections.Counter()
    result = []

    def step(s, e):
        held = {name: current[name] for name in resources}
        if result and result[-1][2] == held:
            result[-1] = (result[-1][0], e, held)
        else:
            result.append((s, e, held))

    cursor = start
    for moment in sorted(steps):
        if moment > cursor:
            step(cursor, moment)
            cursor = moment
        current.update(steps[moment])
    if cursor < end:
        step(cursor, end)
    return result


def peak_usage(session, project_id, start, end, resources,
               exclude_lease=None):
    """{resource: the most the project's other leases hold at once over
    [start, end)}."""
    peak = {name: 0 for name in resources}
    for _, _, held in usage_steps(session, project_id, start, end,
                                  resources, exclude_lease):
        for name in resources:
            peak[name] = max(peak[name], held[name])
    return peak
