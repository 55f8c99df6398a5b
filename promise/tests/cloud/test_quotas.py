"""Keystone unified limits on the minicloud's real Keystone: a project
limit of one host at once refuses a second overlapping host lease with a
403 naming the limit, and two leases sent at the same moment never both
get the last unit of it. Promise runs as devstack/plugin.sh configures it
([quota] enforce, [oslo_limit] with a system-scoped reader)."""

import datetime
import threading

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

from promise.tests.cloud import test_instance_reservations as base

ROUNDS = 5


def _later(days, hours=0):
    moment = (datetime.datetime.utcnow() +
              datetime.timedelta(days=days, hours=hours))
    return moment.strftime('%Y-%m-%d %H:%M')


class TestUnifiedLimits(base.InstanceReservationBase):

    def setUp(self):
        super().setUp()
        env = self.cloud.admin_env
        self.keystone = env['OS_AUTH_URL'].rstrip('/')
        # Limits are made by a system administrator.
        self.system = ks_session.Session(auth=v3.Password(
            auth_url=self.keystone, username=env['OS_USERNAME'],
            password=env['OS_PASSWORD'],
            user_domain_name=env['OS_USER_DOMAIN_NAME'], system_scope='all'))
        services = self.keystone_call('GET', '/services?type=reservation')
        [service] = services.json()['services']
        demo_project = self.cloud.demo_session.get_project_id()
        reg = self.keystone_call('POST', '/registered_limits', json={
            'registered_limits': [{
                'service_id': service['id'], 'region_id': 'RegionOne',
                'resource_name': 'hosts', 'default_limit': 100}]})
        self.assertEqual(201, reg.status_code, reg.text)
        reg_id = reg.json()['registered_limits'][0]['id']
        lim = self.keystone_call('POST', '/limits', json={'limits': [{
            'service_id': service['id'], 'region_id': 'RegionOne',
            'project_id': demo_project, 'resource_name': 'hosts',
            'resource_limit': 1}]})
        self.assertEqual(201, lim.status_code, lim.text)
        lim_id = lim.json()['limits'][0]['id']
        # Last in, first out: the project limit goes before the default.
        self.addCleanup(self.keystone_call, 'DELETE',
                        '/registered_limits/%s' % reg_id)
        self.addCleanup(self.keystone_call, 'DELETE', '/limits/%s' % lim_id)

    def keystone_call(self, method, path, **kwargs):
        return self.system.request(self.keystone + path, method,
                                   raise_exc=False, **kwargs)

    def host_lease(self, days):
        return self.promise('POST', '/leases', who='demo', json={
            'name': 'quota-%d' % days, 'start_date': _later(days),
            'end_date': _later(days, hours=1), 'events': [],
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1, 'hypervisor_properties': '',
                              'resource_properties': ''}]})

    def delete(self, resp):
        lease_id = resp.json()['lease']['id']
        self.assertEqual(204, self.promise('DELETE', '/leases/%s' % lease_id,
                                           who='demo').status_code)

    def test_one_host_at_once(self):
        first = self.host_lease(30)
        self.assertEqual(201, first.status_code, first.text)
        self.addCleanup(self.delete, first)
        second = self.host_lease(30)
        self.assertEqual(403, second.status_code, second.text)
        self.assertIn('hosts: 1 held at once over the window plus 1 asked, '
                      'limit 1', second.json()['error_message'])
        # /v1/capacity shows the project its limit (from Keystone) and its
        # use of it over the window.
        resp = self.promise('GET', '/capacity', who='demo', params={
            'resource_type': 'physical:host',
            'start_date': _later(29), 'end_date': _later(32)})
        self.assertEqual(200, resp.status_code, resp.text)
        quota = resp.json()['capacity']['quota']
        self.assertEqual(self.cloud.demo_session.get_project_id(),
                         quota['project_id'])
        self.assertEqual(1, quota['limits']['hosts'])
        self.assertEqual([0, 1, 0],
                         [s['hosts'] for s in quota['timeline']])
        # Another window holds nothing at once with the first.
        other = self.host_lease(31)
        self.assertEqual(201, other.status_code, other.text)
        self.delete(other)

    def test_concurrent_leases_never_both_fit(self):
        outcomes = []
        for i in range(ROUNDS):
            results = [None, None]
            barrier = threading.Barrier(2)

            def send(k, day=40 + i):
                barrier.wait()
                results[k] = self.host_lease(day)

            threads = [threading.Thread(target=send, args=(k,))
                       for k in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            outcomes.append(sorted(r.status_code for r in results))
            for r in results:
                if r.status_code == 201:
                    self.delete(r)
        self.assertEqual([[201, 403]] * ROUNDS, outcomes)
