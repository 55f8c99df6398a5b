"""The property query language of reservations."""

import testtools

from promise.common import properties
from promise import exceptions


class TestParse(testtools.TestCase):

    def test_empty_means_no_query(self):
        for empty in (None, '', [], '[]', ' [ ] '):
            self.assertIsNone(properties.parse(empty, 'resource_properties'))

    def test_json_string_and_list_are_accepted(self):
        text = '["==", "$hypervisor_hostname", "compute1"]'
        self.assertEqual(['==', '$hypervisor_hostname', 'compute1'],
                         properties.parse(text, 'hypervisor_properties'))
        self.assertEqual(['and', ['>=', '$memory_mb', 4]],
                         properties.parse(['and', ['>=', '$memory_mb', 4]],
                                          'hypervisor_properties'))

    def test_invalid_queries_say_what_is_wrong(self):
        cases = {
            'not json': 'not JSON',
            '["~", "$a", "1"]': "unknown operator '~'",
            '["==", "a", "1"]': 'is not a $property',
            '["==", "$a"]': 'takes a $property and a value',
            '["and"]': 'needs operands',
            '{"a": 1}': 'expected a non-empty list',
            '["==", "$a", ["x"]]': 'values must be strings or numbers',
        }
        for text, why in cases.items():
            exc = self.assertRaises(exceptions.InvalidInput,
                                    properties.parse, text,
                                    "resource_properties")
            self.assertIn(why, exc.message)
            self.assertIn('resource_properties', exc.message)
            self.assertEqual(400, exc.code)


class TestMatches(testtools.TestCase):

    def test_numbers_compare_as_numbers(self):
        # Blazar compares strings here and gets "16" >= "8" wrong.
        query = ['>=', '$memory', '8']
        self.assertTrue(properties.matches(query, {'memory': '16'}))
        self.assertFalse(properties.matches(query, {'memory': '4'}))
        self.assertTrue(properties.matches(['<', '$n', 10], {'n': '9.5'}))

    def test_strings_compare_as_strings(self):
        self.assertTrue(properties.matches(['==', '$gpu', 'true'],
                                           {'gpu': 'true'}))
        self.assertFalse(properties.matches(['==', '$gpu', 'true'],
                                            {'gpu': 'false'}))
        self.assertTrue(properties.matches(['!=', '$zone', 'a'],
                                           {'zone': 'b'}))
        # Mixed: one side is not numeric, so both are strings.
        self.assertTrue(properties.matches(['>', '$v', '10'], {'v': 'abc'}))

    def test_missing_property_does_not_match(self):
        self.assertFalse(properties.matches(['==', '$gpu', 'true'], {}))
        self.assertFalse(properties.matches(['!=', '$gpu', 'true'], {}))

    def test_logic(self):
        props = {'a': '1', 'b': 'x'}
        self.assertTrue(properties.matches(
            ['and', ['==', '$a', 1], ['==', '$b', 'x']], props))
        self.assertFalse(properties.matches(
            ['and', ['==', '$a', 1], ['==', '$b', 'y']], props))
        self.assertTrue(properties.matches(
            ['or', ['==', '$a', 2], ['==', '$b', 'x']], props))
        self.assertTrue(properties.matches(['not', ['==', '$a', 2]], props))
        self.assertTrue(properties.matches(None, props))
