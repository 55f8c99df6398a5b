"""The lease view promise-manager answers creates and updates with is the
one a later read shows, and a page of leases loads only what it shows."""

from oslo_serialization import jsonutils
import sqlalchemy as sa

from promise.api.controllers.v1 import leases as controller
from promise.common import views
from promise.db import api as db
from promise.db import leases as lease_db
from promise.tests.unit import base
from promise.tests.unit import fakes


class TestLeaseView(base.LeaseTestCase):

    def values(self, name='viewed', reservations=2):
        now = base.utcnow()
        return {'name': name, 'start_date': now + base.hours(24),
                'end_date': now + base.hours(48),
                'reservations': [{'resource_type': fakes.RESOURCE_TYPE,
                                  'size': i} for i in range(reservations)]}

    def read(self, lease_id):
        with db.reader() as session:
            return views.lease(lease_db.get(session, lease_id))

    def assertSameWire(self, expected, actual):
        # What the API writes: same keys, same order, same values.
        self.assertEqual(jsonutils.dumps(expected), jsonutils.dumps(actual))

    def test_create_answers_with_what_a_read_shows(self):
        view = self.manager.create_view(self.context, self.values())
        # The plugin changed the reservations after their insert (an
        # UPDATE, so updated_at is set): the answer has that too.
        self.assertTrue(all(r['updated_at'] for r in view['reservations']))
        self.assertEqual(2, len(view['reservations']))
        self.assertEqual(3, len(view['events']))
        self.assertSameWire(self.read(view['id']), view)

    def test_update_answers_with_what_a_read_shows(self):
        lease_id = self.create_lease()
        view = self.manager.update_view(self.context, lease_id,
                                        {'name': 'renamed',
                                         'end_date': base.utcnow() +
                                         base.hours(72)})
        self.assertEqual('renamed', view['name'])
        self.assertIsNotNone(view['updated_at'])
        self.assertSameWire(self.read(lease_id), view)

    def test_api_reads_the_lease_when_an_older_manager_answers_an_id(self):
        # RPC 1.0 managers answer create_lease / update_lease with the id.
        lease_id = self.create_lease()
        self.assertSameWire(self.read(lease_id), controller._render(lease_id))
        view = self.read(lease_id)
        self.assertIs(view, controller._render(view))

    def test_create_and_update_still_return_the_id(self):
        lease_id = self.create_lease()
        self.assertEqual(lease_id, self.manager.update_view(
            self.context, lease_id, {'name': 'again'})['id'])


class TestListLoads(base.LeaseTestCase):

    def count_selects(self, func):
        statements = []

        def record(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith('SELECT'):
                statements.append(statement)
        engine = db.get_engine()
        sa.event.listen(engine, 'before_cursor_execute', record)
        try:
            result = func()
        finally:
            sa.event.remove(engine, 'before_cursor_execute', record)
        return result, statements

    def test_page_is_four_statements_and_shows_the_same(self):
        ids = [self.create_lease(name='l%d' % i, reservations=2)
               for i in range(5)]

        def page():
            with db.reader() as session:
                return [views.lease(lease) for lease in
                        lease_db.list_(session, limit=100,
                                       all_projects=True)]
        shown, statements = self.count_selects(page)
        # leases, reservations (with their detail rows), usage, events;
        # not one per reservation detail type nor the allocations.
        self.assertEqual(4, len(statements), statements)
        self.assertEqual(sorted(ids), sorted(v['id'] for v in shown))
        for view in shown:
            self.assertSameWire(
                views.lease(self._full(view['id'])), view)

    def test_view_get_shows_the_same_as_a_full_get(self):
        lease_id = self.create_lease(reservations=3)
        with db.reader() as session:
            view = views.lease(lease_db.get(session, lease_id, view=True))
        self.assertEqual(views.lease(self._full(lease_id)), view)

    def _full(self, lease_id):
        with db.reader() as session:
            return lease_db.get(session, lease_id)

    def assertSameWire(self, expected, actual):
        self.assertEqual(jsonutils.dumps(expected), jsonutils.dumps(actual))
