"""Configuration options, registered once on the global CONF object."""

from oslo_config import cfg

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

CONF = cfg.CONF

default.register_opts(CONF)
api.register_opts(CONF)
manager.register_opts(CONF)
multicloud.register_opts(CONF)
net_value_conf.register_opts(CONF)
grants.register_opts(CONF)
notifications.register_opts(CONF)
nova.register_opts(CONF)
neutron.register_opts(CONF)
nova_notifications.register_opts(CONF)
enforcement.register_opts(CONF)
quota.register_opts(CONF)
galera.register_opts(CONF)
