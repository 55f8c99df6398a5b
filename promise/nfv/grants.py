"""ETSI NFV-SOL003 grants: the decision, from Promise's capacity model.

``decide`` answers a GrantRequest with a Grant body or raises
``GrantRefused`` (the API answers 403 problem+json with its detail). It
places every COMPUTE resource the request adds on a host that has room for
its flavor over the whole window, first-fit decreasing, with the members of
an anti-affinity group over NFVI_NODE on distinct hosts; each resource is
answered the availability zone of its host. The placement is only a proof
that the request fits: Nova still schedules. Per-host room is the least
free capacity over the window (``net_value.zone_timelines`` per host), so a
refusal may be pessimistic but an approval is not a guess.

Capacity that earlier grants hold (``promise.db.grants``, until they
expire or are released) is reserved capacity in the timelines, as for
leases. A request that
names ``additionalParams.reservationId`` is placed on the free slots of
that instance reservation instead: one slot per COMPUTE resource, answered
with the reservation's flavor (the only one Nova places in its slots) and
a ``reservationId``. ``decide`` returns the Grant body and the holds that
record it; the manager writes both in the transaction that read the
capacity and claims the hosts used (``promise.manager.grants``).
"""

import collections
import uuid

from promise.common import dates
from promise.common import shapes
from promise.db import grants as grant_db
from promise.db import models
from promise.engine import net_value

COMPUTE = 'COMPUTE'
ANTI_AFFINITY = 'ANTI_AFFINITY'
NFVI_NODE = 'NFVI_NODE'
RELEASING = ('TERMINATE',)

# One approved COMPUTE resource: ``shape`` on ``host_id``, drawn on
# ``reservation_id`` (None: unreserved capacity).
Hold = collections.namedtuple('Hold', 'resource_id vdu host_id shape '
                                      'reservation_id')
Decision = collections.namedtuple('Decision', 'grant holds')


class GrantRefused(Exception):

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


def flavor_for(request, vdu, flavor_map):
    """The flavor of a VDU: additionalParams.flavours[VDU] first, then
    ``flavor_map`` keyed "<vnfdId>:<VDU>" or "<VDU>"."""
    params = request.get('additionalParams') or {}
    given = (params.get('flavours') or {}).get(vdu)
    if given:
        return given
    return (flavor_map.get('%s:%s' % (request.get('vnfdId'), vdu)) or
            flavor_map.get(vdu))


def _anti_affinity_groups(request, adds):
    """[set of addResources ids] that must be on distinct hosts."""
    groups = []
    for rule in request.get('placementConstraints') or []:
        if rule.get('affinityOrAntiAffinity') != ANTI_AFFINITY:
            continue
        members = {r.get('resourceId') for r in rule.get('resource') or []}
        members &= set(adds)
        if rule.get('scope') != NFVI_NODE:
            if len(members) > 1:
                raise GrantRefused(
                    'Anti-affinity over %s is not supported; only over '
                    'NFVI_NODE.' % rule.get('scope'))
            continue
        if len(members) > 1:
            groups.append(members)
    return groups


def host_room(session, start, end, default_zone, now=None):
    """{host id: (zone, free Shape)}: the least free capacity of each host
    over [start, end); live grant holds are part of what the timelines
    count as reserved."""
    per_host = net_value.zone_timelines(
        session, start, end, default_zone, now=now,
        key=lambda host: (host.id, host.availability_zone or default_zone))
    room = {}
    for (host_id, zone), steps in per_host.items():
        least = net_value.minimum(steps)
        room[host_id] = (zone, shapes.Shape(
            *(max(0, least[name]['available'])
              for name in net_value.RESOURCES)))
    return room


def place(room, wanted, groups):
    """{resource id: host id} for ``wanted`` {resource id: Shape}, or None
    when first-fit decreasing finds no placement."""
    free = {h: list(shape) for h, (_, shape) in room.items()}
    group_of = {}
    for index, members in enumerate(groups):
        for member in members:
            group_of.setdefault(member, set()).add(index)
    used_by_group = {i: set() for i in range(len(groups))}
    placed = {}
    order = sorted(wanted, key=lambda r: (tuple(wanted[r]), r),
                   reverse=True)
    for resource in order:
        shape = wanted[resource]
        for host in sorted(free):
            if any(host in used_by_group[g]
                   for g in group_of.get(resource, ())):
                continue
            if all(f >= s for f, s in zip(free[host], shape)):
                free[host] = [f - s for f, s in zip(free[host], shape)]
                for g in group_of.get(resource, ()):
                    used_by_group[g].add(host)
                placed[resource] = host
                break
        else:
            return None
    return placed


def compute_adds(request, flavor_map, sizes):
    """({resource id: Shape}, {resource id: VDU}, {VDU: flavor}) of the
    COMPUTE resources the request adds; ``sizes`` None: sizes do not
    matter (a reservation's slots)."""
    adds, vdu_of, flavors = {}, {}, {}
    for resource in request.get('addResources') or []:
        if resource.get('type') != COMPUTE:
            continue
        vdu = resource.get('resourceTemplateId')
        vdu_of[resource['id']] = vdu
        if sizes is None:
            adds[resource['id']] = None
            continue
        flavor = flavor_for(request, vdu, flavor_map)
        if not flavor:
            raise GrantRefused('No flavor is known for VDU %s of VNFD %s.'
                               % (vdu, request.get('vnfdId')))
        if flavor not in sizes:
            raise GrantRefused('The size of flavor %s is not known.'
                               % flavor)
        adds[resource['id']] = sizes[flavor]
        flavors[vdu] = flavor
    return adds, vdu_of, flavors


