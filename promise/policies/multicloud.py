"""ONAP Multicloud (/api/multicloud)."""

from promise.policies import base

CHECK = 'promise:multicloud:check'

rules = [
    base.rule(
        name=CHECK,
        check_str=base.ADMIN_OR_PROJECT_READER_OR_SERVICE,
        description='ONAP Multicloud: which VIMs (regions and availability '
                    'zones) have capacity, and the net value of a '
                    'placement there.',
        operations=[{'path': '/api/multicloud/v0/check_vim_capacity',
                     'method': 'POST'},
                    {'path': '/api/multicloud/v1/check_vim_capacity',
                     'method': 'POST'},
                    {'path': '/api/multicloud/v1/net_value',
                     'method': 'POST'}]),
]


def list_rules():
    return rules
