# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""How promise-* commands and the WSGI module find and check their
configuration at start."""

from promise.common import config
from promise.tests.unit import base


class TestWsgiConfigFiles(base.TestCase):

    def test_nothing_set_leaves_oslo_config_search(self):
        self.assertIsNone(config.wsgi_config_files({}))

    def test_os_promise_config_dir_alone(self):
        self.assertEqual(['/srv/promise/promise.conf'],
                         config.wsgi_config_files(
                             {'OS_PROMISE_CONFIG_DIR': '/srv/promise'}))

    def test_os_promise_config_files_in_default_dir(self):
        self.assertEqual(
            ['/etc/promise/promise.conf', '/etc/promise/extra.conf'],
            config.wsgi_config_files(
                {'OS_PROMISE_CONFIG_FILES': 'promise.conf;extra.conf'}))

    def test_os_promise_config_dir_and_files(self):
        self.assertEqual(
            ['/srv/p/a.conf', '/srv/p/b.conf'],
            config.wsgi_config_files({'OS_PROMISE_CONFIG_DIR': '/srv/p',
                                      'OS_PROMISE_CONFIG_FILES':
                                      'a.conf;b.conf',
                                      'PROMISE_CONFIG_FILES': '/x.conf'}))

    def test_legacy_promise_config_files(self):
        self.assertEqual(['/a/promise.conf', '/b/extra.conf'],
                         config.wsgi_config_files(
                             {'PROMISE_CONFIG_FILES':
                              '/a/promise.conf,/b/extra.conf'}))
