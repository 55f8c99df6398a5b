"""Loads the resource plugins named in [manager] plugins (stevedore)."""

from stevedore import named

from promise.common import lazy
from promise import conf
from promise import exceptions

NAMESPACE = 'promise.resource.plugins'
CONF = conf.CONF


def _load():
    manager = named.NamedExtensionManager(
        NAMESPACE, names=CONF.manager.plugins, invoke_on_load=True,
        name_order=True, on_missing_entrypoints_callback=_missing)
    return {ext.name: ext.obj for ext in manager}


_PLUGINS = lazy.Lazy(_load)


def plugins():
    return _PLUGINS.get()


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
    _PLUGINS.set(mapping)
