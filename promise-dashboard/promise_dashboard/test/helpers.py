"""Horizon's test cases with a ``reservation`` service in the catalog
and Promise-shaped test data."""

import copy

from openstack_dashboard.test import helpers

RESERVATION_SERVICE = {
    'type': 'reservation', 'name': 'promise', 'endpoints_links': [],
    'endpoints': [
        {'region': 'RegionOne', 'interface': interface,
         'url': 'http://%s.promise.example.com:1234/v1' % interface}
        for interface in ('admin', 'internal', 'public')],
}


class _CatalogMixin:
    def _setup_test_data(self):
        super()._setup_test_data()
        catalog = [s for s in self.service_catalog
                   if s['type'] != 'reservation']
        catalog.append(copy.deepcopy(RESERVATION_SERVICE))
        self.service_catalog = catalog


class TestCase(_CatalogMixin, helpers.TestCase):
    pass


class BaseAdminViewTests(_CatalogMixin, helpers.BaseAdminViewTests):
    pass
