"""A policy.yaml written for Blazar changes what real promise-api
processes allow: Blazar's rule names (blazar:leases:*, blazar:oshosts:*)
are deprecated aliases of Promise's, and Blazar's base rules
(admin_or_owner, project_member_or_admin, ...) are the ones Promise's
lease rules are written with. On MariaDB; the deployment reads the file
at start, as an operator's would."""

import os
import shutil
import tempfile

from promise.tests.functional import base

# What an operator might carry over from Blazar: reading leases for
# admins only, changing them too (through the base rule Blazar's lease
# rules use), and the host list for anyone of the project.
BLAZAR_POLICY = '''
"blazar:leases:get": "role:admin"
"project_member_or_admin": "rule:admin"
"blazar:oshosts:get": "rule:admin_or_owner"
'''


class TestBlazarPolicyFile(base.MySQLMixin, base.FunctionalTestCase):

    @classmethod
    def setUpClass(cls):
        cls._policy_dir = tempfile.mkdtemp(prefix='promise-blazar-policy-')
        path = os.path.join(cls._policy_dir, 'policy.yaml')
        with open(path, 'w') as f:
            f.write(BLAZAR_POLICY)
        cls.DEPLOYMENT = {'oslo_policy.policy_file': path}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls._policy_dir, ignore_errors=True)

    def lease_body(self):
        return {'name': 'blazar-policy', 'start_date': '2099-01-01 10:00',
                'end_date': '2099-01-01 11:00', 'reservations': [],
                'events': []}

    def test_blazar_rule_names_apply(self):
        # blazar:leases:get: a member no longer reads leases...
        resp = self.request('GET', '/v1/leases')
        self.assertEqual(403, resp.status_code, resp.text)
        self.assertIn('promise:leases:get', resp.text)
        # ... an admin still does.
        resp = self.request('GET', '/v1/leases', roles='admin')
        self.assertEqual(200, resp.status_code, resp.text)

    def test_blazar_base_rules_apply(self):
        # project_member_or_admin (Blazar's base rule for changing
        # leases) was narrowed to admins.
        resp = self.request('POST', '/v1/leases', json=self.lease_body())
        self.assertEqual(403, resp.status_code, resp.text)
        resp = self.request('POST', '/v1/leases', json=self.lease_body(),
                            roles='admin')
        self.assertEqual(201, resp.status_code, resp.text)

    def test_admin_or_owner_is_known(self):
        # blazar:oshosts:get widened with admin_or_owner: a reader of the
        # project may list hosts, which Promise's default keeps for admins.
        resp = self.request('GET', '/v1/os-hosts', roles='reader')
        self.assertEqual(200, resp.status_code, resp.text)
        self.assertEqual([], resp.json()['hosts'])
        # A rule the file does not name keeps Promise's default.
        resp = self.request('GET', '/v1/os-hosts/allocations',
                            roles='reader')
        self.assertEqual(403, resp.status_code, resp.text)
