"""In-code policy defaults (the oslo.policy.policies entry point)."""

import itertools

from promise.policies import base
from promise.policies import capacity as capacity_rules
from promise.policies import floatingips as floatingip_rules
from promise.policies import grants as grant_rules
from promise.policies import hosts as host_rules
from promise.policies import leases as lease_rules
from promise.policies import multicloud as multicloud_rules
from promise.policies import subscriptions as subscription_rules


def list_rules():
    return itertools.chain(
        base.list_rules(), lease_rules.list_rules(), host_rules.list_rules(),
        capacity_rules.list_rules(), subscription_rules.list_rules(),
        multicloud_rules.list_rules(), grant_rules.list_rules(),
        floatingip_rules.list_rules())
