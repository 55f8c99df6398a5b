"""Requests cross RPC with their context and typed values intact."""

import datetime

from oslo_serialization import jsonutils

from promise.common import transport
from promise import context
from promise import exceptions
from promise.tests.unit import base


class TestSerializer(base.TestCase):

    def setUp(self):
        super().setUp()
        self.serializer = transport.Serializer()

    def over_the_wire(self, value):
        # What a JSON transport does to the payload.
        return jsonutils.loads(jsonutils.dumps(value))

    def test_datetimes_round_trip(self):
        values = {
            'start_date': datetime.datetime(2099, 1, 1, 10, 0),
            'end_date': datetime.datetime(2099, 1, 2, 10, 0, 5, 123456),
            'name': 'lease',
            'count': 3,
            'nothing': None,
            'reservations': [{'at': datetime.datetime(2099, 1, 1, 11, 0),
                              'min': 1}],
            'pair': (datetime.datetime(2099, 1, 1), 'x'),
        }
        wire = self.over_the_wire(
            self.serializer.serialize_entity(None, values))
        self.assertIsInstance(wire['start_date'], dict)
        back = self.serializer.deserialize_entity(None, wire)
        self.assertEqual(datetime.datetime(2099, 1, 1, 10, 0),
                         back['start_date'])
        self.assertEqual(datetime.datetime(2099, 1, 2, 10, 0, 5, 123456),
                         back['end_date'])
        self.assertIsInstance(back['reservations'][0]['at'],
                              datetime.datetime)
        self.assertEqual(datetime.datetime(2099, 1, 1), back['pair'][0])
        self.assertEqual('lease', back['name'])
        self.assertEqual(3, back['count'])
        self.assertIsNone(back['nothing'])

    def test_plain_values_are_unchanged(self):
        for value in ('text', 1, 1.5, True, None, [1, 'a'], {'a': {'b': 1}}):
            wire = self.over_the_wire(
                self.serializer.serialize_entity(None, value))
            self.assertEqual(value,
                             self.serializer.deserialize_entity(None, wire))

    def test_context_round_trips(self):
        ctx = context.RequestContext(user_id='u1', project_id='p1',
                                     roles=['member', 'reader'],
                                     is_admin=False,
                                     request_id='req-1234')
        wire = self.over_the_wire(self.serializer.serialize_context(ctx))
        back = self.serializer.deserialize_context(wire)
        self.assertIsInstance(back, context.RequestContext)
        self.assertEqual('u1', back.user_id)
        self.assertEqual('p1', back.project_id)
        self.assertEqual(['member', 'reader'], back.roles)
        self.assertFalse(back.is_admin)
        self.assertEqual('req-1234', back.request_id)

    def test_admin_context_stays_admin(self):
        ctx = context.RequestContext(user_id='root', project_id='admin',
                                     roles=['admin'], is_admin=True)
        back = self.serializer.deserialize_context(
            self.over_the_wire(self.serializer.serialize_context(ctx)))
        self.assertTrue(back.is_admin)
        self.assertTrue(back.to_policy_values()['is_admin'])


class Echo:

    def echo(self, ctxt, values):
        return {'values': values,
                'types': {k: type(v).__name__ for k, v in values.items()},
                'context_type': type(ctxt).__name__,
                'project_id': ctxt.project_id, 'roles': ctxt.roles}

    def conflict(self, ctxt, lease_id):
        raise exceptions.InvalidStatus(id=lease_id, status='STARTING',
                                       action='delete', allowed='PENDING')


class TestOverTheFakeTransport(base.TestCase):
    """A real RPC server and client on the in-process transport."""

    def setUp(self):
        super().setUp()
        topic = self.conf.manager.topic
        server = transport.get_server(topic, 'echo-host', [Echo()])
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        self.client = transport.get_client(topic, 10)
        self.ctx = base.ctx(project_id='p-rpc')

    def test_call_carries_types_and_context(self):
        when = datetime.datetime(2099, 5, 6, 7, 8, 9, 10)
        result = self.client.call(self.ctx, 'echo',
                                  values={'when': when, 'n': 2})
        self.assertEqual({'when': 'datetime', 'n': 'int'}, result['types'])
        self.assertEqual(when, result['values']['when'])
        self.assertEqual('RequestContext', result['context_type'])
        self.assertEqual('p-rpc', result['project_id'])
        self.assertEqual(['member', 'reader'], result['roles'])

    def test_promise_exceptions_cross_intact(self):
        exc = self.assertRaises(exceptions.InvalidStatus, self.client.call,
                                self.ctx, 'conflict', lease_id='L1')
        self.assertEqual(409, exc.code)
        self.assertEqual('Lease L1 is STARTING; delete is only allowed '
                         'when it is PENDING.', exc.message)
