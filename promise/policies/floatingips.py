"""Reservable floating IPs (/v1/floatingips): readable by project
readers (to pick required_floatingips), changed by admins, as in Blazar."""

from promise.policies import base

GET = 'promise:floatingips:get'
POST = 'promise:floatingips:post'
DELETE = 'promise:floatingips:delete'

rules = [
    base.rule(name=GET, check_str=base.ADMIN_OR_PROJECT_READER,
              description='List reservable floating IPs or show one.',
              operations=[{'path': '/v1/floatingips', 'method': 'GET'},
                          {'path': '/v1/floatingips/{floatingip_id}',
                           'method': 'GET'}],
              blazar='blazar:floatingips:get'),
    base.rule(name=POST, check_str=base.ADMIN,
              description='Register a floating IP of an external network '
                          'as reservable.',
              operations=[{'path': '/v1/floatingips', 'method': 'POST'}],
              blazar='blazar:floatingips:post'),
    base.rule(name=DELETE, check_str=base.ADMIN,
              description='Remove a reservable floating IP.',
              operations=[{'path': '/v1/floatingips/{floatingip_id}',
                           'method': 'DELETE'}],
              blazar='blazar:floatingips:delete'),
]


def list_rules():
    return rules
