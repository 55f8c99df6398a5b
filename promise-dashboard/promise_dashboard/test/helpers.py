"""Horizon's test cases with a ``reservation`` service in the catalog
and Promise-shaped test data."""

import copy
import json

from openstack_dashboard.test import helpers
from promiseclient import exceptions as client_exceptions
import requests

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


def api_error(status, message, **extra):
    """The exception api/promise.py raises for an error answer of Promise,
    made the way it is in production: python-promiseclient reading the
    error body Promise sends (Blazar's, promise/api/errors.py: error_code,
    error_message, error_name, plus e.g. the offer of a 409), not built by
    hand with whatever a test expects to read back."""
    resp = requests.Response()
    resp.status_code = status
    resp.headers['Content-Type'] = 'application/json'
    resp._content = json.dumps(dict(
        {'error_code': status, 'error_message': message,
         'error_name': status}, **extra)).encode()
    return client_exceptions.from_response(resp)
