"""A change that reaches promise-manager after the API stopped waiting for
it must not be carried out: the client was told 503."""

import time

import sqlalchemy as sa
import webob

from promise.api import app as api_app
from promise.db import api as db
from promise.db import models
from promise import exceptions
from promise.tests.unit import base


class TestDeadline(base.LeaseTestCase):

    def count(self, model):
        with db.reader() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(
                model))

    def assertNothingWritten(self):
        for model in (models.Lease, models.Reservation, models.Event):
            self.assertEqual(0, self.count(model), model.__tablename__)

    def values(self):
        now = base.utcnow()
        return {'name': 'late', 'start_date': now + base.hours(1),
                'end_date': now + base.hours(2),
                'reservations': [{'resource_type': 'fake:thing'}]}

    def test_create_after_the_deadline_writes_nothing(self):
        exc = self.assertRaises(exceptions.RequestExpired,
                                self.manager.create_view, self.context,
                                self.values(), deadline=time.time() - 1)
        self.assertEqual(503, exc.code)
        self.assertNothingWritten()
        self.assertEqual([], self.plugin.calls)

    def test_deadline_passing_during_create_rolls_it_back(self):
        # The deadline passes while the plugin allocates.
        self.plugin.reserve_hook = lambda: time.sleep(0.3)
        self.assertRaises(exceptions.RequestExpired, self.manager.create_view,
                          self.context, self.values(),
                          deadline=time.time() + 0.1)
        self.assertNothingWritten()

    def test_create_before_the_deadline_happens(self):
        lease_id = self.manager.create_view(self.context, self.values(),
                                            deadline=time.time() + 30)['id']
        self.assertTrue(self.lease_exists(lease_id))

    def test_update_after_the_deadline_changes_nothing(self):
        lease_id = self.create_lease(name='before')
        self.assertRaises(exceptions.RequestExpired, self.manager.update_view,
                          self.context, lease_id, {'name': 'after'},
                          deadline=time.time() - 1)
        lease = self.get_lease(lease_id)
        self.assertEqual('before', lease.name)
        self.assertIsNone(lease.updated_at)

    def test_delete_after_the_deadline_deletes_nothing(self):
        lease_id = self.create_lease()
        self.clear_calls()
        self.assertRaises(exceptions.RequestExpired, self.manager.delete,
                          self.context, lease_id, deadline=time.time() - 1)
        self.assertEqual('PENDING', self.get_lease(lease_id).status)
        self.assertEqual([], self.plugin.calls)


class TestManagerDown(base.TestCase):
    """The API answers 503 when no manager answers, and nothing is
    written."""

    def test_create_without_a_manager_is_503(self):
        self.flags(group='api', rpc_timeout=1)
        app = api_app.setup_app()
        req = webob.Request.blank('/v1/leases', method='POST', headers={
            'X-User-Id': 'u', 'X-Project-Id': 'p', 'X-Roles': 'member'})
        req.content_type = 'application/json'
        req.body = (b'{"name": "x", "start_date": "2099-01-01 10:00", '
                    b'"end_date": "2099-01-02 10:00"}')
        resp = req.get_response(app)
        self.assertEqual(503, resp.status_int)
        self.assertEqual(503, resp.json['error_code'])
        self.assertIn(self.conf.manager.topic, resp.json['error_message'])
        with db.reader() as session:
            self.assertEqual([], list(session.scalars(
                sa.select(models.Lease))))
