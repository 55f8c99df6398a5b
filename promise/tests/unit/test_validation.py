"""Request body validation and coercion at the API edge."""

import copy

from promise.api import dates as api_dates
from promise.api.schemas import leases as lease_schema
from promise.api import validation
from promise.common import dates
from promise import exceptions
from promise.tests.unit import base

SCHEMA = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string'},
        'min': validation.INT_LIKE,
        'max': validation.INT_LIKE,
        'items': {'type': 'array', 'items': {
            'type': 'object',
            'properties': {'amount': validation.INT_LIKE}}},
    },
    'required': ['min'],
    'additionalProperties': False,
}


class TestCoercion(base.TestCase):

    def test_numeric_strings_become_ints(self):
        body = validation.validate(SCHEMA, {'min': '3', 'max': ' 12 '})
        self.assertEqual({'min': 3, 'max': 12}, body)
        self.assertIsInstance(body['min'], int)

    def test_empty_string_becomes_none(self):
        self.assertEqual({'min': None},
                         validation.validate(SCHEMA, {'min': ''}))

    def test_ints_stay_ints(self):
        self.assertEqual({'min': 4}, validation.validate(SCHEMA, {'min': 4}))

    def test_nested_values_are_coerced(self):
        body = validation.validate(
            SCHEMA, {'min': 1, 'items': [{'amount': '2'}, {'amount': 5},
                                         {'amount': ''}]})
        self.assertEqual([{'amount': 2}, {'amount': 5}, {'amount': None}],
                         body['items'])

    def test_other_strings_are_left_alone(self):
        body = validation.validate(SCHEMA, {'min': 1, 'name': '7'})
        self.assertEqual('7', body['name'])

    def test_the_input_is_not_modified(self):
        original = {'min': '3', 'items': [{'amount': '2'}]}
        kept = copy.deepcopy(original)
        validation.validate(SCHEMA, original)
        self.assertEqual(kept, original)


class TestMessages(base.TestCase):

    def invalid(self, schema, body):
        exc = self.assertRaises(exceptions.InvalidInput,
                                validation.validate, schema, body)
        self.assertEqual(400, exc.code)
        return exc.message

    def test_missing_parameter(self):
        self.assertEqual('Missing parameter min',
                         self.invalid(SCHEMA, {'max': 1}))

    def test_not_a_number(self):
        message = self.invalid(SCHEMA, {'min': 'three'})
        self.assertTrue(message.startswith('Invalid value for min: '),
                        message)

    def test_negative_number(self):
        self.assertIn('min', self.invalid(SCHEMA, {'min': -1}))

    def test_nested_path_is_named(self):
        message = self.invalid(SCHEMA, {'min': 1,
                                        'items': [{'amount': 'x'}]})
        self.assertTrue(message.startswith('Invalid value for items.0.'
                                           'amount: '), message)

    def test_unknown_key(self):
        message = self.invalid(SCHEMA, {'min': 1, 'colour': 'blue'})
        self.assertTrue(message.startswith('Invalid request body: '),
                        message)
        self.assertIn("'colour'", message)

    def test_not_an_object(self):
        self.assertIn('is not of type', self.invalid(SCHEMA, ['min']))

    def test_lease_create_missing_end_date(self):
        self.assertEqual('Missing parameter end_date', self.invalid(
            lease_schema.CREATE, {'name': 'x',
                                  'start_date': '2099-01-01 10:00'}))

    def test_lease_create_reservation_needs_a_type(self):
        self.assertEqual('Missing parameter resource_type', self.invalid(
            lease_schema.CREATE, {'name': 'x', 'end_date': 'e',
                                  'reservations': [{'min': 1}]}))

    def test_lease_update_must_change_something(self):
        self.invalid(lease_schema.UPDATE, {})

    def test_lease_name_length(self):
        self.invalid(lease_schema.CREATE, {'name': 'x' * 81,
                                           'end_date': 'e'})
        body = validation.validate(lease_schema.CREATE,
                                   {'name': 'x' * 80, 'end_date': 'e'})
        self.assertEqual(80, len(body['name']))


class FakeRequest:

    def __init__(self, body):
        self.body = body


class TestLoadBody(base.TestCase):

    def test_json(self):
        self.assertEqual({'a': 1},
                         validation.load_body(FakeRequest(b'{"a": 1}')))

    def test_empty(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                validation.load_body, FakeRequest(b''))
        self.assertIn('JSON body', exc.message)

    def test_not_json(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                validation.load_body, FakeRequest(b'{x'))
        self.assertIn('not valid JSON', exc.message)


class TestDates(base.TestCase):

    def test_input_format(self):
        self.assertEqual(base.datetime.datetime(2099, 1, 2, 3, 4),
                         api_dates.parse('2099-01-02 03:04'))

    def test_invalid_dates_get_blazars_message(self):
        for value in ('2099-01-02T03:04', '2099-01-02 03:04:05',
                      '2099-13-01 10:00', 'now', '', 'soon'):
            exc = self.assertRaises(exceptions.InvalidDate,
                                    api_dates.parse, value)
            self.assertEqual(400, exc.code)
            self.assertEqual('%s is an invalid date. Required format: '
                             '%%Y-%%m-%%d %%H:%%M' % value, exc.message)

    def test_now_where_allowed(self):
        before = dates.utcnow()
        value = api_dates.parse('now', allow_now=True)
        self.assertTrue(before <= value <= dates.utcnow())
        self.assertIsNone(value.tzinfo)

    def test_output_formats(self):
        when = base.datetime.datetime(2099, 1, 2, 3, 4, 5, 6)
        self.assertEqual('2099-01-02T03:04:05.000006',
                         dates.format_date(when))
        self.assertEqual('2099-01-02 03:04:05', dates.format_timestamp(when))
        self.assertIsNone(dates.format_date(None))
        self.assertIsNone(dates.format_timestamp(None))
