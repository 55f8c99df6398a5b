"""In-code policy defaults and what they allow."""

import importlib.metadata
import re

from oslo_policy import policy as oslo_policy

from promise import exceptions
from promise import policies
from promise import policy
from promise.tests.unit import base

# Every lease operation of the wire contract, with its documented rule.
OPERATIONS = {
    ('GET', '/v1/leases'): 'promise:leases:get',
    ('GET', '/v1/leases/{lease_id}'): 'promise:leases:get',
    ('POST', '/v1/leases'): 'promise:leases:post',
    ('PUT', '/v1/leases/{lease_id}'): 'promise:leases:put',
    ('DELETE', '/v1/leases/{lease_id}'): 'promise:leases:delete',
}


class TestDefaults(base.TestCase):

    def rules(self):
        return list(policies.list_rules())

    def test_entry_point(self):
        for ep in importlib.metadata.entry_points(
                group='oslo.policy.policies'):
            if ep.name == 'promise':
                self.assertIs(policies.list_rules, ep.load())
                return
        self.fail('no promise entry point in oslo.policy.policies')

    def test_list_rules_can_be_called_twice(self):
        self.assertEqual([r.name for r in self.rules()],
                         [r.name for r in self.rules()])
        self.assertTrue(self.rules())

    def test_api_rules_are_prefixed_and_documented(self):
        documented = [r for r in self.rules()
                      if isinstance(r, oslo_policy.DocumentedRuleDefault)]
        self.assertTrue(documented)
        for rule in documented:
            self.assertTrue(rule.name.startswith('promise:'), rule.name)
            self.assertTrue(rule.description)

    def test_every_lease_operation_has_its_rule(self):
        found = {}
        for rule in self.rules():
            for op in getattr(rule, 'operations', []):
                # The first rule of an operation is its own; later ones
                # are refinements (e.g. seeing all projects' leases).
                found.setdefault((op['method'], op['path']), rule.name)
        for op, name in OPERATIONS.items():
            self.assertEqual(name, found.get(op), op)

    def test_names_are_unique(self):
        names = [r.name for r in self.rules()]
        self.assertEqual(len(names), len(set(names)))

    def test_referenced_rules_exist(self):
        names = {r.name for r in self.rules()}
        for rule in self.rules():
            for ref in re.findall(r'rule:([\w:.-]+)', rule.check_str):
                self.assertIn(ref, names, rule.name)

    def test_enforcer_registers_every_default(self):
        registered = policy.get_enforcer().registered_rules
        for rule in self.rules():
            self.assertIn(rule.name, registered)


class TestEnforcement(base.TestCase):

    def setUp(self):
        super().setUp()
        self.reader = base.ctx('p1', roles=('reader',))
        self.member = base.ctx('p1', roles=('member', 'reader'))
        self.admin = base.ctx('admin-p', roles=('admin', 'member',
                                                'reader'))
        self.stranger = base.ctx('p2', roles=('member', 'reader'))

    def allowed(self, ctx, action, project='p1'):
        return policy.check(ctx, action, {'project_id': project})

    def test_reading(self):
        for ctx in (self.reader, self.member, self.admin):
            self.assertTrue(self.allowed(ctx, 'promise:leases:get'))
        self.assertFalse(self.allowed(self.stranger, 'promise:leases:get'))

    def test_changing(self):
        for action in ('post', 'put', 'delete'):
            action = 'promise:leases:%s' % action
            self.assertTrue(self.allowed(self.member, action))
            self.assertTrue(self.allowed(self.admin, action))
            self.assertFalse(self.allowed(self.reader, action))
            self.assertFalse(self.allowed(self.stranger, action))

    def test_authorize_raises_403(self):
        exc = self.assertRaises(exceptions.PolicyNotAuthorized,
                                policy.authorize, self.reader,
                                'promise:leases:post', {'project_id': 'p1'})
        self.assertEqual(403, exc.code)
        self.assertIn('promise:leases:post', exc.message)

    def test_unknown_rule_is_refused(self):
        self.assertRaises(exceptions.PolicyNotAuthorized, policy.authorize,
                          self.admin, 'promise:nothing:get', {})

    def test_blazar_names_are_aliases_the_promise_name_wins(self):
        path = self.create_tempfiles(
            [('policy', '{"blazar:leases:post": "role:admin", '
                        '"blazar:leases:delete": "role:admin", '
                        '"promise:leases:delete": "role:member"}')],
            ext='.json')[0]
        self.flags(group='oslo_policy', policy_file=path)
        policy.reset()
        self.assertFalse(self.allowed(self.member, 'promise:leases:post'))
        self.assertTrue(self.allowed(self.admin, 'promise:leases:post'))
        # Both names set: Promise's own is the one that counts.
        self.assertTrue(self.allowed(self.member, 'promise:leases:delete'))
        # Unnamed rules keep their defaults.
        self.assertTrue(self.allowed(self.member, 'promise:leases:put'))

    def test_policy_file_overrides_a_default(self):
        path = self.create_tempfiles(
            [('policy', '{"promise:leases:post": "role:admin"}')],
            ext='.json')[0]
        self.flags(group='oslo_policy', policy_file=path)
        policy.reset()
        self.assertFalse(self.allowed(self.member, 'promise:leases:post'))
        self.assertTrue(self.allowed(self.admin, 'promise:leases:post'))