def flavors_wanted(request, flavor_map):
    """The flavors the request's COMPUTE resources map to (for sizing)."""
    wanted = set()
    for resource in request.get('addResources') or []:
        if resource.get('type') == COMPUTE:
            flavor = flavor_for(request, resource.get('resourceTemplateId'),
                                flavor_map)
            if flavor:
                wanted.add(flavor)
    return wanted


def _shortage(adds, room, groups):
    """What is short, in words, for the refusal's detail."""
    need = shapes.ZERO
    for shape in adds.values():
        need = shapes.Shape(*(a + b for a, b in zip(need, shape)))
    free = shapes.ZERO
    for _, shape in room.values():
        free = shapes.Shape(*(a + b for a, b in zip(free, shape)))
    units = {'vcpus': 'vCPU', 'memory_mb': 'MB RAM', 'disk_gb': 'GB disk'}
    short = ['%d %s wanted, %d free' % (n, units[name], f)
             for name, n, f in zip(shapes.RESOURCES, need, free) if n > f]
    detail = ('Not enough capacity for %d compute resource(s)'
              % len(adds))
    if groups:
        detail += (' with anti-affinity over NFVI_NODE (largest group: %d '
                   'distinct hosts, %d host(s) have any room)'
                   % (max(len(g) for g in groups),
                      sum(1 for _, shape in room.values() if any(shape))))
    if short:
        return '%s: %s.' % (detail, '; '.join(short))
    return ('%s: the total is free, but no host has room for the '
            'resources placed on it.' % detail)


def reservation_room(session, reservation, default_zone, now=None):
    """{host id: (zone, (free slots,))} of an instance reservation: its
    slots on each host less live holds and servers running there."""
    now = now or dates.utcnow()
    held = grant_db.live_count_by_host(session, reservation.id, now)
    running = {u.host_id: u.servers for u in reservation.usage}
    room = {}
    for alloc in reservation.instance_allocations:
        host = session.get(models.Host, alloc.host_id)
        free = (alloc.slots - held.get(alloc.host_id, 0) -
                running.get(alloc.host_id, 0))
        room[alloc.host_id] = (host.availability_zone or default_zone,
                               (max(0, free),))
    return room


def decide(session, request, flavor_map, sizes, start, end,
           vim_connection_id, default_zone='nova', grant_id=None,
           now=None, reservation=None):
    """A Decision (Grant body, holds) for ``request``, or GrantRefused.

    ``reservation``: the instance reservation (a Reservation row) the
    request draws on, instead of unreserved capacity over [start, end).
    """
    adds, vdu_of, flavors = compute_adds(
        request, flavor_map, None if reservation is not None else sizes)
    groups = _anti_affinity_groups(request, adds)
    placement = {}
    room = {}
    if adds and reservation is not None:
        room = reservation_room(session, reservation, default_zone, now)
        placement = place(room, {r: (1,) for r in adds}, groups)
        if placement is None:
            free = sum(n for _, (n,) in room.values())
            detail = ('Reservation %s has %d free slot(s) on %d host(s); '
                      '%d compute resource(s) wanted'
                      % (reservation.id, free,
                         sum(1 for _, (n,) in room.values() if n),
                         len(adds)))
            if groups:
                detail += (', with anti-affinity over NFVI_NODE (largest '
                           'group: %d distinct hosts)'
                           % max(len(g) for g in groups))
            raise GrantRefused(detail + '.')
        flavor_id = reservation.instance.flavor_id
        flavors = {vdu: flavor_id for vdu in vdu_of.values()}
        slot = shapes.Shape(reservation.instance.vcpus,
                            reservation.instance.memory_mb,
                            reservation.instance.disk_gb)
        adds = {r: slot for r in adds}
    elif adds:
        room = host_room(session, start, end, default_zone, now=now)
        placement = place(room, adds, groups)
        if placement is None:
            raise GrantRefused(_shortage(adds, room, groups))
    grant_id = grant_id or str(uuid.uuid4())
    reservation_id = reservation.id if reservation is not None else None
    zones = sorted({room[h][0] for h in placement.values()})
    zone_ids = {zone: 'zone-%d' % i for i, zone in enumerate(zones)}
    added = []
    for rid in sorted(adds):
        entry = {'resourceDefinitionId': rid,
                 'vimConnectionId': vim_connection_id,
                 'zoneId': zone_ids[room[placement[rid]][0]]}
        if reservation_id:
            entry['reservationId'] = reservation_id
        added.append(entry)
    links = request.get('_links') or {}
    grant = {
        'id': grant_id,
        'vnfInstanceId': request.get('vnfInstanceId'),
        'vnfLcmOpOccId': request.get('vnfLcmOpOccId'),
        'zones': [{'id': zone_ids[z], 'zoneId': z,
                   'vimConnectionId': vim_connection_id} for z in zones],
        'addResources': added,
        'removeResources': [
            {'resourceDefinitionId': r['id']}
            for r in request.get('removeResources') or []],
        'vimAssets': {'computeResourceFlavours': [
            {'vimConnectionId': vim_connection_id,
             'vnfdVirtualComputeDescId': vdu, 'vimFlavourId': flavor}
            for vdu, flavor in sorted(flavors.items())]},
        '_links': {
            'self': {'href': '/grant/v1/grants/%s' % grant_id},
            'vnfLcmOpOcc': links.get('vnfLcmOpOcc'),
            'vnfInstance': links.get('vnfInstance')},
    }
    holds = [Hold(rid, vdu_of[rid], placement[rid], adds[rid],
                  reservation_id) for rid in sorted(adds)]
    return Decision(grant, holds)
