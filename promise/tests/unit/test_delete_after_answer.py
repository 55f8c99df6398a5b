"""Deleting a lease that never started answers without waiting for Nova:
the rows go in the request, and what the reservation prepared in Nova and
Placement is removed afterwards, from what was read before the rows went,
and never before the preparation that made it has finished (Nova and
Placement are the unit tier's fakes)."""

import threading

from promise.db import api as db
from promise.db import leases as lease_db
from promise import exceptions
from promise.tests.unit import test_instance_plugin as base

WAIT = 30


class Gate:
    """Holds every call of one fake method until opened."""

    def __init__(self, obj, name):
        self.opened = threading.Event()
        self.entered = threading.Event()
        original = getattr(obj, name)

        def held(*args, **kwargs):
            self.entered.set()
            if not self.opened.wait(WAIT):
                raise RuntimeError('gate never opened')
            return original(*args, **kwargs)
        setattr(obj, name, held)


class TestDeleteAfterAnswer(base.InstancePluginTestCase):

    def _delete(self, lease_id):
        """Runs the delete in a thread; True when it answered in time."""
        done = threading.Event()
        errors = []

        def run():
            try:
                self.manager.delete(self.context, lease_id)
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)
            done.set()
        threading.Thread(target=run, daemon=True).start()
        answered = done.wait(WAIT)
        self.assertEqual([], errors)
        return answered

    def _gone(self, lease_id):
        with db.reader() as session:
            self.assertRaises(exceptions.NotFound, lease_db.get, session,
                              lease_id)

    def test_nova_clean_up_runs_after_the_answer(self):
        lease_id = self.create([self.instance(amount=2, affinity=True)])
        res_id = self.lease(lease_id).reservations[0].id
        self.assertIn(res_id, self.nova.flavors)
        self.assertTrue(self.nova.groups)
        gate = Gate(self.nova, 'servers_with_flavor')

        self.assertTrue(self._delete(lease_id))
        # Answered and the rows gone while Nova is still held.
        self._gone(lease_id)
        self.assertTrue(gate.entered.wait(WAIT))
        self.assertIn(res_id, self.nova.flavors)

        gate.opened.set()
        self.manager.drain()
        self.assertNotIn(res_id, self.nova.flavors)
        # The group id and the hosts were read before the rows went.
        self.assertEqual({}, self.nova.groups)
        self.assertNotIn(res_id, self.nova.aggregates)

    def test_clean_up_waits_for_the_preparation(self):
        gate = Gate(self.nova, 'ensure_flavor')
        now = base.base.utcnow()
        values = {'name': 'lease',
                  'start_date': base.base.minute(now) + 2 * base.HOUR,
                  'end_date': base.base.minute(now) + 4 * base.HOUR,
                  'reservations': [self.plugin.resolve(
                      self.context, self.instance(amount=1))]}
        lease_id = self.manager.create_view(self.context, values)['id']
        self.assertTrue(gate.entered.wait(WAIT))
        # Deleted while the preparation is making the flavor.
        self.assertTrue(self._delete(lease_id))
        self._gone(lease_id)
        gate.opened.set()
        self.manager.drain()
        self.assertEqual({}, self.nova.flavors)
        self.assertIn('delete_flavor', [c[0] for c in self.nova.calls])
