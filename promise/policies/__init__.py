"""In-code policy defaults (the oslo.policy.policies entry point)."""

import itertools

from promise.policies import base
from promise.policies import capacity
from promise.policies import grants
from promise.policies import hosts
from promise.policies import leases
from promise.policies import multicloud
from promise.policies import subscriptions


def list_rules():
    return itertools.chain(base.list_rules(), leases.list_rules(),
                           hosts.list_rules(), capacity.list_rules(),
                           subscriptions.list_rules(), multicloud.list_rules(),
                           grants.list_rules())
