"""The REST client, against requests-mock."""

from urllib import parse

from keystoneauth1 import session as ks_session
from requests_mock.contrib import fixture as rm_fixture
import testtools

from promiseclient import exceptions
from promiseclient.v1 import client as client_v1

ENDPOINT = 'http://promise.test:8080/reservation/v1'


class ClientTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.mock = self.useFixture(rm_fixture.Fixture())
        self.client = client_v1.Client(ks_session.Session(),
                                       endpoint_override=ENDPOINT)

    def last(self):
        return self.mock.last_request


class TestCalls(ClientTestCase):

    def test_capacity_sends_only_given_parameters(self):
        capacity = {'resource_type': 'physical:host', 'timeline': [],
                    'min_available': 0}
        self.mock.get(ENDPOINT + '/capacity', json={'capacity': capacity})
        self.assertEqual(capacity, self.client.get_capacity(
            start_date='2030-01-01 00:00', end_date='2030-01-02 00:00',
            hypervisor_properties='["==", "$vcpus", "8"]'))
        self.assertEqual(
            {'start_date': ['2030-01-01 00:00'],
             'end_date': ['2030-01-02 00:00'],
             'hypervisor_properties': ['["==", "$vcpus", "8"]']},
            _query(self.last()))
        self.assertEqual('application/json', self.last().headers['Accept'])

    def test_capacity_shape(self):
        self.mock.get(ENDPOINT + '/capacity', json={'capacity': {}})
        self.client.get_capacity(resource_type='virtual:instance', vcpus=2,
                                 memory_mb=2048, disk_gb=0)
        self.assertEqual(
            {'resource_type': ['virtual:instance'], 'vcpus': ['2'],
             'memory_mb': ['2048'], 'disk_gb': ['0']}, _query(self.last()))

    def test_check_lease(self):
        offer = {'feasible': False, 'max_reservable': [1],
                 'alternatives': []}
        self.mock.post(ENDPOINT + '/leases/check', json=offer)
        res = [{'resource_type': 'physical:host', 'min': 2, 'max': 2}]
        self.assertEqual(offer, self.client.check_lease(
            'l1', 'now', '2030-01-01 00:00', res))
        self.assertEqual({'name': 'l1', 'start_date': 'now',
                          'end_date': '2030-01-01 00:00',
                          'reservations': res, 'events': []},
                         self.last().json())

    def test_check_lease_before_end(self):
        self.mock.post(ENDPOINT + '/leases/check', json={})
        self.client.check_lease('l1', 'now', '2030-01-01 00:00', [],
                                before_end_date='2029-12-31 23:00')
        self.assertEqual('2029-12-31 23:00',
                         self.last().json()['before_end_date'])

    def test_get_lease_by_name_is_quoted(self):
        self.mock.get(ENDPOINT + '/leases/my%20lease%2F1',
                      json={'lease': {'id': 'x'}})
        self.assertEqual({'id': 'x'}, self.client.get_lease('my lease/1'))

    def test_capacity_changes(self):
        change = {'id': 'c1', 'affected_reservations': []}
        self.mock.post(ENDPOINT + '/capacity-changes', status_code=201,
                       json={'capacity_change': change})
        self.assertEqual(change, self.client.create_capacity_change(
            3, 'unavailable', '2030-01-01 00:00', reason='disk'))
        self.assertEqual({'host_id': '3', 'type': 'unavailable',
                          'start_date': '2030-01-01 00:00',
                          'reason': 'disk'}, self.last().json())

        self.mock.get(ENDPOINT + '/capacity-changes',
                      json={'capacity_changes': [change]})
        self.assertEqual([change],
                         self.client.list_capacity_changes(host_id='h1'))
        self.assertEqual({'host_id': ['h1']}, _query(self.last()))
        self.client.list_capacity_changes()
        self.assertEqual({}, _query(self.last()))

        self.mock.get(ENDPOINT + '/capacity-changes/c1',
                      json={'capacity_change': change})
        self.assertEqual(change, self.client.get_capacity_change('c1'))
        self.mock.delete(ENDPOINT + '/capacity-changes/c1', status_code=204)
        self.assertIsNone(self.client.delete_capacity_change('c1'))
        self.assertEqual('DELETE', self.last().method)

    def test_subscriptions(self):
        sub = {'id': 's1', 'event_types': ['lease.*']}
        self.mock.post(ENDPOINT + '/subscriptions', status_code=201,
                       json={'subscription': sub})
        self.assertEqual(sub, self.client.create_subscription(
            ['lease.*', 'capacity.change'], 'https://hook.test/x',
            threshold={'metric': 'available', 'op': 'lt', 'value': 2},
            secret='s3cret'))
        self.assertEqual(
            {'event_types': ['lease.*', 'capacity.change'],
             'url': 'https://hook.test/x', 'secret': 's3cret',
             'threshold': {'metric': 'available', 'op': 'lt', 'value': 2}},
            self.last().json())

        self.mock.get(ENDPOINT + '/subscriptions',
                      json={'subscriptions': [sub]})
        self.assertEqual([sub], self.client.list_subscriptions())
        self.client.list_subscriptions(all_projects=False)
        self.assertEqual({'all_projects': ['false']}, _query(self.last()))

        self.mock.get(ENDPOINT + '/subscriptions/s1',
                      json={'subscription': sub})
        self.assertEqual(sub, self.client.get_subscription('s1'))
        self.mock.get(ENDPOINT + '/subscriptions/s1/deliveries',
                      json={'deliveries': [{'id': 'd1'}]})
        self.assertEqual([{'id': 'd1'}], self.client.list_deliveries(
            's1', status='failed', limit=5))
        self.assertEqual({'status': ['failed'], 'limit': ['5']},
                         _query(self.last()))
        self.mock.delete(ENDPOINT + '/subscriptions/s1', status_code=204)
        self.assertIsNone(self.client.delete_subscription('s1'))


