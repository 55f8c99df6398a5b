"""With no promise-manager running, a change fails fast with 503 and is
never carried out later, even once a manager comes back."""

import datetime
import time

from promise.tests.functional import base

RPC_TIMEOUT = 4
TABLES = ('leases', 'reservations', 'events')


class ManagerDownTests:

    DEPLOYMENT = {'rpc_timeout': RPC_TIMEOUT}

    def test_create_without_manager_is_503_and_never_happens(self):
        deployment = self.deployment
        # Starts tomorrow: no event of it is due while this test runs, so
        # the rows must stay exactly as they are.
        kept = self.create_lease(
            name='before-outage',
            start=base.api_date(base.utcnow() + datetime.timedelta(days=1)),
            end=base.api_date(base.utcnow() + datetime.timedelta(days=2)))

        for manager in deployment.managers:
            manager.stop()
        deployment.wait_managers(0)
        before = deployment.db.rows(*TABLES)
        listed = self.list_leases()

        started = time.monotonic()
        resp = self.request('POST', '/v1/leases',
                            json={'name': 'during-outage',
                                  'start_date': 'now',
                                  'end_date': base.api_date(
                                      base.utcnow() +
                                      datetime.timedelta(days=1))})
        took = time.monotonic() - started
        body = self.assertBlazarError(resp, 503)
        self.assertIn('promise-manager', body['error_message'])
        self.assertLess(took, RPC_TIMEOUT + 5,
                        '503 took %.1fs, rpc_timeout is %ss'
                        % (took, RPC_TIMEOUT))

        # Reads do not need the manager.
        self.assertEqual(listed, self.list_leases())
        self.assertEqual('before-outage', self.get_lease(kept['id'])['name'])

        # The request may still sit in the RPC queue: a manager that starts
        # now sees it, and must drop it.
        deployment.managers[0].start()
        deployment.wait_managers(1)
        time.sleep(RPC_TIMEOUT + 3)
        deployment.managers[0].check_running()
        self.assertEqual(before, deployment.db.rows(*TABLES))
        names = [lease['name'] for lease in self.list_leases()]
        self.assertNotIn('during-outage', names)

        # And the manager that came back serves new requests.
        after = self.create_lease(name='after-outage')
        self.assertEqual('after-outage', self.get_lease(after['id'])['name'])
        names = [lease['name'] for lease in self.list_leases()]
        self.assertEqual(1, names.count('after-outage'))
        self.assertNotIn('during-outage', names)


class TestManagerDownMySQL(ManagerDownTests, base.MySQLMixin,
                           base.FunctionalTestCase):
    pass


class TestManagerDownPostgreSQL(ManagerDownTests, base.PostgreSQLMixin,
                                base.FunctionalTestCase):
    pass
