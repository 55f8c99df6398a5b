from oslo_policy import policy

from promise.policies import base

PREFIX = 'promise:oshosts:%s'


def _rule(name, description, operations):
    return policy.DocumentedRuleDefault(
        name=PREFIX % name, check_str=base.ADMIN, description=description,
        operations=operations)


rules = [
    _rule('get', 'List hosts or show one.',
          [{'path': '/v1/os-hosts', 'method': 'GET'},
           {'path': '/v1/os-hosts/{host_id}', 'method': 'GET'}]),
    _rule('post', 'Register a Nova host with Promise.',
          [{'path': '/v1/os-hosts', 'method': 'POST'}]),
    _rule('put', "Change a host's extra capabilities.",
          [{'path': '/v1/os-hosts/{host_id}', 'method': 'PUT'}]),
    _rule('delete', 'Remove a host from Promise.',
          [{'path': '/v1/os-hosts/{host_id}', 'method': 'DELETE'}]),
    _rule('get_allocations', 'Show which reservations hold hosts.',
          [{'path': '/v1/os-hosts/allocations', 'method': 'GET'},
           {'path': '/v1/os-hosts/{host_id}/allocation', 'method': 'GET'}]),
    _rule('get_resource_properties', 'List host properties.',
          [{'path': '/v1/os-hosts/properties', 'method': 'GET'}]),
    _rule('patch_resource_properties',
          'Make a host property private or public.',
          [{'path': '/v1/os-hosts/properties/{property_name}',
            'method': 'PATCH'}]),
]


def list_rules():
    return rules
