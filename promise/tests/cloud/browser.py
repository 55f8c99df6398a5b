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
"""What the Horizon browser tests share: a headless Chromium on a real
Horizon (``PROMISE_HORIZON_URL``, served by promise-dashboard/tools/run-e2e)
logged in against the minicloud's Keystone, Promise through its API for
set-up and checks, and a free compute host to work on.

Without ``PROMISE_HORIZON_URL`` (as in the plain cloud tier, whose venv has
no Horizon and no selenium) the tests skip.  Screenshots go to
``${PROMISE_ARTIFACTS:-/tmp/promise-artifacts}``.
"""

import os
import shutil
import tempfile
import time
import unittest
from urllib import parse

import fixtures

from promise.tests.cloud import fixture

COMPUTE = {'service_type': 'compute', 'interface': 'public'}
CHROMIUM = os.environ.get('PROMISE_CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('PROMISE_CHROMEDRIVER', '/usr/bin/chromedriver')
# The first page Horizon serves compiles its SCSS: allow for a slow machine.
PAGE_TIMEOUT = 300
WAIT = 60
FREE_HOST_WAIT = 180


def _artifacts():
    path = os.environ.get('PROMISE_ARTIFACTS', '/tmp/promise-artifacts')
    os.makedirs(path, exist_ok=True)
    return path


class BrowserTestCase(fixture.CloudTestCase):
    """Base class: self.driver is a logged-out Chromium on Horizon."""

    PROMISE = True
    # Names this class's failure screenshot and page in the artifacts.
    ARTIFACT_PREFIX = 'dashboard-e2e'

    def setUp(self):
        # Decide before the cloud fixture runs, so a skip costs nothing.
        self.horizon = os.environ.get('PROMISE_HORIZON_URL', '').rstrip('/')
        if not self.horizon:
            raise unittest.SkipTest(
                'PROMISE_HORIZON_URL is not set: run '
                'promise-dashboard/tools/run-e2e, which serves Horizon with '
                'the Promise panels and runs this test')
        try:
            from selenium import webdriver  # noqa: F401
        except ImportError:
            raise unittest.SkipTest('selenium is not installed here; '
                                    'promise-dashboard/tools/run-e2e has it')
        for path in (CHROMIUM, CHROMEDRIVER):
            if not os.access(path, os.X_OK):
                self.fail('%s is missing: apt-get install chromium '
                          'chromium-driver (tools/run-e2e does)' % path)
        super().setUp()
        self.artifacts = _artifacts()
        self.driver = self.start_browser()

    # -- Promise and Nova through their APIs ------------------------------

    def free_hypervisor(self):
        """A compute host Promise does not manage and that runs no server,
        so tests sharing the cloud do not step on each other."""
        deadline = time.monotonic() + FREE_HOST_WAIT
        while True:
            managed = {h['hypervisor_hostname'] for h in self.promise(
                'GET', '/os-hosts').json()['hosts']}
            hypervisors = self.cloud.admin_session.get(
                '/os-hypervisors/detail', endpoint_filter=COMPUTE,
                headers={'X-OpenStack-Nova-API-Version': '2.1'}
            ).json()['hypervisors']
            free = sorted(h['hypervisor_hostname'] for h in hypervisors
                          if h['hypervisor_hostname'] not in managed and
                          h['running_vms'] == 0 and h['state'] == 'up')
            if free:
                return free[0]
            if time.monotonic() > deadline:
                self.fail('no compute host has been free (unregistered, no '
                          'servers) for %ss' % FREE_HOST_WAIT)
            time.sleep(2)

    def register_free_host(self):
        for _attempt in range(5):
            name = self.free_hypervisor()
            resp = self.promise('POST', '/os-hosts', json={'name': name})
            if resp.status_code == 201:
                host_id = resp.json()['host']['id']
                self.addCleanup(self.unregister_host, host_id)
                return name, host_id
            # Another test registered it first: pick again.
            time.sleep(1)
        self.fail('could not register a free host: %s %s'
                  % (resp.status_code, resp.text))

    def unregister_host(self, host_id):
        self.delete_until_gone('/os-hosts/%s' % host_id)

    def delete_leases_named(self, prefix):
        """The demo project's leases whose name starts with ``prefix``."""
        for lease in self.promise('GET', '/leases',
                                  who='demo').json()['leases']:
            if lease['name'].startswith(prefix):
                self.delete_until_gone('/leases/%s' % lease['id'],
                                       who='demo')

    # -- the browser ------------------------------------------------------

    def start_browser(self):
        from selenium import webdriver
        from selenium.webdriver.chrome import options as chrome_options
        from selenium.webdriver.chrome import service as chrome_service

        # Selenium must never fetch a browser or a driver of its own.
        self.useFixture(fixtures.EnvironmentVariable('SE_OFFLINE', 'true'))
        profile = tempfile.mkdtemp(prefix='promise-chromium-')
        self.addCleanup(shutil.rmtree, profile, ignore_errors=True)
        opts = chrome_options.Options()
        opts.binary_location = CHROMIUM
        for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                    '--disable-quic', '--no-first-run',
                    '--disable-background-networking',
                    '--disable-component-update', '--disable-sync',
                    '--disable-dev-shm-usage', '--window-size=1400,1200',
                    '--user-data-dir=%s' % profile):
            opts.add_argument(arg)
        service = chrome_service.Service(
            executable_path=CHROMEDRIVER,
            log_output=os.path.join(self.artifacts, 'chromedriver.log'))
        driver = webdriver.Chrome(service=service, options=opts)
        self.addCleanup(driver.quit)
        driver.set_page_load_timeout(PAGE_TIMEOUT)
        self.addOnException(self._save_failure_page)
        return driver

    def _save_failure_page(self, exc_info):
        driver = getattr(self, 'driver', None)
        if driver is None:
            return
        try:
            driver.save_screenshot(os.path.join(
                self.artifacts, '%s-failure.png' % self.ARTIFACT_PREFIX))
            with open(os.path.join(
                    self.artifacts,
                    '%s-failure.html' % self.ARTIFACT_PREFIX), 'w') as f:
                f.write(driver.page_source)
        except Exception:
            pass

    def wait_for(self, css, timeout=WAIT):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support import ui

        return ui.WebDriverWait(self.driver, timeout).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, css)),
            'no %s on %s' % (css, self.driver.current_url))

    def find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, field_id, value):
        element = self.find('#%s' % field_id)
        element.clear()
        element.send_keys(value)

    def screenshot(self, name):
        path = os.path.join(self.artifacts, name)
        self.driver.save_screenshot(path)
        return path

    def login(self, next_path, who='demo'):
        env = self.cloud.demo_env if who == 'demo' else self.cloud.admin_env
        if self.driver.current_url.startswith(self.horizon):
            # Whoever was logged in before is not any more.
            self.driver.delete_all_cookies()
        self.driver.get('%s/auth/login/?%s' % (
            self.horizon, parse.urlencode({'next': next_path})))
        self.wait_for('#id_username', timeout=PAGE_TIMEOUT)
        self.fill('id_username', env['OS_USERNAME'])
        self.fill('id_password', env['OS_PASSWORD'])
        self.find('#loginBtn').click()
