"""Queries on hosts, their capabilities and allocations, and the host
generation check every allocation decision ends with.

Invariant: a decision that places anything on hosts (whole hosts, slots,
grant holds) or changes what a host offers bumps the hosts' generation
with ``claim`` in its own transaction, so of two concurrent decisions on
one host only one commits.
"""

import sqlalchemy as sa

from promise.common import dates
from promise.common import host_views
from promise.common import schema_types
from promise.db import generations
from promise.db import models
from promise.db.models import capacity as capacity_models
from promise import exceptions

RESOURCE_TYPE = 'physical:host'


def get(session, host_id, for_update=False):
    query = sa.select(models.Host)
    text = str(host_id)
    # ASCII digits only ('²'.isdigit() holds), and no id beyond what the
    # column holds: no such host, rather than a database error.
    if text.isascii() and text.isdigit():
        if len(text) > 10 or int(text) > schema_types.INT_MAX:
            shown = text if len(text) <= 20 else text[:20] + '...'
            raise exceptions.HostNotFound(host=shown)
        query = query.where(models.Host.id == int(text))
    else:
        query = query.where(models.Host.hypervisor_hostname == host_id)
    if for_update:
        query = query.with_for_update()
    host = session.scalars(query).first()
    if host is None:
        raise exceptions.HostNotFound(host=host_id)
    return host


def exists(session, host_id, hostname):
    query = sa.select(models.Host.id).where(sa.or_(
        models.Host.id == host_id,
        models.Host.hypervisor_hostname == hostname))
    return session.scalars(query).first() is not None


def list_(session):
    return list(session.scalars(sa.select(models.Host)
                                .order_by(models.Host.id)))


def set_capabilities(session, host, capabilities):
    """Add or change capabilities, and record their names as properties."""
    # Names compare without case, as MariaDB's collation does.
    current = {c.name.lower(): c for c in host.capabilities}
    for name, value in capabilities.items():
        if name.lower() in current:
            current[name.lower()].value = value
        else:
            host.capabilities.append(models.HostCapability(name=name,
                                                           value=value))
    known = {n.lower() for n in session.scalars(
        sa.select(models.ResourceProperty.name).where(
            models.ResourceProperty.resource_type == RESOURCE_TYPE))}
    for name in (n for n in capabilities if n.lower() not in known):
        session.add(models.ResourceProperty(resource_type=RESOURCE_TYPE,
                                            name=name, private=False))


def has_current_allocations(session, host_id, now=None):
    """Whether any allocation of the host ends after ``now``."""
    now = now or dates.utcnow()
    for alloc in (models.HostAllocation, models.InstanceAllocation):
        query = sa.select(alloc.id).where(alloc.host_id == host_id,
                                          alloc.end_date > now).limit(1)
        if session.scalars(query).first() is not None:
            return True
    return False


def allocations(session, host_id=None, lease_id=None, reservation_id=None,
                now=None):
    """[(host_id, reservation_id, lease_id, start, end)] by host and start:
    the host and instance reservations on each host that have not ended
    (Blazar lists those from now on)."""
    res = models.Reservation
    parts = []
    for alloc in (models.HostAllocation, models.InstanceAllocation):
        part = (sa.select(alloc.host_id.label('host_id'),
                          alloc.reservation_id.label('reservation_id'),
                          res.lease_id.label('lease_id'),
                          alloc.start_date.label('start_date'),
                          alloc.end_date.label('end_date'))
                .join(res, res.id == alloc.reservation_id)
                .where(alloc.end_date > (now or dates.utcnow())))
        if host_id is not None:
            part = part.where(alloc.host_id == host_id)
        if lease_id is not None:
            part = part.where(res.lease_id == lease_id)
        if reservation_id is not None:
            part = part.where(alloc.reservation_id == reservation_id)
        parts.append(part)
    rows = sa.union_all(*parts).subquery()
    return list(session.execute(
        sa.select(rows).order_by(rows.c.host_id, rows.c.start_date,
                                 rows.c.reservation_id)))


def ids(session):
    """Every registered host's id, in order."""
    return list(session.scalars(sa.select(models.Host.id)
                                .order_by(models.Host.id)))


def properties(session, resource_type=RESOURCE_TYPE):
    query = (sa.select(models.ResourceProperty)
             .where(models.ResourceProperty.resource_type == resource_type)
             .order_by(models.ResourceProperty.name))
    return list(session.scalars(query))


def property_values(session):
    """{property name: sorted distinct values} over all hosts."""
    cap = models.HostCapability
    rows = session.execute(sa.select(cap.name, cap.value).distinct())
    values = {}
    for name, value in rows:
        values.setdefault(name, []).append(value)
    return {k: sorted(v) for k, v in values.items()}


def get_property(session, name, resource_type=RESOURCE_TYPE):
    prop = session.get(models.ResourceProperty, (resource_type, name))
    if prop is None:
        raise exceptions.NotFound(object='Property', id=name)
    return prop


def set_property_private(session, name, private):
    """Make a host property private or public; returns its view."""
    prop = get_property(session, name)
    prop.private = private
    return host_views.host_property(prop)


def view(session, host_id):
    return host_views.host(get(session, host_id))


def held(table, lo, hi, exclude_reservation=None):
    """EXISTS a row of the allocation ``table`` (HostAllocation,
    InstanceAllocation, or live grant holds: promise.db.grants.live_table)
    on ``models.Host`` overlapping [lo, hi), other than those of
    ``exclude_reservation``."""
    clause = sa.exists().where(table.host_id == models.Host.id,
                               table.start_date < hi, table.end_date > lo)
    if exclude_reservation is not None:
        clause = clause.where(table.reservation_id != exclude_reservation)
    return clause


def out_of_pool(lo, hi):
    """Planned changes that keep a host out of the pool in [lo, hi): a
    downtime overlapping it, or a join date after its start."""
    change = models.CapacityChange
    return sa.exists().where(
        change.host_id == models.Host.id,
        sa.or_(sa.and_(change.type == capacity_models.UNAVAILABLE,
                       change.start_date < hi,
                       sa.or_(change.end_date.is_(None),
                              change.end_date > lo)),
               sa.and_(change.type == capacity_models.AVAILABLE,
                       change.start_date > lo)))


def host_properties(host, capabilities=True):
    """What hypervisor_properties and resource_properties queries see
    (resource properties empty unless ``capabilities``)."""
    hyper = {c: getattr(host, c) for c in (
        'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version',
        'service_name', 'vcpus', 'cpu_info', 'memory_mb', 'local_gb',
        'availability_zone')}
    hyper['id'] = host.id
    resource = ({c.name: c.value for c in host.capabilities}
                if capabilities else {})
    return hyper, resource


def claim(session, hosts):
    """Bump the generation of ``hosts`` as read (generations.claim)."""
    generations.claim(session, models.Host, hosts)
