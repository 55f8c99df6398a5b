"""The Placement wrapper: capacity arithmetic and generation-conflict
retries, against a scripted session."""

import json

import fixtures

from promise.clients import placement as placement_client
from promise.tests.unit import base

CONFLICT = {'errors': [{'status': 409, 'code': 'placement.concurrent_update',
                        'title': 'Conflict', 'detail': 'generation'}]}


class Response:

    def __init__(self, status, body=None):
        self.status_code = status
        self._body = body
        self.content = b'' if body is None else json.dumps(body).encode()
        self.text = self.content.decode()

    def json(self):
        return self._body


class ScriptedSession:
    """Answers (method, url) from a dict of lists; records the calls."""

    def __init__(self, script):
        self.script = {k: list(v) for k, v in script.items()}
        self.calls = []

    def request(self, url, method, **kwargs):
        self.calls.append((method, url, kwargs.get('json')))
        answers = self.script[(method, url)]
        return answers.pop(0) if len(answers) > 1 else answers[0]


class TestPlacementClient(base.TestCase):

    def setUp(self):
        super().setUp()
        self.sleeps = []
        self.useFixture(fixtures.MonkeyPatch(
            'promise.clients.placement.time.sleep', self.sleeps.append))

    def client(self, script):
        self.session = ScriptedSession(script)
        return placement_client.PlacementClient(session=self.session)

    def test_resource_class_name(self):
        self.assertEqual('CUSTOM_RESERVATION_AB_12',
                         placement_client.resource_class('ab-12'))

    def test_capacity_is_total_less_reserved_times_ratio(self):
        inv = {'resource_provider_generation': 3, 'inventories': {
            'VCPU': {'total': 8, 'reserved': 2, 'allocation_ratio': 4.0},
            'MEMORY_MB': {'total': 4096, 'reserved': 512,
                          'allocation_ratio': 1.5},
            'DISK_GB': {'total': 100, 'reserved': 0,
                        'allocation_ratio': 1.0}}}
        client = self.client({
            ('GET', '/resource_providers/rp/inventories'): [
                Response(200, inv)],
            ('GET', '/resource_providers/rp/usages'): [
                Response(200, {'usages': {'VCPU': 3, 'MEMORY_MB': 1024}})]})
        capacity, used = client.capacity('rp')
        self.assertEqual({'vcpus': 24, 'memory_mb': 5376, 'disk_gb': 100},
                         capacity)
        self.assertEqual({'vcpus': 3, 'memory_mb': 1024, 'disk_gb': 0},
                         used)

    def test_set_inventory_retries_generation_conflicts(self):
        url = '/resource_providers/child/inventories'
        client = self.client({
            ('GET', url): [
                Response(200, {'resource_provider_generation': 1,
                               'inventories': {}}),
                Response(200, {'resource_provider_generation': 2,
                               'inventories': {}})],
            ('POST', url): [Response(409, CONFLICT), Response(200, {})]})
        client.set_inventory('child', 'CUSTOM_X', 3)
        posts = [c for c in self.session.calls if c[0] == 'POST']
        self.assertEqual([1, 2], [c[2]['resource_provider_generation']
                                  for c in posts])
        self.assertEqual(('CUSTOM_X', 3, 3), (
            posts[1][2]['resource_class'], posts[1][2]['total'],
            posts[1][2]['max_unit']))
        self.assertEqual(1, len(self.sleeps))

    def test_set_inventory_changes_an_existing_one_with_put(self):
        url = '/resource_providers/child/inventories'
        client = self.client({
            ('GET', url): [Response(200, {
                'resource_provider_generation': 5,
                'inventories': {'CUSTOM_X': {'total': 1}}})],
            ('PUT', url + '/CUSTOM_X'): [Response(200, {})]})
        client.set_inventory('child', 'CUSTOM_X', 2)
        self.assertEqual(['GET', 'PUT'], [c[0] for c in self.session.calls])
        # Already right: nothing is written.
        client.set_inventory('child', 'CUSTOM_X', 1)
        self.assertEqual(['GET', 'PUT', 'GET'],
                         [c[0] for c in self.session.calls])

    def test_delete_inventory_waits_for_allocations_to_go(self):
        url = '/resource_providers/child/inventories/CUSTOM_X'
        in_use = {'errors': [{'status': 409,
                              'code': 'placement.inventory.inuse'}]}
        client = self.client({('DELETE', url): [
            Response(409, in_use), Response(409, CONFLICT),
            Response(204)]})
        client.delete_inventory('child', 'CUSTOM_X')
        self.assertEqual(3, len(self.session.calls))

    def test_missing_objects_are_fine_to_delete(self):
        client = self.client({
            ('DELETE', '/resource_providers/x'): [Response(404, {})],
            ('DELETE', '/resource_classes/CUSTOM_X'): [Response(404, {})]})
        client.delete_provider('x')
        client.delete_resource_class('CUSTOM_X')

    def test_errors_are_placement_errors(self):
        client = self.client({('PUT', '/resource_classes/CUSTOM_X'): [
            Response(400, {'errors': [{'detail': 'bad name'}]})]})
        exc = self.assertRaises(placement_client.PlacementError,
                                client.ensure_resource_class, 'CUSTOM_X')
        # Placement's words go to the log, not to users.
        self.assertIn('bad name', exc.detail)
        self.assertNotIn('bad name', exc.message)
        self.assertIn('Promise log under request', exc.message)
