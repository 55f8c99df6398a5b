"""GET /v1/leases without limit is the whole list, as Blazar answers it:
python-blazarclient and blazar-dashboard follow no paging links, so a list
cut at [api] max_limit would hide leases from them. Paging with limit and
marker still works. Through the real WSGI app (SQLite)."""

import datetime

from oslo_serialization import jsonutils
import webob

from promise.db import api as db
from promise.db import models
from promise.tests.unit import base

COUNT = 2500


class TestWholeList(base.TestCase):

    def setUp(self):
        super().setUp()
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app
        start = datetime.datetime(2099, 1, 1)
        rows = [{'id': '%08d-0000-4000-8000-000000000000' % i,
                 'name': 'l%d' % i, 'project_id': 'p', 'user_id': 'u',
                 'status': 'PENDING', 'degraded': False,
                 'start_date': start, 'end_date': start +
                 datetime.timedelta(hours=1),
                 'created_at': start + datetime.timedelta(seconds=i)}
                for i in range(COUNT)]
        with db.writer() as session:
            session.execute(models.Lease.__table__.insert(), rows)

    def get(self, query=''):
        req = webob.Request.blank('/v1/leases' + query, headers={
            'X-Project-Id': 'p', 'X-User-Id': 'u', 'X-Roles': 'member',
            'Accept': 'application/json'})
        resp = req.get_response(self.app)
        self.assertEqual(200, resp.status_int, resp.text)
        return jsonutils.loads(resp.body)['leases']

    def test_no_limit_is_every_lease(self):
        leases = self.get()
        self.assertEqual(COUNT, len(leases))
        self.assertEqual(COUNT, len({lease['id'] for lease in leases}))

    def test_paging_reaches_them_all(self):
        seen, marker = [], None
        while True:
            page = self.get('?limit=1000' + (
                '&marker=%s' % marker if marker else ''))
            if not page:
                break
            self.assertLessEqual(len(page), 1000)
            seen += [lease['id'] for lease in page]
            marker = page[-1]['id']
        self.assertEqual([lease['id'] for lease in self.get()], seen)

    def test_an_operator_may_still_set_a_default_page(self):
        self.flags(group='api', default_limit=100)
        self.assertEqual(100, len(self.get()))

    def get_at(self, url, version):
        req = webob.Request.blank(url, headers={
            'X-Project-Id': 'p', 'X-User-Id': 'u', 'X-Roles': 'member',
            'Accept': 'application/json',
            'OpenStack-API-Version': 'reservation %s' % version})
        resp = req.get_response(self.app)
        self.assertEqual(200, resp.status_int, resp.text)
        self.assertEqual('reservation %s' % version,
                         resp.headers['OpenStack-API-Version'])
        return jsonutils.loads(resp.body)

    def test_from_1_1_full_pages_link_the_next(self):
        seen, url, pages = [], '/v1/leases?limit=1000&sort_dir=asc', 0
        while url:
            body = self.get_at(url, '1.1')
            seen += [lease['id'] for lease in body['leases']]
            links = body.get('leases_links', [])
            url = links[0]['href'] if links else None
            if url:
                self.assertEqual('next', links[0]['rel'])
                url = url.replace('http://localhost', '')
            pages += 1
        # 1000, 1000, 500 (no link), and every lease once.
        self.assertEqual(3, pages)
        self.assertEqual([lease['id'] for lease in self.get()], seen)

    def test_blazar_clients_at_1_0_get_blazars_body(self):
        body = self.get_at('/v1/leases?limit=10', '1.0')
        self.assertEqual(['leases'], list(body))
        self.assertEqual(10, len(body['leases']))
