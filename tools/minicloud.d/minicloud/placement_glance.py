# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Placement and Glance (file store): their config files, gunicorn
processes and schema migrations."""

from minicloud import confgen
from minicloud import procs
from minicloud import settings
from minicloud.settings import etc
from minicloud import util


def config_files(ctx):
    def store_dir(kind):
        return [('filesystem_store_datadir', settings.data('glance', kind))]
    return {
        'placement/placement.conf': [
            ('DEFAULT', confgen.common()),
            ('placement_database', [('connection',
                                     ctx.db_url('placement'))]),
            ('api', [('auth_strategy', 'keystone')]),
            ('keystone_authtoken',
             confgen.auth_items('placement', ctx.password)),
        ],
        'glance/glance-api.conf': [
            ('DEFAULT', confgen.common(('enabled_backends', 'fs:file'),
                                       ('bind_host', settings.HOST))),
            ('database', [('connection', ctx.db_url('glance'))]),
            ('glance_store', [('default_backend', 'fs')]),
            ('fs', store_dir('images')),
            ('os_glance_staging_store', store_dir('staging')),
            ('os_glance_tasks_store', store_dir('tasks')),
            ('keystone_authtoken', confgen.auth_items('glance', ctx.password)),
            ('paste_deploy', [('flavor', 'keystone')]),
            ('oslo_concurrency', [('lock_path',
                                   settings.data('glance', 'lock'))]),
        ],
    }


def services():
    return {
        'placement': confgen.api_spec(
            'placement', 'placement', '/',
            {'OS_PLACEMENT_CONFIG_DIR': etc('placement')},
            [etc('placement', 'placement.conf')]),
        'glance': confgen.api_spec(
            'glance', 'glance', '/versions',
            {'OS_GLANCE_CONFIG_DIR': etc('glance')},
            [etc('glance', 'glance-api.conf')]),
    }


def setup_placement():
    def run():
        procs.run_logged('placement', [
            settings.vbin('placement-manage'),
            '--config-file', etc('placement', 'placement.conf'),
            'db', 'sync'], settings.log_of('placement-setup'))
        util.say('placement database ready')
    util.once('placement-setup', run)


def setup_glance():
    def run():
        procs.run_logged('glance', [
            settings.vbin('glance-manage'),
            '--config-file', etc('glance', 'glance-api.conf'),
            'db_sync'], settings.log_of('glance-setup'))
        util.say('glance database ready')
    util.once('glance-setup', run)
