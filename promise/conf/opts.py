"""Entry points for oslo-config-generator."""

from oslo_config import cfg
from oslo_db import options as db_options
from oslo_policy import opts as policy_opts

from promise.conf import api
from promise.conf import default
from promise.conf import enforcement
from promise.conf import galera
from promise.conf import grants
from promise.conf import manager
from promise.conf import multicloud
from promise.conf import net_value as net_value_conf
from promise.conf import neutron
from promise.conf import notifications
from promise.conf import nova
from promise.conf import nova_notifications
from promise.conf import quota

_MODULES = (default, api, manager, nova, neutron, notifications, multicloud,
            net_value_conf, grants, nova_notifications, enforcement, quota,
            galera)

DEFAULT_CONNECTION = 'sqlite:///$state_path/promise.sqlite'


def list_opts():
    groups = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            groups.setdefault(group, []).extend(opts)
    return sorted(groups.items())


def set_defaults(conf=cfg.CONF):
    """Defaults for library options; the config generator shows them too."""
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)
    # The config generator reads the option objects themselves.
    cfg.set_defaults(db_options.database_opts,
                     connection=DEFAULT_CONNECTION)
    # Secure RBAC: the new defaults only, and scope checked (oslo.policy
    # releases before 4.4 default both to False; later ones have no
    # enforce_scope option and always check scope, and ignore the name).
    policy_opts.set_defaults(conf, enforce_scope=True,
                             enforce_new_defaults=True)
