# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""The schema cache: a dump of the freshly migrated databases (taken before
any service ran), kept in MINICLOUD_CACHE, lets the next `up` with the same
venv, state dir and ports skip ~30 s of migrations.
MINICLOUD_NO_DB_CACHE=1 turns it off."""

import base64
import json
import os
import shutil
import subprocess

from minicloud import infra
from minicloud import settings
from minicloud import util
from minicloud.util import Failure
from minicloud import venv

# The set-up stamps a loaded dump stands for.
SETUP_STAMPS = ('keystone-setup', 'placement-setup', 'glance-setup',
                'neutron-setup', 'nova-cell1', 'nova-setup')


def _base_db_names(cloud):
    """The databases the dump holds: the OpenStack ones, not Promise's."""
    return infra.db_names(dict(cloud, promise=False))


def cache_dir(cloud):
    """Where this cloud's dump is (or would be); None when not cached."""
    if os.environ.get('MINICLOUD_NO_DB_CACHE') == '1' or not (
            shutil.which('mysqldump') and shutil.which('mysql')):
        return None
    prefix = infra.prefix()
    key = util.sha256_of(venv.venv_stamp(), prefix, settings.HOST,
                         json.dumps(settings.PORTS, sort_keys=True),
                         cloud['db']['port'], cloud['mq']['port'],
                         cloud.get('mq_user'), cloud.get('mq_vhost'),
                         *_base_db_names(cloud))
    return os.path.join(settings.CACHE, 'dbcache-%s-%s' % (prefix, key[:16]))


def save(cloud, secrets_, dump):
    """Dump the databases (and the secrets they hold) to dump, replacing
    older dumps of this prefix; a failure only costs the cache."""
    log = settings.log_of('mariadb-setup')
    tmp = dump + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        with open(os.path.join(tmp, 'dump.sql'), 'wb') as out, \
                open(log, 'ab') as err:
            rc = subprocess.call(
                ['mysqldump', '-h', settings.HOST,
                 '-P', str(cloud['db']['port']), '-uroot',
                 '--single-transaction', '--skip-comments',
                 '--databases'] + _base_db_names(cloud),
                stdout=out, stderr=err, timeout=120)
        if rc != 0:
            raise OSError('mysqldump exited %s' % rc)
        util.save_json(os.path.join(tmp, 'secrets.json'), secrets_)
        mine = 'dbcache-%s-' % infra.prefix()
        for old in os.listdir(settings.CACHE):
            path = os.path.join(settings.CACHE, old)
            if old.startswith(mine) and path != tmp:
                shutil.rmtree(path, ignore_errors=True)
        os.rename(tmp, dump)
    except (OSError, subprocess.SubprocessError) as e:
        util.say('note: could not cache the database schemas (%s)' % e)
        shutil.rmtree(tmp, ignore_errors=True)


def load(cloud, dump):
    """Load the dump into the (empty) databases and stamp the set-up steps
    it replaces."""
    log = settings.log_of('mariadb-setup')
    with open(os.path.join(dump, 'dump.sql'), 'rb') as f, \
            open(log, 'ab') as err:
        rc = subprocess.call(['mysql', '-h', settings.HOST, '-P',
                              str(cloud['db']['port']), '-uroot'],
                             stdin=f, stdout=err, stderr=err, timeout=300)
    if rc != 0:
        shutil.rmtree(dump, ignore_errors=True)
        raise Failure('mariadb', 'loading the cached schemas from %s failed '
                      '(cache removed; run up again)' % dump, log)
    # What keystone-manage fernet_setup/credential_setup would write: a
    # staged key (0) and a primary key (1) in each repository.  No token or
    # credential exists yet, so new keys are fine.
    for repo in ('fernet-keys', 'credential-keys'):
        path = settings.data('keystone', repo)
        os.makedirs(path, mode=0o700, exist_ok=True)
        for index in ('0', '1'):
            key = base64.urlsafe_b64encode(os.urandom(32)).decode()
            util.write_file(os.path.join(path, index), key, mode=0o600)
    for name in SETUP_STAMPS:
        util.stamp_set(name)
