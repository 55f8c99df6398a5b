"""Without [nova] credentials (promise-all trying host leases on fake
hosts) a lease runs in Promise alone: each plugin step that would need
Nova is skipped, once said at start, instead of sending the lease to
ERROR. Any other failure still does."""

from promise.db import api as db
from promise.db import leases as lease_db
from promise import exceptions
from promise import status
from promise.tests.unit import base
from promise.tests.unit import fakes


class NotConfiguredPlugin(fakes.RecordingPlugin):

    def _record(self, method, lease, reservation, *extra):
        super()._record(method, lease, reservation, *extra)
        if method in ('prepare', 'on_start', 'on_end'):
            raise exceptions.ServiceNotConfigured(reason='no [nova]')


class TestWithoutNova(base.LeaseTestCase):

    def status(self, lease_id):
        with db.reader() as session:
            return lease_db.get(session, lease_id).status

    def test_a_lease_starts_and_ends_without_nova(self):
        self.plugin = NotConfiguredPlugin()
        self.set_plugins({fakes.RESOURCE_TYPE: self.plugin})
        lease_id = self.create_lease()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        self.assertEqual(status.ACTIVE, self.status(lease_id))
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.END))
        self.assertEqual(status.TERMINATED, self.status(lease_id))
        self.assertEqual(['reserve', 'prepare', 'prepare', 'on_start',
                          'on_end'], [c[0] for c in self.plugin.calls])

    def test_other_failures_still_send_the_lease_to_error(self):
        self.plugin = fakes.RecordingPlugin(fail={'on_start': 'Nova 500'})
        self.set_plugins({fakes.RESOURCE_TYPE: self.plugin})
        lease_id = self.create_lease()
        self.assertRaises(RuntimeError, self.manager.run_event,
                          fakes.DueEvent(lease_id, fakes.START))
        self.assertEqual(status.ERROR, self.status(lease_id))
