import os
import socket

from oslo_config import cfg

opts = [
    cfg.StrOpt('host', default=socket.gethostname(),
               sample_default='<hostname>',
               help='Name of this node, used in RPC server names and in '
                    'event claims.'),
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=[('keystone',
                         'Validate tokens with keystonemiddleware'),
                        ('noauth', 'Trust X-User-Id / X-Project-Id / X-Roles '
                                   'headers; for development only')],
               help='How API requests are authenticated.'),
    cfg.StrOpt('state_path',
               default=os.path.join(os.path.expanduser('~'), '.local',
                                    'state', 'promise'),
               sample_default='$HOME/.local/state/promise',
               help='Directory for local state such as the embedded SQLite '
                    'database used by promise-all.'),
    cfg.IntOpt('cleaning_time',
               default=0, min=0,
               help='Minutes added on both sides of every reservation, so '
                    'that a host can be cleaned between two leases.'),
]

noauth_opts = [
    cfg.StrOpt('user_id', default='noauth-user',
               help='User id assumed when a noauth request sends no '
                    'X-User-Id header.'),
    cfg.StrOpt('project_id', default='noauth-project',
               help='Project id assumed when a noauth request sends no '
                    'X-Project-Id header.'),
    cfg.ListOpt('roles', default=['admin', 'member', 'reader'],
                help='Roles assumed when a noauth request sends no X-Roles '
                     'header. python-blazarclient sends none, so the '
                     'default lets it manage everything, as an admin would.'),
]


def register_opts(conf):
    conf.register_opts(opts)
    conf.register_opts(noauth_opts, group='noauth')


def list_opts():
    return {'DEFAULT': opts, 'noauth': noauth_opts}
