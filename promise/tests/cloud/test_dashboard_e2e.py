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
"""The Horizon panel end to end, in headless Chromium.

A real Horizon with promise-dashboard enabled, served on 127.0.0.1 and
logging in against the minicloud's Keystone; Promise from
``tools/minicloud up --promise``.  The demo user logs in, opens the
Reservation Capacity panel, asks for a host through the offer form, sees
the offer, commits it and finds the lease on the timeline.

``promise-dashboard/tools/run-e2e`` builds Horizon, serves it and runs this
test with ``PROMISE_HORIZON_URL`` set; without that variable (as in the
plain cloud tier, whose venv has no Horizon and no selenium) it skips.
Screenshots go to ``${PROMISE_ARTIFACTS:-/tmp/promise-artifacts}``.
"""

import datetime
import os
import shutil
import tempfile
import time
import unittest
from urllib import parse
import uuid

import fixtures

from promise.tests.cloud import fixture

RESERVATION = {'service_type': 'reservation', 'interface': 'public'}
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


class DashboardEndToEnd(fixture.CloudTestCase):
    PROMISE = True

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
        self.host_name, self.host_id = self.register_free_host()
        self.driver = self.start_browser()

    # -- Promise and Nova through their APIs ------------------------------

    def promise(self, method, path, who='admin', **kwargs):
        return self.cloud.session(who).request(
            path, method, endpoint_filter=RESERVATION, raise_exc=False,
            **kwargs)

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
        for _attempt in range(30):
            resp = self.promise('DELETE', '/os-hosts/%s' % host_id)
            if resp.status_code in (204, 404):
                return
            time.sleep(1)
        raise AssertionError('host %s not unregistered: %s %s'
                             % (host_id, resp.status_code, resp.text))

    def delete_leases_named(self, name):
        for lease in self.promise('GET', '/leases',
                                  who='demo').json()['leases']:
            if lease['name'] == name:
                self.promise('DELETE', '/leases/%s' % lease['id'],
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
                self.artifacts, 'dashboard-e2e-failure.png'))
            with open(os.path.join(self.artifacts,
                                   'dashboard-e2e-failure.html'), 'w') as f:
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
        self.driver.get('%s/auth/login/?%s' % (
            self.horizon, parse.urlencode({'next': next_path})))
        self.wait_for('#id_username', timeout=PAGE_TIMEOUT)
        self.fill('id_username', env['OS_USERNAME'])
        self.fill('id_password', env['OS_PASSWORD'])
        self.find('#loginBtn').click()

    # -- the test ---------------------------------------------------------

    def test_offer_then_lease_on_timeline(self):
        name = 'dash-e2e-%s' % uuid.uuid4().hex[:8]
        self.addCleanup(self.delete_leases_named, name)
        start = (datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None, second=0, microsecond=0) +
            datetime.timedelta(days=2))
        end = start + datetime.timedelta(hours=3)
        pinned = '["==", "$hypervisor_hostname", "%s"]' % self.host_name

        # Log in straight into the panel.
        self.login('/project/promise_capacity/')
        self.wait_for('#capacity-chart svg', timeout=PAGE_TIMEOUT)
        self.assertIn('Reservation Capacity', self.driver.title)

        # Step 1: the request, and Promise's offer.
        self.find('#reserve-hosts').click()
        self.wait_for('#lease-request')
        self.fill('id_name', name)
        self.fill('id_start_date', start.strftime('%Y-%m-%d %H:%M'))
        self.fill('id_end_date', end.strftime('%Y-%m-%d %H:%M'))
        self.fill('id_min_hosts', '1')
        self.fill('id_max_hosts', '1')
        self.fill('id_hypervisor_properties', pinned)
        self.find('#check-offer').click()
        self.wait_for('#offer-feasible')
        self.assertIn('1', self.find('#max-reservable strong').text)
        from selenium.webdriver.common.by import By
        # The panel lists the windows Promise offers for the same request,
        # but the requested one (it has its own button).  Counted as rows
        # of windows: the table's placeholder row ("None within the search
        # horizon") is not one, and shows exactly when there is none.
        requested = (start.strftime('%Y-%m-%d %H:%M'),
                     end.strftime('%Y-%m-%d %H:%M'))
        resp = self.promise('POST', '/leases/check', who='demo', json={
            'name': name, 'start_date': requested[0],
            'end_date': requested[1],
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1, 'hypervisor_properties': pinned,
                              'resource_properties': ''}]})
        self.assertEqual(200, resp.status_code, resp.text)
        offered = [(a['start_date'][:16].replace('T', ' '),
                    a['end_date'][:16].replace('T', ' '))
                   for a in resp.json()['alternatives']]
        expected = [w for w in offered if w != requested]
        shown = [tuple(td.text for td in row.find_elements(
            By.CSS_SELECTOR, 'td')[:2])
            for row in self.find_all('#alternatives tbody tr.alternative')]
        self.assertEqual(expected, shown)
        self.assertEqual(not expected,
                         bool(self.find_all('#no-alternatives')))
        self.assertEqual(len(shown),
                         len(self.find_all('.commit-alternative')))
        # Checking stored nothing.
        names = [le['name'] for le in self.promise(
            'GET', '/leases', who='demo').json()['leases']]
        self.assertNotIn(name, names)
        self.screenshot('dashboard-offer.png')

        # Step 2: commit the requested window.
        self.find('#commit-requested').click()
        self.wait_for('#capacity-chart svg g.lease')
        query = parse.parse_qs(parse.urlparse(self.driver.current_url).query)
        lease_id = query['lease'][0]

        # Promise has it, on the pinned host, for the requested window.
        resp = self.promise('GET', '/leases/%s' % lease_id, who='demo')
        self.assertEqual(200, resp.status_code, resp.text)
        lease = resp.json()['lease']
        self.assertEqual(name, lease['name'])
        self.assertEqual(start.strftime('%Y-%m-%dT%H:%M'),
                         lease['start_date'][:16])
        self.assertEqual(end.strftime('%Y-%m-%dT%H:%M'),
                         lease['end_date'][:16])
        allocation = self.promise(
            'GET', '/os-hosts/%s/allocation' % self.host_id).json()
        self.assertEqual(
            [lease_id], [r['lease_id'] for r in
                         allocation['allocation']['reservations']])

        # The timeline draws it (highlighted) and lists it.
        bars = self.find_all('g.lease[data-lease-id="%s"]' % lease_id)
        self.assertEqual(1, len(bars))
        self.assertIn(name, bars[0].get_attribute('textContent'))
        self.assertIn(name, self.find('#lease-%s' % lease_id).text)
        self.assertIn('is reserved from', self.driver.page_source)
        shot = self.screenshot('dashboard-timeline.png')
        self.assertGreater(os.path.getsize(shot), 10000)

        # Instances: today Promise answers 400 and the panel says why;
        # once it charts them, the chart shows instead.
        self.driver.get('%s/project/promise_capacity/?resource_type='
                        'virtual:instance&vcpus=1&memory_mb=512&disk_gb=1'
                        % self.horizon)
        self.wait_for('.promise-capacity-error, #capacity-chart svg')
        errors = self.find_all('.promise-capacity-error')
        if errors:
            self.assertIn('physical:host', errors[0].text)
        self.screenshot('dashboard-instances.png')

    def test_admin_plans_and_cancels_capacity_change(self):
        # A downtime of the test's own host, far in the future where no
        # reservation can be: nothing of other tests is re-homed.
        start = (datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None, second=0, microsecond=0) +
            datetime.timedelta(days=300))
        end = start + datetime.timedelta(hours=6)
        reason = 'dash-e2e-%s' % uuid.uuid4().hex[:8]

        def cancel_leftovers():
            for change in self.promise('GET', '/capacity-changes').json()[
                    'capacity_changes']:
                if change['reason'] == reason:
                    self.promise('DELETE',
                                 '/capacity-changes/%s' % change['id'])
        self.addCleanup(cancel_leftovers)

        self.login('/admin/promise_capacity_changes/', who='admin')
        self.wait_for('#capacity_changes', timeout=PAGE_TIMEOUT)
        self.find('#capacity_changes__action_create').click()
        self.wait_for('#capacity-change-form')
        from selenium.webdriver.support import ui
        ui.Select(self.find('#id_host_id')).select_by_value(
            str(self.host_id))
        ui.Select(self.find('#id_type')).select_by_value('unavailable')
        self.fill('id_start_date', start.strftime('%Y-%m-%d %H:%M'))
        self.fill('id_end_date', end.strftime('%Y-%m-%d %H:%M'))
        self.fill('id_reason', reason)
        self.find('#capacity-change-form button[type=submit]').click()
        self.wait_for('#affected-reservations')
        self.assertIn(self.host_name, self.find('#created-change').text)
        self.assertIn('None: no reservation overlapped',
                      self.find('#affected-reservations').text)
        self.screenshot('dashboard-capacity-change.png')

        changes = [c for c in self.promise('GET', '/capacity-changes').json()[
            'capacity_changes'] if c['reason'] == reason]
        self.assertEqual(1, len(changes))
        change_id = changes[0]['id']

        # The list shows it; its row action cancels it (after Horizon's
        # confirmation dialog).
        self.driver.get('%s/admin/promise_capacity_changes/' % self.horizon)
        row = self.wait_for('#capacity_changes__row__%s' % change_id)
        self.assertIn(reason, row.text)
        self.find('#capacity_changes__row_%s__action_cancel'
                  % change_id).click()
        self.wait_for('.modal-footer .btn-danger').click()
        ui.WebDriverWait(self.driver, WAIT).until(
            lambda d: not d.find_elements(
                'css selector', '#capacity_changes__row__%s' % change_id),
            'the cancelled change is still listed')
        self.assertEqual(404, self.promise(
            'GET', '/capacity-changes/%s' % change_id).status_code)
