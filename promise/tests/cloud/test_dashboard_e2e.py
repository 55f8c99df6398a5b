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
test with ``PROMISE_HORIZON_URL`` set; without it the test skips (see
promise/tests/cloud/browser.py).
"""

import datetime
import os
from urllib import parse
import uuid

from promise.tests.cloud import browser


class DashboardEndToEnd(browser.BrowserTestCase):

    def setUp(self):
        super().setUp()
        self.host_name, self.host_id = self.register_free_host()

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
        self.wait_for('#capacity-chart svg', timeout=browser.PAGE_TIMEOUT)
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
        self.wait_for('#capacity_changes', timeout=browser.PAGE_TIMEOUT)
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
        ui.WebDriverWait(self.driver, browser.WAIT).until(
            lambda d: not d.find_elements(
                'css selector', '#capacity_changes__row__%s' % change_id),
            'the cancelled change is still listed')
        self.assertEqual(404, self.promise(
            'GET', '/capacity-changes/%s' % change_id).status_code)
