"""Loads the resource plugins named in [manager] plugins (stevedore).

Two views of the same configuration: ``plugins()`` are the plugin objects
the manager drives (tests install their own), ``wings()`` the plugin
classes as configured, whose class-level declarations (request schemas,
capacity timelines, healing, type flags) the API and the manager read
whatever objects are installed.
"""

from oslo_utils import uuidutils
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


def before_create(ctx, values):
    """Each new reservation's id, and what its plugin makes before the
    decision for the answer to name (ResourcePlugin.before_create).
    Returns (values, undos); on failure what was made is undone."""
    reservations, undos = [], []
    try:
        for res_values in values.get('reservations', []):
            res_id = uuidutils.generate_uuid()
            res_values, undo = get(res_values['resource_type']).before_create(
                ctx, res_id, res_values)
            reservations.append(dict(res_values, _id=res_id))
            if undo is not None:
                undos.append(undo)
    except Exception:
        for undo in undos:
            undo()
        raise
    return dict(values, reservations=reservations), undos
