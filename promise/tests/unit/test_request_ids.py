# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""Request ids that follow the work: the caller's global request id goes
on to Nova and Placement, and each periodic pass has an id of its own."""

import threading
import uuid

from keystoneauth1 import session as ks_session
from oslo_context import context as o_context
from requests_mock.contrib import fixture as rm_fixture
import webob

from promise.api.middleware import context as context_mw
from promise.clients import keystone
from promise.common import periodic
from promise import context
from promise.tests.unit import base
from promise.tests import utils

NOVA = 'http://nova.example.test/v2.1'
HEADER = 'X-OpenStack-Request-ID'


class TestForwarding(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(base.ConfFixture())
        self.mock = self.useFixture(rm_fixture.Fixture())
        self.mock.get(NOVA + '/servers', json={'servers': []})
        self.addCleanup(self._clear_store)

    @staticmethod
    def _clear_store():
        if hasattr(o_context._request_store, 'context'):
            del o_context._request_store.context

    def sent(self):
        return self.mock.last_request.headers.get(HEADER)

    def test_callers_global_request_id_is_forwarded(self):
        gid = 'req-%s' % uuid.uuid4()
        context.RequestContext(global_request_id=gid)
        keystone.ForwardingSession().get(NOVA + '/servers')
        self.assertEqual(gid, self.sent())

    def test_own_request_id_without_a_global_one(self):
        ctx = context.RequestContext()
        keystone.ForwardingSession().get(NOVA + '/servers')
        self.assertEqual(ctx.request_id, self.sent())

    def test_nothing_outside_a_request(self):
        self._clear_store()
        keystone.ForwardingSession().get(NOVA + '/servers')
        self.assertIsNone(self.sent())

    def test_explicit_id_wins(self):
        context.RequestContext(global_request_id='req-%s' % uuid.uuid4())
        keystone.ForwardingSession().get(NOVA + '/servers',
                                         global_request_id='req-given')
        self.assertEqual('req-given', self.sent())

    def test_configured_session_forwards(self):
        self.conf = base.CONF
        self.conf.set_override('auth_type', 'none', group='nova')
        keystone.reset()
        self.addCleanup(keystone.reset)
        sess = keystone.session('nova')
        self.assertIsInstance(sess, keystone.ForwardingSession)
        self.assertIsInstance(sess, ks_session.Session)
        ctx = context.RequestContext()
        sess.get(NOVA + '/servers')
        self.assertEqual(ctx.request_id, self.sent())


class TestAcceptedInNoauth(base.TestCase):

    def test_noauth_context_carries_global_request_id(self):
        self.useFixture(base.ConfFixture())
        seen = {}

        def app(environ, start_response):
            seen['ctx'] = environ[context_mw.ENV_KEY]
            start_response('204 No Content', [])
            return []

        gid = 'req-%s' % uuid.uuid4()
        req = webob.Request.blank('/v1/leases')
        req.environ['openstack.request_id'] = 'req-local'
        req.environ['openstack.global_request_id'] = gid
        req.get_response(context_mw.NoAuthContext(app))
        self.assertEqual(gid, seen['ctx'].global_request_id)
        self.assertEqual('req-local', seen['ctx'].request_id)


class TestPeriodicRequestIds(base.TestCase):

    def test_each_pass_has_a_fresh_request_id(self):
        ids = []
        lock = threading.Lock()

        def func():
            with lock:
                ids.append(o_context.get_current().request_id)

        task = periodic.Periodic('ids', 0.01, func)
        task.start()
        self.addCleanup(task.wait)
        self.addCleanup(task.stop)
        utils.wait_for(lambda: len(ids) >= 3, what='three passes')
        task.stop()
        task.wait()
        self.assertEqual(len(ids), len(set(ids)), ids)
        for rid in ids:
            self.assertTrue(rid.startswith('req-'), rid)
