"""Hosts (/v1/os-hosts): admin only."""

from promise.policies import base

GET = 'promise:oshosts:get'
POST = 'promise:oshosts:post'
PUT = 'promise:oshosts:put'
DELETE = 'promise:oshosts:delete'
GET_ALLOCATIONS = 'promise:oshosts:get_allocations'
GET_RESOURCE_PROPERTIES = 'promise:oshosts:get_resource_properties'
PATCH_RESOURCE_PROPERTIES = 'promise:oshosts:patch_resource_properties'


def _rule(name, description, operations, blazar=None):
    return base.rule(
        name=name, check_str=base.ADMIN, description=description,
        operations=operations,
        blazar='blazar:oshosts:%s' % (blazar or name.rsplit(':', 1)[1]))


rules = [
    _rule(GET, 'List hosts or show one.',
          [{'path': '/v1/os-hosts', 'method': 'GET'},
           {'path': '/v1/os-hosts/{host_id}', 'method': 'GET'}]),
    _rule(POST, 'Register a Nova host with Promise.',
          [{'path': '/v1/os-hosts', 'method': 'POST'}]),
    _rule(PUT, "Change a host's extra capabilities.",
          [{'path': '/v1/os-hosts/{host_id}', 'method': 'PUT'}]),
    _rule(DELETE, 'Remove a host from Promise.',
          [{'path': '/v1/os-hosts/{host_id}', 'method': 'DELETE'}]),
    _rule(GET_ALLOCATIONS, 'Show which reservations hold hosts.',
          [{'path': '/v1/os-hosts/allocations', 'method': 'GET'},
           {'path': '/v1/os-hosts/{host_id}/allocation', 'method': 'GET'}]),
    _rule(GET_RESOURCE_PROPERTIES, 'List host properties.',
          [{'path': '/v1/os-hosts/properties', 'method': 'GET'}]),
    _rule(PATCH_RESOURCE_PROPERTIES,
          'Make a host property private or public.',
          [{'path': '/v1/os-hosts/properties/{property_name}',
            'method': 'PATCH'}], blazar='update_resource_properties'),
]


def list_rules():
    return rules
