"""Offers against the real cloud: a host lease that does not fit is answered
409 with the most that fits and the earliest windows that do, the first of
which books right away; /leases/check answers the same and writes nothing.

The expectations are derived independently: the test reads the raw host
allocations of its own two hosts from Promise's database and scans start
minutes itself.
"""

import datetime
import json
import uuid

import sqlalchemy as sa

from promise.tests.cloud import test_host_reservations as base

MIN = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def out(value):
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f')


class TestOffers(base.HostReservationBase):

    def setUp(self):
        super().setUp()
        self.engine = self.promise_db()
        names, ids = self.register_free(2)
        self.host_ids = [int(ids[n]) for n in names]
        # Other tests' hosts must not change the answer.
        self.only = json.dumps(['or'] + [['==', '$hypervisor_hostname', n]
                                         for n in names])

    def body(self, start, end, count):
        return {'name': 'offer-%s' % uuid.uuid4().hex[:6],
                'start_date': base.minute(start),
                'end_date': base.minute(end),
                'reservations': [{'resource_type': 'physical:host',
                                  'min': count, 'max': count,
                                  'hypervisor_properties': self.only}]}

    def lease(self, start, end, count):
        resp = self.promise('POST', '/leases', who='demo',
                            json=self.body(start, end, count))
        self.assertEqual(201, resp.status_code, resp.text)
        lease = resp.json()['lease']
        self.addCleanup(self.delete_until_gone, '/leases/%s' % lease['id'],
                        who='demo')
        return lease

    def row_counts(self):
        with self.engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            # sa.table quotes names such as "usage" (reserved in MySQL).
            return {t: conn.execute(sa.select(sa.func.count()).select_from(
                sa.table(t))).scalar() for t in tables}

    def busy(self):
        """[(start, end)] of every allocation of the test's hosts."""
        with self.engine.connect() as conn:
            return [(r.start_date, r.end_date) for r in conn.execute(
                sa.text('SELECT host_id, start_date, end_date FROM '
                        'host_allocations')) if r.host_id in self.host_ids]

    def brute_force(self, start, end, count):
        """(hosts free over the whole window, earliest start at or after
        `start` where `count` hosts are free for the same duration)."""
        busy = self.busy()

        def free_over(s, e):
            # Hosts are interchangeable for min = max reservations: what
            # matters is how many are busy at the worst moment.
            worst = 0
            moment = s
            while moment < e:
                worst = max(worst, sum(1 for a, b in busy
                                       if a <= moment < b))
                moment += MIN
            return len(self.host_ids) - worst

        most = free_over(start, end)
        moment = start
        while free_over(moment, moment + (end - start)) < count:
            moment += MIN
        return most, moment

    def test_offer_books_and_check_writes_nothing(self):
        t0 = (base.utcnow() + datetime.timedelta(days=2)).replace(
            second=0, microsecond=0)
        self.lease(t0, t0 + 2 * HOUR, 1)
        self.lease(t0 + 3 * HOUR, t0 + 4 * HOUR, 1)
        start, end = t0 + HOUR, t0 + 3 * HOUR
        most, earliest = self.brute_force(start, end, 2)
        before = self.row_counts()
        leases_before = self.promise('GET', '/leases', who='demo').json()

        resp = self.promise('POST', '/leases', who='demo',
                            json=self.body(start, end, 2))
        self.assertEqual(409, resp.status_code, resp.text)
        refused = resp.json()
        self.assertEqual(409, refused['error_code'])
        self.assertIn('Not enough hosts available',
                      refused['error_message'])
        self.assertEqual([most], refused['max_reservable'])
        alternatives = refused['alternatives']
        self.assertTrue(alternatives, refused)
        self.assertLessEqual(len(alternatives), 3)
        self.assertEqual({'start_date': out(earliest),
                          'end_date': out(earliest + (end - start))},
                         alternatives[0])
        starts = [a['start_date'] for a in alternatives]
        self.assertEqual(sorted(starts), starts)
        for alt in alternatives:
            s = datetime.datetime.strptime(alt['start_date'],
                                           '%Y-%m-%dT%H:%M:%S.%f')
            # Every offered window really has both hosts free throughout.
            self.assertEqual(2, self.brute_force(s, s + (end - start), 2)[0])
        self.assertEqual(before, self.row_counts())

        # The offer step gives the same answer and stores nothing.
        resp = self.promise('POST', '/leases/check', who='demo',
                            json=self.body(start, end, 2))
        self.assertEqual(200, resp.status_code, resp.text)
        offer = resp.json()
        self.assertFalse(offer['feasible'])
        self.assertEqual(refused['max_reservable'], offer['max_reservable'])
        self.assertEqual(alternatives, offer['alternatives'])
        self.assertEqual(before, self.row_counts())
        self.assertEqual(leases_before,
                         self.promise('GET', '/leases', who='demo').json())

        # Booking the first alternative right away succeeds, on both hosts.
        booked = self.lease(earliest, earliest + (end - start), 2)
        self.assertEqual('PENDING', booked['status'])
        resp = self.promise('GET', '/os-hosts/allocations?lease_id=%s'
                            % booked['id'])
        # Every registered host is listed, as Blazar lists them (other
        # tests' too); the lease's are those with a reservation in it.
        self.assertEqual(sorted(self.host_ids), sorted(
            int(a['resource_id']) for a in resp.json()['allocations']
            if a['reservations']))