class TestErrors(ClientTestCase):

    def test_every_call_asks_for_the_version_it_needs(self):
        self.mock.get(ENDPOINT + '/capacity', json={'capacity': {}})
        self.client.get_capacity()
        self.assertEqual('reservation 1.1',
                         self.last().headers['OpenStack-API-Version'])

    def test_an_older_promise_says_what_is_wrong(self):
        # What a Promise that speaks only 1.0 answers.
        body = {'error_code': 406, 'error_name': 406,
                'error_message': 'Version 1.1 is not supported: this '
                                 'Promise speaks reservation 1.0 to 1.0.'}
        self.mock.get(ENDPOINT + '/capacity', status_code=406, json=body,
                      headers={'OpenStack-API-Version': 'reservation 1.0'})
        exc = self.assertRaises(exceptions.HTTPError,
                                self.client.get_capacity)
        self.assertEqual(406, exc.status_code)
        self.assertIn('does not speak reservation API 1.1', exc.message)
        self.assertIn('reservation 1.0', exc.message)

    def test_error_message_is_carried(self):
        body = {'error_code': 400, 'error_name': 400,
                'error_message': 'End date must be later than start date.'}
        self.mock.get(ENDPOINT + '/capacity', status_code=400, json=body,
                      headers={'x-openstack-request-id': 'req-1'})
        exc = self.assertRaises(exceptions.HTTPError,
                                self.client.get_capacity)
        self.assertEqual(400, exc.status_code)
        self.assertEqual('End date must be later than start date.',
                         exc.message)
        self.assertEqual(body, exc.body)
        self.assertEqual('req-1', exc.request_id)
        self.assertIn('End date must be later than start date.', str(exc))
        self.assertIn('HTTP 400', str(exc))

    def test_not_found(self):
        self.mock.get(ENDPOINT + '/capacity-changes/nope', status_code=404,
                      json={'error_code': 404, 'error_name': 404,
                            'error_message': 'Capacity change nope not '
                                             'found'})
        exc = self.assertRaises(exceptions.NotFound,
                                self.client.get_capacity_change, 'nope')
        self.assertEqual('Capacity change nope not found', exc.message)

    def test_conflict_keeps_the_offer(self):
        self.mock.post(ENDPOINT + '/capacity-changes', status_code=409,
                       json={'error_code': 409, 'error_name': 409,
                             'error_message': 'no', 'max_reservable': [0]})
        exc = self.assertRaises(exceptions.Conflict,
                                self.client.create_capacity_change,
                                1, 'unavailable', 'now')
        self.assertEqual([0], exc.body['max_reservable'])

    def test_server_error_without_json(self):
        self.mock.get(ENDPOINT + '/subscriptions', status_code=502,
                      reason='Bad Gateway', text='<html>proxy</html>')
        exc = self.assertRaises(exceptions.HTTPError,
                                self.client.list_subscriptions)
        self.assertEqual(502, exc.status_code)
        self.assertIn('502 Bad Gateway', exc.message)
        self.assertIn('proxy', exc.message)

    def test_success_without_json(self):
        self.mock.get(ENDPOINT + '/subscriptions', status_code=200,
                      text='not json')
        exc = self.assertRaises(exceptions.HTTPError,
                                self.client.list_subscriptions)
        self.assertIn('not JSON', exc.message)


def _query(request):
    """The query string of a request, values as sent (case kept)."""
    return parse.parse_qs(parse.urlsplit(request.url).query,
                          keep_blank_values=True)
