"""Leases (/v1/leases)."""

from promise.policies import base

GET = 'promise:leases:get'
POST = 'promise:leases:post'
CHECK = 'promise:leases:check'
PUT = 'promise:leases:put'
DELETE = 'promise:leases:delete'
ALL_PROJECTS = 'promise:leases:get:all_projects'

rules = [
    base.rule(
        name=GET, blazar='blazar:leases:get',
        check_str=base.ADMIN_OR_PROJECT_READER,
        description='List leases or show one.',
        operations=[{'path': '/v1/leases', 'method': 'GET'},
                    {'path': '/v1/leases/{lease_id}', 'method': 'GET'}]),
    base.rule(
        name=POST, blazar='blazar:leases:post',
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Create a lease.',
        operations=[{'path': '/v1/leases', 'method': 'POST'}]),
    base.rule(
        name=CHECK, check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Ask whether a lease would fit, and for the offer '
                    '(what fits, and alternative windows), without '
                    'creating it.',
        operations=[{'path': '/v1/leases/check', 'method': 'POST'}]),
    base.rule(
        name=PUT, blazar='blazar:leases:put',
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Change a lease.',
        operations=[{'path': '/v1/leases/{lease_id}', 'method': 'PUT'}]),
    base.rule(
        name=DELETE, blazar='blazar:leases:delete',
        check_str=base.ADMIN_OR_PROJECT_MEMBER,
        description='Delete a lease.',
        operations=[{'path': '/v1/leases/{lease_id}', 'method': 'DELETE'}]),
    base.rule(
        name=ALL_PROJECTS, check_str=base.ADMIN,
        description="See every project's leases: the list shows them all "
                    'unless a project_id or all_projects=false is given, '
                    'and a lease of any project is found by its name.',
        operations=[{'path': '/v1/leases', 'method': 'GET'},
                    {'path': '/v1/leases/{lease_name}', 'method': 'GET'}]),
]


def list_rules():
    return rules
