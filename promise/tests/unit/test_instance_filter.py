"""PromiseFilter with reservation flavors (nova-scheduler is not installed
in the unit tier: a stand-in for nova.scheduler.filters is used)."""

import importlib
import sys
import types
from unittest import mock

import testtools

from promise.nova import keys
from promise.plugins.instances import nova_objects
from promise_nova import keys as filter_keys


class _BaseHostFilter:
    pass


def _load_filter(test, path='promise_nova.filter'):
    nova = types.ModuleType('nova')
    scheduler = types.ModuleType('nova.scheduler')
    filters = types.ModuleType('nova.scheduler.filters')
    filters.BaseHostFilter = _BaseHostFilter
    nova.scheduler = scheduler
    scheduler.filters = filters
    patcher = mock.patch.dict(sys.modules, {
        'nova': nova, 'nova.scheduler': scheduler,
        'nova.scheduler.filters': filters})
    patcher.start()
    test.addCleanup(patcher.stop)
    for name in ('promise_nova.filter', 'promise.nova.filter'):
        sys.modules.pop(name, None)
    return importlib.import_module(path)


def agg(**metadata):
    return types.SimpleNamespace(metadata=metadata)


def host(*aggregates):
    return types.SimpleNamespace(host='compute1', aggregates=list(aggregates))


def spec(project='p1', extra_specs=None, hints=None):
    hints = hints or {}
    return types.SimpleNamespace(
        project_id=project,
        flavor=types.SimpleNamespace(extra_specs=extra_specs or {}),
        get_scheduler_hint=lambda name: hints.get(name))


class TestFilter(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.module = _load_filter(self)
        self.filter = self.module.PromiseFilter()

    def test_key_matches_the_plugin(self):
        self.assertEqual(nova_objects.INSTANCE_RESERVATION,
                         self.module.INSTANCE_RESERVATION)
        self.assertEqual(nova_objects.OWNER, keys.OWNER)

    def test_reservation_flavor_only_on_its_hosts_for_its_project(self):
        booked = {nova_objects.INSTANCE_RESERVATION: 'r1'}
        mine = host(agg(**{keys.FREEPOOL: 'true'}),
                    agg(**nova_objects.aggregate_metadata('r1', 'p1')))
        other = host(agg(**{keys.FREEPOOL: 'true'}),
                     agg(**nova_objects.aggregate_metadata('r2', 'p1')))
        plain = host()
        self.assertTrue(self.filter.host_passes(mine, spec(
            extra_specs=booked)))
        self.assertFalse(self.filter.host_passes(mine, spec(
            project='p2', extra_specs=booked)))
        self.assertFalse(self.filter.host_passes(other, spec(
            extra_specs=booked)))
        self.assertFalse(self.filter.host_passes(plain, spec(
            extra_specs=booked)))
        # A hint naming a host reservation does not widen it.
        self.assertFalse(self.filter.host_passes(other, spec(
            extra_specs=booked, hints={keys.HINT: 'r2'})))

    def test_ordinary_flavors_stay_off_reserved_hosts(self):
        mine = host(agg(**{keys.FREEPOOL: 'true'}),
                    agg(**nova_objects.aggregate_metadata('r1', 'p1')))
        self.assertFalse(self.filter.host_passes(mine, spec()))
        # The physical:host hint does not reach instance reservations.
        self.assertFalse(self.filter.host_passes(mine, spec(
            hints={keys.HINT: 'r1'})))
        self.assertTrue(self.filter.host_passes(host(), spec()))

    def test_host_reservations_unchanged(self):
        reserved = host(agg(**{keys.RESERVATION: 'h1', keys.OWNER: 'p1'}))
        self.assertTrue(self.filter.host_passes(reserved, spec(
            hints={keys.HINT: 'h1'})))
        self.assertFalse(self.filter.host_passes(reserved, spec(
            project='p2', hints={keys.HINT: 'h1'})))
        self.assertFalse(self.filter.host_passes(reserved, spec()))

    def test_flavor_without_extra_specs_loaded(self):
        class Flavor:
            @property
            def extra_specs(self):
                raise NotImplementedError('Cannot load extra_specs')
        request = spec()
        request.flavor = Flavor()
        self.assertTrue(self.filter.host_passes(host(), request))


class TestOldPath(testtools.TestCase):

    def test_old_nova_conf_path_is_the_same_filter(self):
        new = _load_filter(self)
        old = importlib.import_module('promise.nova.filter')
        self.assertIs(new.PromiseFilter, old.PromiseFilter)


class TestKeys(testtools.TestCase):

    def test_promise_and_promise_nova_name_the_same_keys(self):
        def names(module):
            return {k: v for k, v in vars(module).items() if k.isupper()}
        self.assertEqual(names(keys), names(filter_keys))
        self.assertTrue(names(keys))
