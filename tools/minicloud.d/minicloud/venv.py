# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""The cached cloud virtualenv (MINICLOUD_CACHE/venv) and apt-get.

The venv holds every OpenStack service and client, pinned by
tools/minicloud.d/constraints.txt.  A stamp (hash of the constraints, the
package list and the Python version) tells whether it is current; clouds
with other state dirs share it, so building it takes a lock.
"""

import os
import shutil
import subprocess
import sys

from minicloud import procs
from minicloud import settings
from minicloud import util
from minicloud.util import Failure
from minicloud.util import say

# What goes into the cloud venv.  The constraints file pins every version.
PACKAGES = [
    'keystone', 'openstack-placement', 'glance', 'nova', 'neutron',
    'python-openstackclient', 'osc-placement', 'openstacksdk',
    'python-blazarclient', 'gunicorn', 'PyMySQL',
]

_apt_updated = False


def apt_install(packages, why):
    """apt-get install packages (apt-get update first, once per run)."""
    global _apt_updated
    log = os.path.join(settings.CACHE, 'apt.log')
    if shutil.which('apt-get') is None:
        raise Failure(why, 'apt-get is not available to install %s'
                      % ' '.join(packages))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    if not _apt_updated:
        say('apt-get update (needed for: %s)' % ' '.join(packages))
        procs.run_logged(why, ['apt-get', 'update'], log, env=env)
        _apt_updated = True
    say('apt-get install %s' % ' '.join(packages))
    try:
        procs.run_logged(why, ['apt-get', 'install', '-y',
                               '--no-install-recommends'] + packages,
                         log, env=env)
    except Failure as e:
        raise Failure(why, 'could not apt-get install %s'
                      % ' '.join(packages), e.log)


def base_python():
    """The interpreter the venv is made from: MINICLOUD_PYTHON, else the
    one running us (the base one if we run inside a venv)."""
    return os.environ.get('MINICLOUD_PYTHON') or getattr(
        sys, '_base_executable', None) or sys.executable


def venv_stamp():
    with open(settings.CONSTRAINTS, 'rb') as f:
        constraints = f.read()
    pyver = subprocess.run([base_python(), '-c',
                            'import sys; print(sys.version)'],
                           capture_output=True, text=True).stdout
    return util.sha256_of(constraints, ' '.join(PACKAGES), pyver)


def processes_using_venv():
    mark = (settings.VENV + '/').encode()
    return procs.find_processes(
        lambda pid: mark in procs.read_proc(pid, 'cmdline'))


def ensure_venv():
    """Build the venv unless the cached one is current."""
    with util.lock('venv', per_state=False):
        _ensure_venv()


def _ensure_venv():
    venv = settings.VENV
    stamp_path = os.path.join(venv, '.minicloud-stamp')
    want = venv_stamp()
    if util.read_file(stamp_path, '').strip() == want and os.access(
            settings.vbin('python'), os.X_OK):
        say('cloud venv is cached: %s' % venv)
        return
    log = os.path.join(settings.CACHE, 'venv-install.log')
    os.makedirs(settings.CACHE, exist_ok=True)
    if os.path.exists(log):
        os.unlink(log)
    if os.path.exists(venv):
        users = processes_using_venv()
        if users:
            raise Failure('venv', 'the constraints changed, so %s must be '
                          'rebuilt, but processes still run from it (pids %s);'
                          ' stop those clouds first (tools/minicloud down)'
                          % (venv, ' '.join(map(str, users[:10]))))
        say('constraints changed: rebuilding cloud venv %s' % venv)
        shutil.rmtree(venv)
    say('creating cloud venv %s (about a minute)' % venv)
    make_venv = [base_python(), '-m', 'venv', venv]
    try:
        procs.run_logged('venv', make_venv, log, env=dict(os.environ))
    except Failure:
        # Debian's python3 lacks ensurepip until python3-venv is installed.
        shutil.rmtree(venv, ignore_errors=True)
        apt_install(['python3-venv'], 'venv')
        procs.run_logged('venv', make_venv, log, env=dict(os.environ))
    procs.run_logged('venv', [settings.vbin('python'), '-m', 'pip', 'install',
                              '-q', '-c', settings.CONSTRAINTS] + PACKAGES,
                     log, env=procs.base_env(
                         {'PIP_DISABLE_PIP_VERSION_CHECK': '1'}),
                     timeout=1800)
    util.write_file(stamp_path, want + '\n')
    say('cloud venv ready')
