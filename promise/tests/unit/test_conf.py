"""Options as oslo-config-generator and operators see them."""

import importlib.metadata
import io

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_config import generator

from promise.conf import opts
from promise.tests.unit import base

EXPECTED = {
    'DEFAULT': {'host', 'auth_strategy', 'state_path', 'cleaning_time'},
    'noauth': {'user_id', 'project_id', 'roles'},
    'api': {'host', 'port', 'max_limit', 'default_limit', 'rpc_timeout'},
    'manager': {'topic', 'event_interval', 'event_claim_timeout',
                'minutes_before_end_lease', 'plugins'},
    'nova': {'aggregate_freepool_name', 'region_name', 'endpoint_type',
             'auth_type', 'auth_url', 'username', 'password', 'cafile',
             'insecure', 'timeout'},
}


def _entry_point(group, name='promise'):
    for ep in importlib.metadata.entry_points(group=group):
        if ep.name == name:
            return ep
    raise AssertionError('No %s entry point in %s' % (name, group))


class TestListOpts(base.TestCase):

    def test_entry_point_is_list_opts(self):
        self.assertIs(opts.list_opts,
                      _entry_point('oslo.config.opts').load())
        self.assertIs(opts.set_defaults,
                      _entry_point('oslo.config.opts.defaults').load())

    def test_groups_and_options(self):
        groups = dict(opts.list_opts())
        for group, names in EXPECTED.items():
            self.assertIn(group, groups)
            listed = {o.dest for o in groups[group]}
            self.assertTrue(names <= listed,
                            '%s lacks %s' % (group, names - listed))

    def test_groups_are_sorted_and_unique(self):
        names = [group for group, _ in opts.list_opts()]
        self.assertEqual(sorted(set(names)), names)

    def test_no_option_listed_twice(self):
        for group, group_opts in opts.list_opts():
            names = [o.dest for o in group_opts]
            self.assertEqual(len(names), len(set(names)), group)

    def test_every_listed_option_is_registered(self):
        # (keystoneauth registers the [nova] auth plugin's options only
        # when it loads the plugin.)
        plugin_opts = {o.dest for o in
                       ks_loading.get_auth_plugin_conf_options('password')}
        for group, group_opts in opts.list_opts():
            for opt in group_opts:
                if group == 'nova' and opt.dest in plugin_opts:
                    continue
                if group == 'DEFAULT':
                    self.assertIn(opt.dest, cfg.CONF)
                else:
                    self.assertIn(opt.dest, cfg.CONF[group], group)

    def test_generator_renders_the_sample(self):
        conf = cfg.ConfigOpts()
        generator.register_cli_opts(conf)
        conf(['--namespace', 'promise'])
        out = io.StringIO()
        generator.generate(conf, output_file=out)
        text = out.getvalue()
        for section in ('[DEFAULT]', '[api]', '[manager]', '[noauth]',
                        '[nova]'):
            self.assertIn(section, text)
        self.assertIn('#event_interval = 10', text)
        self.assertIn('#minutes_before_end_lease = 60', text)
        self.assertIn('#auth_strategy = keystone', text)
        # The host's name must not leak into the sample.
        self.assertIn('#host = <hostname>', text)

    def test_set_defaults_points_the_database_at_state_path(self):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt('state_path', default='/srv/promise'))
        opts.set_defaults(conf)
        conf([], default_config_files=[])
        self.assertEqual('sqlite:////srv/promise/promise.sqlite',
                         conf.database.connection)

    def test_defaults_of_key_options(self):
        defaults = {(group, o.dest): o.default
                    for group, group_opts in opts.list_opts()
                    for o in group_opts}
        self.assertEqual('keystone', defaults[('DEFAULT', 'auth_strategy')])
        self.assertEqual(60, defaults[('manager',
                                       'minutes_before_end_lease')])
        self.assertEqual(600, defaults[('manager', 'event_claim_timeout')])
