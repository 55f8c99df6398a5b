"""Hosts, host properties and capacity changes as the API shows them.

Invariant: one shape whoever builds it, the API on a read or
promise-manager answering a write; only JSON-ready values (strings,
numbers, booleans), so a view crosses RPC unchanged.
"""

from promise.common import dates
from promise import conf

CONF = conf.CONF

_HOST_FIELDS = ('hypervisor_hostname', 'hypervisor_type',
                'hypervisor_version', 'service_name', 'vcpus', 'cpu_info',
                'memory_mb', 'local_gb', 'availability_zone', 'reservable')


def host(obj):
    body = {'id': str(obj.id)}
    body.update({f: getattr(obj, f) for f in _HOST_FIELDS})
    # Blazar's fields: the zone Nova places a host in when no aggregate
    # names one, the host's health as status, and no trust (Promise acts
    # with its own service credentials).
    body['availability_zone'] = (obj.availability_zone or
                                 CONF.nfv.default_availability_zone)
    body['status'] = obj.health
    body['trust_id'] = None
    body['created_at'] = dates.format_timestamp(obj.created_at)
    body['updated_at'] = dates.format_timestamp(obj.updated_at)
    for cap in obj.capabilities:
        body[cap.name] = cap.value
    return body


def host_property(prop):
    return {'property': prop.name, 'private': prop.private}


def capacity_change(change):
    return {'id': change.id, 'host_id': str(change.host_id),
            'type': change.type,
            'start_date': dates.format_date(change.start_date),
            'end_date': dates.format_date(change.end_date),
            'reason': change.reason,
            'created_at': dates.format_timestamp(change.created_at),
            'updated_at': dates.format_timestamp(change.updated_at)}
