"""The OSC plugin module and its entry points."""

import argparse
import configparser
import importlib
import importlib.metadata
import os
from unittest import mock

import testtools

from promiseclient.osc import plugin
from promiseclient.v1 import client as client_v1

SETUP_CFG = os.path.join(os.path.dirname(__file__), '..', '..', 'setup.cfg')


def entry_points():
    """{group: {name: target}} of this package's setup.cfg."""
    cfg = configparser.ConfigParser()
    cfg.read(SETUP_CFG)
    result = {}
    for group, text in cfg['entry_points'].items():
        result[group] = {}
        for line in text.strip().splitlines():
            name, _, target = line.partition('=')
            result[group][name.strip()] = target.strip()
    return result


class TestPlugin(testtools.TestCase):

    def test_interface(self):
        self.assertEqual('promise', plugin.API_NAME)
        self.assertEqual('os_promise_api_version', plugin.API_VERSION_OPTION)
        self.assertIn(plugin.DEFAULT_API_VERSION, plugin.API_VERSIONS)

    def test_make_client_uses_the_instance_session(self):
        instance = mock.Mock(interface='public', _region_name='R1')
        instance.get_endpoint_for_service_type.return_value = (
            'http://h/reservation/v1')
        client = plugin.make_client(instance)
        instance.get_endpoint_for_service_type.assert_called_once_with(
            'reservation', region_name='R1', interface='public')
        self.assertIsInstance(client, client_v1.Client)
        self.assertIs(instance.session, client.http.session)
        self.assertEqual('reservation', client.http.service_type)
        self.assertEqual('http://h/reservation/v1',
                         client.http.endpoint_override)
        self.assertEqual('R1', client.http.region_name)

    def test_option_parser(self):
        parser = plugin.build_option_parser(argparse.ArgumentParser())
        args = parser.parse_args(['--os-promise-api-version', '1'])
        self.assertEqual('1', args.os_promise_api_version)


class TestEntryPoints(testtools.TestCase):

    def test_targets_exist(self):
        points = entry_points()
        self.assertEqual({'promise': 'promiseclient.osc.plugin'},
                         points['openstack.cli.extension'])
        for name, target in points['openstack.promise.v1'].items():
            module, _, attr = target.partition(':')
            cls = getattr(importlib.import_module(module), attr)
            self.assertTrue(cls.__doc__, name)
            self.assertTrue(name.startswith('reservation_'), name)

    def test_expected_commands(self):
        names = {n.replace('_', ' ')
                 for n in entry_points()['openstack.promise.v1']}
        self.assertEqual({
            'reservation capacity show', 'reservation lease check',
            'reservation capacity change create',
            'reservation capacity change list',
            'reservation capacity change show',
            'reservation capacity change delete',
            'reservation subscription create',
            'reservation subscription list',
            'reservation subscription show',
            'reservation subscription delete',
            'reservation subscription delivery list'}, names)

    def test_no_clash_with_python_blazarclient(self):
        try:
            dist = importlib.metadata.distribution('python-blazarclient')
        except importlib.metadata.PackageNotFoundError:
            self.fail('python-blazarclient must be installed: this test '
                      'checks that both CLI plugins coexist')
        blazar = {ep.name.replace('_', ' ') for ep in dist.entry_points
                  if ep.group == 'openstack.reservation.v1'}
        blazar_apis = {ep.name for ep in dist.entry_points
                       if ep.group == 'openstack.cli.extension'}
        ours = entry_points()
        mine = {n.replace('_', ' ') for n in ours['openstack.promise.v1']}
        self.assertIn('reservation lease create', blazar)
        self.assertEqual(set(), blazar & mine)
        # cliff matches the longest command name first: none of ours may be
        # a prefix of one of python-blazarclient's or the other way round.
        for a in mine:
            for b in blazar:
                self.assertFalse(b.startswith(a + ' '), (a, b))
                self.assertFalse(a.startswith(b + ' '), (a, b))
        self.assertEqual(set(), blazar_apis & set(
            ours['openstack.cli.extension']))
