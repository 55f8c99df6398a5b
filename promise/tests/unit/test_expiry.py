"""Reservations with an expiry are released when nothing ran in them."""

import datetime

from promise.db import api as db
from promise.db import models
from promise.manager import reclaim
from promise.tests.unit import base
from promise.tests.unit import fakes


class TestExpiry(base.LeaseTestCase):

    def started_lease(self, expiry, minutes_ago=30):
        now = base.utcnow()
        lease_id = self.manager.create_view(self.context, {
            'name': 'exp', 'start_date': now,
            'end_date': now + base.hours(2),
            'reservations': [{'resource_type': fakes.RESOURCE_TYPE,
                              'expiry': expiry}]})['id']
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        with db.writer() as session:
            lease = session.get(models.Lease, lease_id)
            lease.start_date = now - datetime.timedelta(minutes=minutes_ago)
        return lease_id

    def reservation(self, lease_id):
        return self.get_lease(lease_id).reservations[0]

    def test_unused_reservation_is_released_after_its_expiry(self):
        lease_id = self.started_lease(expiry=20)
        res_id = self.reservation(lease_id).id
        self.clear_calls()
        self.assertEqual([res_id], reclaim.expire_unused())
        self.assertEqual('expired', self.reservation(lease_id).status)
        self.assertEqual(['on_end'], self.plugin.methods())
        self.assertEqual('ACTIVE', self.get_lease(lease_id).status)
        # Once only.
        self.assertEqual([], reclaim.expire_unused())
        # The lease's end does not touch the released reservation again.
        self.clear_calls()
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.END))
        self.assertEqual([], self.plugin.methods())
        self.assertEqual('expired', self.reservation(lease_id).status)
        self.assertEqual('TERMINATED', self.get_lease(lease_id).status)

    def test_used_or_not_yet_due_reservations_stay(self):
        used = self.started_lease(expiry=20)
        early = self.started_lease(expiry=45)
        plain = self.started_lease(expiry=None)
        used_id = self.reservation(used).id
        with db.writer() as session:
            session.add(models.Host(
                id=1, hypervisor_hostname='c1', service_name='c1', vcpus=1,
                memory_mb=1, local_gb=1, reservable=True, generation=0))
            session.flush()
            session.add(models.Usage(
                reservation_id=used_id, host_id=1,
                servers=1, updated_at=base.utcnow()))
        self.assertEqual([], reclaim.expire_unused())
        for lease_id in (used, early, plain):
            self.assertEqual('active', self.reservation(lease_id).status)
        # Past the later deadline, only the unused one goes.
        later = base.utcnow() + datetime.timedelta(minutes=20)
        self.assertEqual([self.reservation(early).id],
                         reclaim.expire_unused(now=later))

    def test_a_failing_release_is_retried(self):
        lease_id = self.started_lease(expiry=1)
        self.plugin.fail['on_end'] = 'Nova is down'
        self.assertEqual([], reclaim.expire_unused())
        self.assertEqual('active', self.reservation(lease_id).status)
        del self.plugin.fail['on_end']
        self.assertEqual(1, len(reclaim.expire_unused()))


class TestExpiryOverflow(base.LeaseTestCase):
    """An expiry too large for date arithmetic (stored before the API
    bounded it, or the largest it accepts) never stops the pass for the
    other reservations."""

    def started_lease(self, expiry):
        now = base.utcnow()
        lease_id = self.manager.create_view(self.context, {
            'name': 'exp', 'start_date': now,
            'end_date': now + base.hours(2),
            'reservations': [{'resource_type': fakes.RESOURCE_TYPE,
                              'expiry': expiry}]})['id']
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        with db.writer() as session:
            lease = session.get(models.Lease, lease_id)
            lease.start_date = now - datetime.timedelta(minutes=30)
        return lease_id

    def test_huge_expiry_is_skipped_and_others_expire(self):
        huge = self.started_lease(expiry=2 ** 31 - 1)
        with db.writer() as session:
            # What an unbounded API let in: start + 10**12 minutes
            # overflows datetime.
            session.get(models.Lease, huge).reservations[0].expiry = 10 ** 12
        normal = self.started_lease(expiry=20)
        normal_res = self.get_lease(normal).reservations[0].id
        self.assertEqual([normal_res], reclaim.expire_unused())
        self.assertEqual(
            'active', self.get_lease(huge).reservations[0].status)

    def test_largest_accepted_expiry_never_expires(self):
        lease_id = self.started_lease(expiry=2 ** 31 - 1)
        self.assertEqual([], reclaim.expire_unused())
        self.assertEqual(
            'active', self.get_lease(lease_id).reservations[0].status)
