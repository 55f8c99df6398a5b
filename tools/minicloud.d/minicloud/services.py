# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""The cloud's services as a whole: every config file (gathered from the
per-service modules and written only when changed), the files the services
load from the state dir (WSGI shims, paste files, the driver and ML2
plugin modules), and the service table `up`, `status` and `restart` work
from."""

import os

from minicloud import confgen
from minicloud import keystone
from minicloud import neutron
from minicloud import nova
from minicloud import placement_glance
from minicloud import promise
from minicloud import settings
from minicloud import util

# WSGI shims: oslo.config parses sys.argv, which holds gunicorn's flags.
WSGI_APPS = {'keystone': 'keystone.wsgi.api',
             'placement': 'placement.wsgi.api',
             'glance': 'glance.wsgi.api',
             'nova_api': 'nova.wsgi.osapi_compute',
             'neutron': 'neutron.wsgi.api'}
# Paste files shipped in the venv: (service, file name).
PASTE_FILES = (('nova', 'api-paste.ini'), ('neutron', 'api-paste.ini'),
               ('glance', 'glance-api-paste.ini'))
# Modules the services import from PYDIR: the fake driver, the ML2
# mechanism driver and the nova-compute launcher.
PY_MODULES = ('minicloud_fake.py', 'minicloud_anyhost.py',
              'nova_compute_pinned.py')
API_SERVICES = ['keystone', 'placement', 'glance', 'nova-api', 'neutron']
DATA_DIRS = ('keystone', 'glance/images', 'glance/staging', 'glance/tasks',
             'nova', 'neutron')


def config_files(ctx):
    """{path under ETC: sections} of every service of this cloud."""
    cloud = ctx.cloud
    filters = nova.default_filter_sections()
    plugin_sections = None
    if cloud.get('promise') or cloud.get('promise_filter'):
        # Promise's settings come from its devstack plugin, run for real.
        plugin_sections, plugin_filters = promise.plugin_configs(ctx, filters)
        if cloud.get('promise_filter'):
            filters = plugin_filters
    files = {}
    files.update(keystone.config_files(ctx))
    files.update(placement_glance.config_files(ctx))
    files.update(nova.config_files(ctx, filters))
    files.update(neutron.config_files(ctx))
    if cloud.get('promise'):
        files.update(promise.config_files(ctx, plugin_sections))
    return files


def _copy_if_changed(src, dst):
    text = util.read_file(src)
    if util.read_file(dst) != text:
        util.write_file(dst, text)


def write_configs(ctx):
    for rel, sections in config_files(ctx).items():
        path = settings.etc(rel)
        text = confgen.render(rel, sections)
        if util.read_file(path) != text:
            util.write_file(path, text, mode=0o600)
    for service, fname in PASTE_FILES:
        _copy_if_changed(os.path.join(settings.VENV, 'etc', service, fname),
                         settings.etc(service, fname))
    for name, module in WSGI_APPS.items():
        util.write_file(os.path.join(settings.STATE, 'wsgi',
                                     '%s_wsgi.py' % name),
                        'import sys\nsys.argv = sys.argv[:1]\n'
                        'from %s import application  # noqa\n' % module)
    for fname in PY_MODULES:
        _copy_if_changed(os.path.join(settings.SUPPORT, fname),
                         os.path.join(settings.PYDIR, fname))
    # A distribution entry point is how neutron finds an ML2 driver.
    dist_info = os.path.join(settings.PYDIR, 'minicloud_plugins-0.1.dist-info')
    util.write_file(os.path.join(dist_info, 'METADATA'),
                    'Metadata-Version: 2.1\nName: minicloud-plugins\n'
                    'Version: 0.1\n')
    util.write_file(os.path.join(dist_info, 'entry_points.txt'),
                    '[neutron.ml2.mechanism_drivers]\n'
                    'minicloud_anyhost = '
                    'minicloud_anyhost:AnyHostMechanismDriver\n')
    for d in DATA_DIRS:
        os.makedirs(settings.data(d), exist_ok=True)
    nova.make_compute_dirs(ctx.cloud)


def service_table(cloud):
    """name -> dict(argv, env, configs[, url, port]), in start order: the
    API services, then the Nova back end, then Promise."""
    table = {}
    table.update(keystone.services())
    table.update(placement_glance.services())
    table.update(nova.api_service())
    table.update(neutron.services())
    table.update(nova.backend_services(cloud))
    if cloud.get('promise'):
        table.update(promise.services(cloud))
    return table
