"""Loads the resource plugins named in [manager] plugins (stevedore).

Two views of the same configuration: ``plugins()`` are the plugin objects
the manager drives (tests install their own), ``wings()`` the plugin
classes as configured, whose class-level declarations (request schemas,
capacity timelines, healing, type flags) the API and the manager read
whatever objects are installed.
"""

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


def _load_wings(names):
    manager = named.NamedExtensionManager(
        NAMESPACE, names=list(names), invoke_on_load=False,
        name_order=True, on_missing_entrypoints_callback=_missing)
    return {ext.name: ext.plugin for ext in manager}


_WINGS = {}


def wings():
    """{resource type: plugin class} of the enabled plugins, in the
    configured order."""
    names = tuple(CONF.manager.plugins)
    if names not in _WINGS:
        _WINGS[names] = _load_wings(names)
    return _WINGS[names]


def types_with(flag):
    """The enabled resource types whose plugin class sets ``flag`` (a
    class attribute of ResourcePlugin), in the configured order."""
    return tuple(name for name, wing in wings().items()
                 if getattr(wing, flag))


def set_plugins(mapping):
    """Install plugins directly (tests)."""
    _PLUGINS.set(mapping)
