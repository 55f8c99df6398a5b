# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Keystone: its config file, its gunicorn process and its one-time set-up
(schema, fernet and credential keys, the admin user and the catalog's
identity endpoint)."""

import time

from minicloud import confgen
from minicloud import procs
from minicloud import settings
from minicloud.settings import etc
from minicloud import util


def config_files(ctx):
    return {'keystone/keystone.conf': [
        ('DEFAULT', confgen.common()),
        ('database', [('connection', ctx.db_url('keystone'))]),
        ('token', [('provider', 'fernet')]),
        ('fernet_tokens', [('key_repository',
                            settings.data('keystone', 'fernet-keys'))]),
        ('credential', [('key_repository',
                         settings.data('keystone', 'credential-keys'))]),
        # bcrypt's default cost makes every password check take ~0.3s.
        ('identity', [('password_hash_rounds', '4')]),
        ('cache', [('enabled', 'true'),
                   ('backend', 'dogpile.cache.memory')]),
    ]}


def services():
    return {'keystone': confgen.api_spec(
        'keystone', 'keystone', '/v3',
        {'OS_KEYSTONE_CONFIG_DIR': etc('keystone')},
        [etc('keystone', 'keystone.conf')])}


def setup(secrets_):
    log = settings.log_of('keystone-setup')
    manage = [settings.vbin('keystone-manage'),
              '--config-file', etc('keystone', 'keystone.conf')]
    owner = ['--keystone-user', 'root', '--keystone-group', 'root']
    url = settings.keystone_url() + '/'

    def run():
        t = time.monotonic()
        procs.run_logged('keystone', manage + ['db_sync'], log)
        procs.run_logged('keystone', manage + ['fernet_setup'] + owner, log)
        procs.run_logged('keystone', manage + ['credential_setup'] + owner,
                         log)
        procs.run_logged('keystone', manage + [
            'bootstrap', '--bootstrap-password', secrets_['admin'],
            '--bootstrap-username', 'admin',
            '--bootstrap-project-name', 'admin',
            '--bootstrap-role-name', 'admin',
            '--bootstrap-region-id', settings.REGION,
            '--bootstrap-admin-url', url, '--bootstrap-internal-url', url,
            '--bootstrap-public-url', url], log)
        util.say('keystone database ready (%.1fs)' % (time.monotonic() - t))
    util.once('keystone-setup', run)
