"""Requests that must fail with 4xx leave everything as it was.

Each case checks the status, the Blazar error body, and that neither the
lease list nor any database row changed.
"""

import datetime
import uuid

from promise.tests.functional import base

TABLES = ('leases', 'reservations', 'events')


class ApiErrorTests:

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lease = None

    def setUp(self):
        super().setUp()
        if type(self).lease is None:
            # Starts tomorrow, so no event of it runs while the rows are
            # compared.
            type(self).lease = self.create_lease(
                name='owned-by-a', start=self.future(days=1),
                end=self.future(days=2))

    def snapshot(self):
        return (sorted((lease['id'], lease['name'], lease['end_date'],
                        lease['status'])
                       for lease in self.list_leases(roles='admin')),
                self.deployment.db.rows(*TABLES))

    def assertUnchanged(self, before):
        self.assertEqual(before, self.snapshot())

    def check(self, status, message, method, path, **kwargs):
        before = self.snapshot()
        resp = self.request(method, path, **kwargs)
        body = self.assertBlazarError(resp, status, message)
        self.assertUnchanged(before)
        return body

    def future(self, **delta):
        return base.api_date(base.utcnow() + datetime.timedelta(**delta))

    # -- bodies -----------------------------------------------------------

    def test_malformed_json(self):
        for text in ('{"name": ', 'not json', '[1, 2', '{"name": "x",}'):
            self.check(400, None, 'POST', '/v1/leases', data=text)

    def test_malformed_json_on_update(self):
        self.check(400, None, 'PUT', '/v1/leases/%s' % self.lease['id'],
                   data='{"name": ')

    def test_schema_invalid_create(self):
        end = self.future(days=1)
        bodies = [
            {'end_date': end},                                 # no name
            {'name': 12, 'end_date': end},                     # int name
            {'name': ['x'], 'end_date': end},
            {'name': '', 'end_date': end},
            {'name': 'x' * 81, 'end_date': end},               # too long
            {'name': 'x', 'end_date': 20260101},               # int date
            {'name': 'x', 'end_date': end, 'reservations': {}},
            {'name': 'x', 'end_date': end, 'reservations': [{}]},
            {'name': 'x', 'end_date': end, 'unknown': 1},
            [],
            'a string',
        ]
        for body in bodies:
            self.check(400, None, 'POST', '/v1/leases', json=body)

    def test_schema_invalid_update(self):
        path = '/v1/leases/%s' % self.lease['id']
        for body in ({}, {'name': 5}, {'name': ''}, {'bogus': 'x'}, []):
            self.check(400, None, 'PUT', path, json=body)

    def test_bad_dates(self):
        end = self.future(days=1)
        for value in ('2026-13-45 25:61', 'tomorrow', '2030-01-01',
                      '2030-01-01T10:00', '01/02/2030 10:00'):
            self.check(
                400,
                '%s is an invalid date. Required format: %%Y-%%m-%%d %%H:%%M'
                % value, 'POST', '/v1/leases',
                json={'name': 'bad-date', 'start_date': value,
                      'end_date': end})
            self.check(
                400,
                '%s is an invalid date. Required format: %%Y-%%m-%%d %%H:%%M'
                % value, 'POST', '/v1/leases',
                json={'name': 'bad-date', 'start_date': 'now',
                      'end_date': value})

    def test_bad_date_on_update(self):
        value = '2030-02-30 10:00'
        self.check(
            400,
            '%s is an invalid date. Required format: %%Y-%%m-%%d %%H:%%M'
            % value, 'PUT', '/v1/leases/%s' % self.lease['id'],
            json={'end_date': value})

    def test_end_before_start(self):
        start = base.utcnow() + datetime.timedelta(days=2)
        for end in (start - datetime.timedelta(hours=1), start):
            self.check(400, 'End date must be later than start date.',
                       'POST', '/v1/leases',
                       json={'name': 'backwards',
                             'start_date': base.api_date(start),
                             'end_date': base.api_date(end)})

    # -- ids, owners, methods, paths --------------------------------------

    def test_unknown_lease(self):
        missing = '/v1/leases/%s' % uuid.uuid4()
        self.check(404, None, 'GET', missing)
        self.check(404, None, 'PUT', missing, json={'name': 'renamed'})
        self.check(404, None, 'DELETE', missing)
        # Not a UUID: looked up by name, and there is none.
        self.check(404, None, 'GET', '/v1/leases/no-such-lease-name')

    def test_other_project_cannot_touch_lease(self):
        path = '/v1/leases/%s' % self.lease['id']
        for method, body in (('GET', None), ('PUT', {'name': 'stolen'}),
                             ('DELETE', None)):
            for roles in ('member', 'reader', 'member,reader'):
                # Not found when the caller could do this in its own
                # project (the lease's existence does not leak); 403 when
                # it could not even there (a reader changing a lease).
                wanted = 403 if (roles, method) in (
                    ('reader', 'PUT'), ('reader', 'DELETE')) else 404
                before = self.snapshot()
                resp = self.request(method, path, json=body, who=base.OTHER,
                                    roles=roles)
                self.assertBlazarError(resp, wanted)
                self.assertUnchanged(before)
        # Nor see it in its list.
        ids = [lease['id'] for lease in self.list_leases(who=base.OTHER)]
        self.assertNotIn(self.lease['id'], ids)
        # The owner still can.
        self.assertEqual('owned-by-a', self.get_lease(self.lease['id'])
                         ['name'])

    def test_reader_cannot_change(self):
        path = '/v1/leases/%s' % self.lease['id']
        before = self.snapshot()
        for method, body in (('PUT', {'name': 'renamed'}), ('DELETE', None)):
            resp = self.request(method, path, json=body, roles='reader')
            self.assertBlazarError(resp, 403)
        resp = self.request('POST', '/v1/leases', roles='reader',
                            json={'name': 'by-reader',
                                  'end_date': self.future(days=1)})
        self.assertBlazarError(resp, 403)
        self.assertUnchanged(before)

    def test_wrong_method(self):
        lease_path = '/v1/leases/%s' % self.lease['id']
        for method, path in (('PATCH', '/v1/leases'),
                             ('PUT', '/v1/leases'),
                             ('DELETE', '/v1/leases'),
                             ('POST', lease_path),
                             ('PATCH', lease_path)):
            self.check(405, None, method, path, json={'name': 'x'})

    def test_unknown_path(self):
        for path in ('/v1/nothing', '/v1/leases/%s/nothing'
                     % self.lease['id'], '/v2/leases', '/nothing'):
            self.check(404, None, 'GET', path)


class TestApiErrorsMySQL(ApiErrorTests, base.MySQLMixin,
                         base.FunctionalTestCase):
    pass


class TestApiErrorsPostgreSQL(ApiErrorTests, base.PostgreSQLMixin,
                              base.FunctionalTestCase):
    pass
