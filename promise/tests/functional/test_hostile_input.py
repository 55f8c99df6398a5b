"""Hostile input against real promise-api and promise-managers on MariaDB
and PostgreSQL: integers beyond their columns, lone surrogates, dates at
the end of time, deep nesting, a list as a property-query operator,
Unicode digits, 5000-digit numbers, invalid UTF-8 in the path, oversized
bodies, method overrides.

Each case is a 4xx with the Blazar body (problem+json under /grant), no
row of any table changes, and afterwards the managers still run events.
"""

import datetime
import json
import socket
from urllib import parse

import sqlalchemy as sa

from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures

INT_MAX = 2 ** 31 - 1
HOST_ID = 7001
GRANT_VERSION = {'Version': '1.4.0'}
VIM = {'cloud-owner': 'hostile-owner', 'cloud-region-id': 'hostile-region'}


def _query(path, **params):
    return path + '?' + parse.urlencode(params)


def _later(**delta):
    return base.api_date(base.utcnow() + datetime.timedelta(**delta))


class HostileInputTests:

    DEPLOYMENT = {
        'multicloud.cloud_owner': VIM['cloud-owner'],
        'multicloud.cloud_region_id': VIM['cloud-region-id'],
        'net_value.flavor_shapes': 'm1.small:2/2048/10',
        'net_value.flavor_costs': 'm1.small:1',
        'nfv.vdu_flavors': 'VDU1=m1.small',
    }

    lease = None

    def setUp(self):
        super().setUp()
        if type(self).lease is None:
            self.insert_host_with_property(HOST_ID, 'hostile-compute',
                                           'hostile_gpu', zone='nova')
            # Far ahead: none of its events runs while rows are compared.
            type(self).lease = self.create_lease(
                name='target', start=_later(days=300), end=_later(days=301),
                reservations=[{'resource_type': 'physical:host', 'min': 1,
                               'max': 1, 'hypervisor_properties': '',
                               'resource_properties': ''}])

    # -- helpers ------------------------------------------------------------

    def tables(self):
        """Every row of every table (``usage`` is a reserved word in
        MariaDB: reflected tables quote their names)."""
        metadata = sa.MetaData()
        with self.deployment.db.engine.connect() as conn:
            metadata.reflect(conn)
            return {t.name: sorted(map(repr, conn.execute(
                sa.select(t)).fetchall()))
                for t in metadata.sorted_tables}

    def refused(self, status, method, path, roles='member', grant=False,
                **kwargs):
        """``status`` with the right error body, and no row changed."""
        before = self.tables()
        resp = self.request(method, path, roles=roles, **kwargs)
        if grant:
            self.assertEqual(status, resp.status_code, resp.text[:500])
            self.assertEqual('application/problem+json',
                             resp.headers['Content-Type'].split(';')[0])
            self.assertEqual(status, resp.json()['status'])
            message = resp.json()['detail']
        else:
            message = self.assertBlazarError(resp, status)['error_message']
        # A value is echoed cut short, never whole.
        self.assertLess(len(resp.content), 2000, resp.text[:300])
        self.assertEqual(before, self.tables(), '%s %s' % (method, path))
        return message

    def lease_body(self, **reservation):
        res = {'resource_type': 'physical:host', 'min': 1, 'max': 1,
               'hypervisor_properties': '', 'resource_properties': ''}
        res.update(reservation)
        return {'name': 'hostile', 'start_date': _later(days=200),
                'end_date': _later(days=201), 'reservations': [res]}

    def instance_body(self, **fields):
        res = {'resource_type': 'virtual:instance', 'amount': 1,
               'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1}
        res.update(fields)
        return {'name': 'hostile', 'start_date': _later(days=200),
                'end_date': _later(days=201), 'reservations': [res]}

    def raw_request(self, request_line):
        """A request line sent as bytes, as no HTTP library would."""
        port = int(self.url.rsplit(':', 1)[1])
        with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
            s.sendall(request_line + b' HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                      b'X-User-Id: u\r\nX-Project-Id: p\r\nX-Roles: member'
                      b'\r\nAccept: application/json\r\n'
                      b'Connection: close\r\n\r\n')
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b'\r\n\r\n')
        return int(head.split()[1]), body

    # -- numbers ------------------------------------------------------------

    def test_integers_beyond_their_columns(self):
        for key in ('min', 'max'):
            for value in (INT_MAX + 1, 10 ** 12, 10 ** 400, '9999999999',
                          '9' * 5000, '²', '-1'):
                message = self.refused(400, 'POST', '/v1/leases',
                                       json=self.lease_body(**{key: value}))
                self.assertIn(key, message)
        for key in ('amount', 'vcpus', 'memory_mb', 'disk_gb', 'expiry'):
            for value in (INT_MAX + 1, 10 ** 12, '2147483648', '²'):
                message = self.refused(400, 'POST', '/v1/leases',
                                       json=self.instance_body(
                                           **{key: value}))
                self.assertIn(key, message)
        self.refused(400, 'POST', '/v1/leases',
                     json=self.lease_body(expiry=10 ** 12))

    def test_numbers_as_json_text_too_long_to_convert(self):
        text = json.dumps(self.lease_body()).replace(
            '"min": 1', '"min": ' + '9' * 5000)
        self.assertIn('not valid JSON',
                      self.refused(400, 'POST', '/v1/leases', data=text))

    def test_empty_min_on_update(self):
        res_id = self.lease['reservations'][0]['id']
        for key in ('min', 'max'):
            self.refused(400, 'PUT', '/v1/leases/%s' % self.lease['id'],
                         json={'reservations': [{'id': res_id, key: ''}]})

    def test_admin_numbers(self):
        for host_id in (10 ** 12, INT_MAX + 1, '²'):
            self.refused(400 if host_id != '²' else 404, 'POST',
                         '/v1/capacity-changes', roles='admin',
                         json={'host_id': host_id, 'type': 'unavailable',
                               'start_date': _later(days=5)})
        self.refused(404, 'GET', '/v1/os-hosts/99999999999', roles='admin')
        self.refused(404, 'GET', '/v1/os-hosts/' + '9' * 5000,
                     roles='admin')
        self.refused(404, 'GET', '/v1/os-hosts/%C2%B2', roles='admin')
        self.refused(400, 'PUT', '/v1/os-hosts/%d' % HOST_ID, roles='admin',
                     data='{"rack": %s}' % ('9' * 400))
        self.refused(400, 'POST', '/v1/subscriptions', json={
            'event_types': ['capacity.change'], 'url': 'http://127.0.0.1/',
            'threshold': {'metric': 'available', 'op': 'lt',
                          'value': 10 ** 12}})

    def test_multicloud_extremes(self):
        base_body = {'VIMs': [VIM]}
        for body in ({'vCPU': 1e308}, {'Memory': 10 ** 400},
                     {'Storage': INT_MAX + 1}):
            self.refused(400, 'POST',
                         '/api/multicloud/v1/check_vim_capacity',
                         json=dict(base_body, **body))
        self.refused(400, 'POST', '/api/multicloud/v1/net_value', json={
            'instance_type': {'flavor': 'm1.small'}, 'count': 10 ** 400,
            'VIMs': [VIM]})
        self.refused(400, 'POST', '/api/multicloud/v1/net_value', json={
            'instance_type': {'vcpus': 10 ** 12, 'memory_mb': 1,
                              'disk_gb': 1}, 'VIMs': [VIM]})

    # -- strings and nesting -------------------------------------------------

    def test_lone_surrogates(self):
        # requests escapes them as JSON allows: "\ud800".
        self.refused(400, 'POST', '/v1/leases',
                     json=dict(self.lease_body(), name='\ud800'))
        self.refused(400, 'POST', '/v1/leases', json=self.lease_body(
            hypervisor_properties='["==", "$a", "\ud800"]'))
        self.refused(400, 'PUT', '/v1/leases/%s' % self.lease['id'],
                     json={'name': 'x\udfffy'})
        self.refused(400, 'POST', '/v1/subscriptions', json={
            'event_types': ['lease.*'], 'url': 'http://127.0.0.1/\ud800'})
        self.refused(400, 'PUT', '/v1/os-hosts/%d' % HOST_ID, roles='admin',
                     json={'rack\ud800': 'a'})

    def test_deep_nesting(self):
        for depth in (100, 100000):
            self.refused(400, 'POST', '/v1/leases',
                         data='[' * depth + ']' * depth)
        body = self.lease_body()
        body['events'] = [json.loads('[' * 40 + ']' * 40)]
        self.refused(400, 'POST', '/v1/leases', json=body)

    def test_property_queries(self):
        list_op = '[["=="], "$hypervisor_hostname", "x"]'
        self.refused(400, 'POST', '/v1/leases',
                     json=self.lease_body(resource_properties=list_op))
        deep = '["not", ' * 40 + '["==", "$a", "1"]' + ']' * 40
        self.refused(400, 'POST', '/v1/leases',
                     json=self.lease_body(hypervisor_properties=deep))
        self.refused(400, 'POST', '/v1/leases', json=self.lease_body(
            hypervisor_properties='["==", "$a", "%s"]' % ('x' * 9000)))
        # A reader reaches the parser through /v1/capacity.
        for query in (list_op, deep, '[{"a": 1}, "$a", "b"]',
                      '["==", "$a", "%s"]' % ('x' * 9000)):
            self.refused(400, 'GET', _query('/v1/capacity',
                                            hypervisor_properties=query),
                         roles='reader')
        for value in ('²', '9' * 5000, str(INT_MAX + 1), '-1'):
            self.refused(400, 'GET', _query(
                '/v1/capacity', resource_type='virtual:instance',
                vcpus=value), roles='reader')

    def test_sizes(self):
        # Over [oslo_middleware] max_request_body_size: 413.
        self.refused(413, 'POST', '/v1/leases', data=json.dumps(
            dict(self.lease_body(), name='n' * (20 * 1024 * 1024))))
        # Under it but far too long: a short 400.
        message = self.refused(400, 'POST', '/v1/leases', data=json.dumps(
            dict(self.lease_body(), name='n' * 500000)))
        self.assertIn('too long', message)
        self.assertLess(len(message), 400)

    def test_invalid_utf8_in_path_and_query(self):
        for path in ('/v1/leases/%ff', '/v1/leases/%ed%a0%80',
                     '/v1/leases?name=%ff'):
            self.refused(400, 'GET', path)
        status, body = self.raw_request(b'GET /v1/leases/\xff\xfe')
        self.assertEqual(400, status, body)
        self.assertEqual(400, json.loads(body)['error_code'])

    def test_grant_errors_are_problem_json(self):
        grant = {'vnfInstanceId': 'vnf-\ud800', 'vnfLcmOpOccId': 'op',
                 'vnfdId': 'vnfd', 'operation': 'INSTANTIATE',
                 'isAutomaticInvocation': False,
                 '_links': {'vnfLcmOpOcc': {'href': 'http://vnfm/op'},
                            'vnfInstance': {'href': 'http://vnfm/vnf'}}}
        self.refused(400, 'POST', '/grant/v1/grants', grant=True,
                     json=grant, headers=GRANT_VERSION)
        self.refused(400, 'POST', '/grant/v1/grants', grant=True,
                     data='[' * 1000 + ']' * 1000, headers=GRANT_VERSION)
        self.refused(400, 'GET', '/grant/v1/grants/%ff', grant=True,
                     headers=GRANT_VERSION)

    # -- method tricks ------------------------------------------------------

    def test_method_override_does_not_delete(self):
        path = '/v1/leases/%s' % self.lease['id']
        self.refused(400, 'POST', path + '?_method=DELETE')
        self.refused(400, 'POST', path, data='_method=DELETE', headers={
            'Content-Type': 'application/x-www-form-urlencoded'})
        self.refused(400, 'GET', path + '?_method=PUT')
        self.get_lease(self.lease['id'])

    def test_collection_delete_names_nothing(self):
        for path, body in (
                ('/v1/leases', {'lease_id': self.lease['id']}),
                (_query('/v1/leases', lease_id=self.lease['id']), None)):
            before = self.tables()
            resp = self.request('DELETE', path, json=body)
            self.assertIn(resp.status_code, (404, 405), resp.text)
            self.assertBlazarError(resp, resp.status_code)
            self.assertEqual(before, self.tables())
        self.refused(405, 'PUT', '/v1/leases',
                     json={'lease_id': self.lease['id'], 'name': 'x'})
        self.refused(405, 'DELETE', '/v1/os-hosts', roles='admin',
                     json={'host_id': str(HOST_ID)})
        self.assertEqual('target', self.get_lease(self.lease['id'])['name'])

    # -- the end of time ----------------------------------------------------

    def test_dates_at_the_end_of_time(self):
        # Answers, not errors: windows are held at the last date there is.
        resp = self.request('GET', _query('/v1/capacity',
                                          start_date='9999-12-31 23:59'),
                            roles='reader')
        self.assertEqual(200, resp.status_code, resp.text)
        resp = self.request(
            'POST', '/api/multicloud/v1/check_vim_capacity',
            json={'VIMs': [VIM], 'vCPU': 1, 'start_date': '9999-12-31 23:59'})
        self.assertEqual(200, resp.status_code, resp.text)
        resp = self.request('POST', '/api/multicloud/v1/net_value', json={
            'instance_type': {'flavor': 'm1.small'}, 'VIMs': [VIM],
            'start_date': '9999-12-31 23:00', 'end_date': '9999-12-31 23:59'})
        self.assertEqual(200, resp.status_code, resp.text)
        # More hosts than there are: the offers search runs to the end.
        body = self.lease_body(min=2, max=2)
        body.update(start_date='9999-12-31 22:00',
                    end_date='9999-12-31 23:59')
        before = self.tables()
        resp = self.request('POST', '/v1/leases/check', json=body)
        self.assertLess(resp.status_code, 500, resp.text)
        resp = self.request('POST', '/v1/leases', json=body)
        self.assertEqual(409, resp.status_code, resp.text)
        self.assertEqual(before, self.tables())
        # What Blazar accepts, Promise accepts: a lease ending in 9999.
        late = self.create_lease(
            name='until-9999', start=_later(days=400),
            end='9999-12-31 23:59', reservations=[{
                'resource_type': 'physical:host', 'min': 1, 'max': 1,
                'hypervisor_properties': '', 'resource_properties': ''}])
        self.assertEqual('9999-12-31T23:59:00.000000', late['end_date'])
        resp = self.request('DELETE', '/v1/leases/%s' % late['id'])
        self.assertEqual(204, resp.status_code, resp.text)

    # -- the background passes keep running -----------------------------------

    def test_background_passes_run_after_hostile_requests(self):
        self.refused(400, 'POST', '/v1/leases',
                     json=self.lease_body(expiry=10 ** 12))
        self.refused(400, 'POST', '/v1/leases', data='[' * 100000)
        self.refused(400, 'GET', _query(
            '/v1/capacity', hypervisor_properties='[[1], "$a", "b"]'),
            roles='reader')
        # The largest expiry there is is accepted and stored as given...
        kept = self.create_lease(name='largest-expiry',
                                 start=_later(days=250),
                                 end=_later(days=251), reservations=[{
                                     'resource_type': 'physical:host',
                                     'min': 1, 'max': 1, 'expiry': INT_MAX,
                                     'hypervisor_properties': '',
                                     'resource_properties': ''}])
        self.assertEqual(INT_MAX, kept['reservations'][0]['expiry'])
        # ... and a lease created after all this still starts.
        short = self.create_lease(name='still-running', start='now',
                                  end=_later(hours=2))

        def started():
            return self.get_lease(short['id'])['status'] == 'ACTIVE'
        func_fixtures.wait_for(started, 90, what='the lease to start')
        for lease_id in (short['id'], kept['id']):
            resp = self.request('DELETE', '/v1/leases/%s' % lease_id)
            self.assertEqual(204, resp.status_code, resp.text)


class TestHostileInputMySQL(HostileInputTests, base.MySQLMixin,
                            base.FunctionalTestCase):
    pass


class TestHostileInputPostgreSQL(HostileInputTests, base.PostgreSQLMixin,
                                 base.FunctionalTestCase):
    pass
