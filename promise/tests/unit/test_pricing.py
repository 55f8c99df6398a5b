"""ONAP net_value pricing is a pure function of the request and the
[net_value] options it is handed."""

import testtools

from promise.common import shapes
from promise import exceptions
from promise.nfv import pricing


class Options(dict):
    """The [net_value] group as pricing reads it: tables by key, the
    rest as attributes."""

    def __init__(self, **values):
        super().__init__(values)
        self.__dict__.update(values)


def options(**overrides):
    values = dict(flavor_shapes={'m1.small': '1/2048/20',
                                 'm1.twin': '1/2048/20',
                                 'm1.large': '4/8192/80'},
                  flavor_costs={'m1.small': '2', 'm1.twin': '2',
                                'm1.large': '8'},
                  intent_costs={'burstable': '0.5'},
                  burstable_oversubscription=0.25,
                  wcpu=1.0, wmem=1.0, wdisk=1.0)
    values.update(overrides)
    return Options(**values)


class TestPricing(testtools.TestCase):

    def test_named_flavor(self):
        shape, cost, sizes = pricing.instance_type(
            {'flavor': 'm1.large'}, 3, [], options())
        self.assertEqual(shapes.Shape(4, 8192, 80), shape)
        self.assertEqual(24.0, cost)
        self.assertEqual('m1.large', sizes['flavor'])
        self.assertEqual(sizes['min'], sizes['max'])

    def test_size_finds_its_priced_flavor(self):
        shape, cost, sizes = pricing.instance_type(
            {'vcpus': 1, 'memory_mb': 2048, 'disk_gb': 20}, 1, [],
            options())
        self.assertEqual('m1.small', sizes['flavor'])
        self.assertEqual(2.0, cost)

    def test_sizes_of_different_costs_are_refused(self):
        self.assertRaises(
            exceptions.InvalidInput, pricing.instance_type,
            {'vcpus': 1, 'memory_mb': 2048, 'disk_gb': 20}, 1, [],
            options(flavor_costs={'m1.small': '2', 'm1.twin': '3'}))

    def test_burstable_counts_the_guaranteed_shape(self):
        shape, cost, sizes = pricing.instance_type(
            {'flavor': 'm1.large'}, 1, ['burstable'], options())
        self.assertEqual(8.5, cost)
        self.assertEqual(dict(shape._asdict()), sizes['min'])
        self.assertNotEqual(sizes['min'], sizes['max'])

    def test_unpriced_intent_is_invalid_input(self):
        self.assertRaises(exceptions.InvalidInput, pricing.instance_type,
                          {'flavor': 'm1.large'}, 1, ['gold'], options())

    def test_broken_options_are_unavailable(self):
        self.assertRaises(exceptions.ServiceUnavailable,
                          pricing.instance_type, {'flavor': 'm1.large'}, 1,
                          [], options(flavor_shapes={'m1.large': 'big'}))
        self.assertRaises(exceptions.ServiceUnavailable,
                          pricing.instance_type, {'flavor': 'm1.large'}, 1,
                          [], options(flavor_costs={'m1.large': 'x'}))

    def test_weights(self):
        self.assertEqual({'vcpus': 1.0, 'memory_mb': 2.0, 'disk_gb': 3.0},
                         pricing.weights(options(wmem=2.0, wdisk=3.0)))
