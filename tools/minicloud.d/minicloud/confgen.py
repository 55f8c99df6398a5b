# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""What the per-service modules share to describe their config files and
processes: INI rendering, MINICLOUD_EXTRA_CONF overrides, section merging,
keystone auth items, database and transport URLs, and the gunicorn command
line the API services run under.

A config file is described as sections: a list of (name, [(key, value),
...]); keys may repeat, order is kept.
"""

import os

from minicloud import infra
from minicloud import settings
from minicloud.util import Failure


def common(*more):
    """[DEFAULT] items every service gets, plus more (a fresh list)."""
    return [('debug', 'false'), ('use_stderr', 'true')] + list(more)


def ini(sections):
    out = []
    for name, items in sections:
        out.append('[%s]' % name)
        out.extend('%s = %s' % (k, v) for k, v in items)
        out.append('')
    return '\n'.join(out)


def _set(items, key, value):
    """items with key's entries replaced by one (key, value) at the end."""
    items[:] = [(k, v) for k, v in items if k != key]
    items.append((key, value))


def merge_sections(sections, extra):
    """sections updated with extra's (section, [(key, value)]): a key
    replaces the same key, new ones are appended."""
    for name, items in extra:
        target = next((i for n, i in sections if n == name), None)
        if target is None:
            sections.append((name, list(items)))
            continue
        for key, value in items:
            _set(target, key, value)
    return sections


def apply_overrides(fname, sections):
    """MINICLOUD_EXTRA_CONF='file:section:key=value;...' (for testing and
    experiments; e.g. 'nova.conf:DEFAULT:debug=true')."""
    spec = os.environ.get('MINICLOUD_EXTRA_CONF', '')
    for item in filter(None, (s.strip() for s in spec.split(';'))):
        try:
            f, section, kv = item.split(':', 2)
            key, value = kv.split('=', 1)
        except ValueError:
            raise Failure('config', 'bad MINICLOUD_EXTRA_CONF item %r '
                          '(want file:section:key=value)' % item)
        if f == fname:
            merge_sections(sections, [(section, [(key, value)])])
    return sections


def render(relpath, sections):
    """The text of the config file ETC/relpath, overrides applied."""
    return ini(apply_overrides(os.path.basename(relpath), sections))


def auth_items(user, password, uri=True):
    """keystone_authtoken-style items for a service user in project
    service (with www_authenticate_uri unless uri is false)."""
    items = [('auth_url', settings.keystone_url()),
             ('auth_type', 'password'),
             ('username', user), ('password', password),
             ('project_name', 'service'),
             ('user_domain_name', 'Default'),
             ('project_domain_name', 'Default')]
    if uri:
        items.insert(0, ('www_authenticate_uri', settings.keystone_url()))
    return items


class Context(object):
    """What config files are made from: the cloud (cloud.json) and its
    secrets (secrets.json)."""

    def __init__(self, cloud, secrets_):
        self.cloud = cloud
        self.secrets = secrets_
        self.password = secrets_['service']
        mq = cloud['mq']
        vhost = '' if cloud['mq_vhost'] == '/' else cloud['mq_vhost']
        self.transport = 'rabbit://%s:%s@%s:%d/%s' % (
            cloud['mq_user'], secrets_['mq'], settings.HOST, mq['port'],
            vhost)

    def db_url(self, name):
        """SQLAlchemy URL of our database name (e.g. 'nova_cell0')."""
        return 'mysql+pymysql://%s:%s@%s:%d/%s_%s?charset=utf8' % (
            self.cloud['dbuser'], self.secrets['db'], settings.HOST,
            self.cloud['db']['port'], infra.prefix(), name)


def gunicorn(shim, port):
    """An API service under gunicorn: STATE/wsgi/<shim>_wsgi.py on port."""
    return [settings.vbin('gunicorn'),
            '--chdir', os.path.join(settings.STATE, 'wsgi'),
            '-b', '%s:%d' % (settings.HOST, port), '-w', '1',
            '--threads', '8', '--timeout', '300', '--graceful-timeout', '5',
            '--no-control-socket', '%s_wsgi:application' % shim]


def api_spec(shim, port_name, url_path, env, configs):
    """The service table entry of an API service under gunicorn."""
    port = settings.PORTS[port_name]
    return dict(argv=gunicorn(shim, port), env=env, port=port,
                url='http://%s:%d%s' % (settings.HOST, port, url_path),
                configs=configs)
