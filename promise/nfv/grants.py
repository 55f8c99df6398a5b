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

Not here yet (see the API layer): holding what was granted, the
(vnfdId, VDU) -> flavor map from configuration, storage for GET.
"""

import uuid

from promise.engine import net_value
from promise.engine import slots

COMPUTE = 'COMPUTE'
ANTI_AFFINITY = 'ANTI_AFFINITY'
NFVI_NODE = 'NFVI_NODE'
RELEASING = ('TERMINATE',)


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
    over [start, end)."""
    per_host = net_value.zone_timelines(
        session, start, end, default_zone, now=now,
        key=lambda host: (host.id, host.availability_zone or default_zone))
    room = {}
    for (host_id, zone), steps in per_host.items():
        least = net_value.minimum(steps)
        room[host_id] = (zone, slots.Shape(
            *(least[name]['available'] for name in net_value.RESOURCES)))
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


def decide(session, request, flavor_map, shapes, start, end,
           vim_connection_id, default_zone='nova', grant_id=None,
           now=None):
    """The Grant body for ``request`` or GrantRefused."""
    adds = {}
    flavors = {}
    for resource in request.get('addResources') or []:
        if resource.get('type') != COMPUTE:
            continue
        vdu = resource.get('resourceTemplateId')
        flavor = flavor_for(request, vdu, flavor_map)
        if not flavor:
            raise GrantRefused('No flavor is known for VDU %s of VNFD %s.'
                               % (vdu, request.get('vnfdId')))
        if flavor not in shapes:
            raise GrantRefused('The size of flavor %s is not known.'
                               % flavor)
        adds[resource['id']] = shapes[flavor]
        flavors[vdu] = flavor
    groups = _anti_affinity_groups(request, adds)
    placement = {}
    room = {}
    if adds:
        room = host_room(session, start, end, default_zone, now=now)
        placement = place(room, adds, groups)
        if placement is None:
            detail = ('Not enough capacity for %d compute resource(s)'
                      % len(adds))
            if groups:
                detail += (' with anti-affinity over NFVI_NODE (largest '
                           'group: %d distinct hosts)'
                           % max(len(g) for g in groups))
            raise GrantRefused(detail + '.')
    grant_id = grant_id or str(uuid.uuid4())
    zones = sorted({room[h][0] for h in placement.values()})
    zone_ids = {zone: 'zone-%d' % i for i, zone in enumerate(zones)}
    links = request.get('_links') or {}
    grant = {
        'id': grant_id,
        'vnfInstanceId': request.get('vnfInstanceId'),
        'vnfLcmOpOccId': request.get('vnfLcmOpOccId'),
        'zones': [{'id': zone_ids[z], 'zoneId': z,
                   'vimConnectionId': vim_connection_id} for z in zones],
        'addResources': [
            {'resourceDefinitionId': rid,
             'vimConnectionId': vim_connection_id,
             'zoneId': zone_ids[room[placement[rid]][0]]}
            for rid in sorted(adds)],
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
    return grant
