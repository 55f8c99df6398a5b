"""Queries on SOL003 grants and their holds."""

import sqlalchemy as sa

from promise.db import models


def get(session, grant_id):
    return session.get(models.Grant, grant_id)


def live_unreserved(now):
    """The holds drawn on unreserved capacity that have not expired, as a
    SELECT of (grant_id, host_id, start_date, end_date, vcpus, memory_mb,
    disk_gb): each takes its shape on its host from its grant's decision
    until it expires. Every capacity decision and timeline counts these,
    so a grant and a lease can never be handed the same capacity."""
    hold, grant = models.GrantHold, models.Grant
    return (sa.select(hold.grant_id.label('grant_id'),
                      hold.host_id.label('host_id'),
                      grant.created_at.label('start_date'),
                      hold.expires_at.label('end_date'),
                      hold.vcpus.label('vcpus'),
                      hold.memory_mb.label('memory_mb'),
                      hold.disk_gb.label('disk_gb'))
            .join(grant, grant.id == hold.grant_id)
            .where(hold.reservation_id.is_(None), hold.expires_at > now))


def live_table(now):
    """live_unreserved() as a table: columns host_id, start_date and
    end_date, as the allocation tables have (promise.db.hosts.held)."""
    return live_unreserved(now).subquery('holds').c


def expiry_times(session, start, until, now):
    """When live holds on unreserved capacity expire in (start, until]:
    moments at which their capacity frees up."""
    holds = live_table(now)
    return set(session.scalars(
        sa.select(holds.end_date).distinct()
        .where(holds.end_date > start, holds.end_date <= until)))


def live_grant_ids(session, now):
    """Ids of the grants that still hold unreserved capacity."""
    holds = live_table(now)
    return set(session.scalars(sa.select(holds.grant_id).distinct()))


def service_names(session, grant_id):
    """The compute services of the hosts a grant holds capacity on."""
    hold = models.GrantHold
    return set(session.scalars(
        sa.select(models.Host.service_name).distinct()
        .join(hold, hold.host_id == models.Host.id)
        .where(hold.grant_id == grant_id, hold.reservation_id.is_(None))))


def delete(session, grant_id):
    """Forget a grant and its holds (an answer that could not be given)."""
    hold = models.GrantHold
    session.execute(sa.delete(hold).where(hold.grant_id == grant_id))
    session.execute(sa.delete(models.Grant).where(
        models.Grant.id == grant_id))


def live_count_by_host(session, reservation_id, now):
    """{host id: live holds} on a reservation's slots."""
    hold = models.GrantHold
    query = (sa.select(hold.host_id, sa.func.count())
             .where(hold.reservation_id == reservation_id,
                    hold.expires_at > now)
             .group_by(hold.host_id))
    return {host_id: count for host_id, count in session.execute(query)}


def _of_project(query, project_id, all_projects):
    """Holds of ``project_id``'s grants, or of every project's when
    ``all_projects``; a None ``project_id`` has none (never "all")."""
    if all_projects:
        return query
    query = query.join(models.Grant,
                       models.Grant.id == models.GrantHold.grant_id)
    return query.where(models.Grant.project_id == project_id)


def release_instance(session, vnf_instance_id, vdus=None, project_id=None,
                     all_projects=False):
    """End the holds of a VNF instance: all of them, or ``vdus``
    ({VDU: how many}) for a scale-in; of ``project_id``'s grants (of every
    project's when ``all_projects``). Returns how many ended."""
    hold = models.GrantHold
    query = sa.select(hold.id, hold.vdu).where(
        hold.vnf_instance_id == vnf_instance_id).order_by(hold.id.desc())
    query = _of_project(query, project_id, all_projects)
    ids = []
    wanted = dict(vdus or {})
    for hold_id, vdu in session.execute(query):
        if vdus is None:
            ids.append(hold_id)
        elif wanted.get(vdu, 0) > 0:
            # The newest first, as a VNFM scales in the newest VNFCs.
            wanted[vdu] -= 1
            ids.append(hold_id)
    return _delete(session, ids)


def release_operation(session, vnf_lcm_op_occ_id, project_id=None,
                      all_projects=False):
    """End the holds granted to one LCM operation occurrence, of
    ``project_id``'s grants (of every project's when ``all_projects``)."""
    hold = models.GrantHold
    query = sa.select(hold.id).where(
        hold.vnf_lcm_op_occ_id == vnf_lcm_op_occ_id)
    query = _of_project(query, project_id, all_projects)
    return _delete(session, list(session.scalars(query)))


def delete_expired(session, now):
    hold = models.GrantHold
    result = session.execute(sa.delete(hold).where(hold.expires_at <= now))
    return result.rowcount


def _delete(session, ids):
    if not ids:
        return 0
    hold = models.GrantHold
    session.execute(sa.delete(hold).where(hold.id.in_(ids)))
    return len(ids)
