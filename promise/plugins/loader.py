"""Loads the resource plugins named in [manager] plugins (stevedore)."""

import threading

from stevedore import named

from promise import conf
from promise import exceptions

NAMESPACE = 'promise.resource.plugins'
CONF = conf.CONF

_LOCK = threading.Lock()
_PLUGINS = None


def plugins():
    global _PLUGINS
    if _PLUGINS is None:
        with _LOCK:
            if _PLUGINS is None:
                manager = named.NamedExtensionManager(
                    NAMESPACE, names=CONF.manager.plugins,
                    invoke_on_load=True, name_order=True,
                    on_missing_entrypoints_callback=_missing)
                _PLUGINS = {ext.name: ext.obj for ext in manager}
    return _PLUGINS


def _missing(names):
    raise RuntimeError('Unknown resource plugins in [manager] plugins: %s'
                       % ', '.join(sorted(names)))


def get(resource_type):
    try:
        return plugins()[resource_type]
    except KeyError:
        raise exceptions.UnsupportedResourceType(resource_type=resource_type)


def set_plugins(mapping):
    """Install plugins directly (tests)."""
    global _PLUGINS
    _PLUGINS = mapping
