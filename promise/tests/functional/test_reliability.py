"""Promise survives what breaks in production: a manager killed in the
middle of lease events, the message broker going away, the database going
away.

Each test builds its own deployment (real promise-api, two real
promise-managers, real databases and RabbitMQ). The broker and the database
that a test stops are private servers of that test (servers.py): the
machine's shared ones stay up for everyone else.
"""

import collections
import datetime
import time

import sqlalchemy as sa
from testtools import content

from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures
from promise.tests.functional import servers

TABLES = ('leases', 'reservations', 'events')
RPC_TIMEOUT = 5
# A write while the broker or the database is away must fail fast: the
# API's RPC timeout plus generous room for a busy machine.
FAST = RPC_TIMEOUT + 10


class _ReliabilityTestCase(base.FunctionalTestCase):
    """Each test deploys, and breaks, a Promise of its own."""

    START_SERVICES = False

    @classmethod
    def setUpClass(cls):
        # No deployment per class: see deploy().
        super(base.FunctionalTestCase, cls).setUpClass()

    def deploy_with_slow_nova(self, delay):
        """A deployment whose Nova takes ``delay`` seconds per call, with
        claims of CLAIM_TIMEOUT; only events are under test, so the
        periodic passes that would ask Nova (or Placement) about everything
        stay off."""
        nova = self.useFixture(servers.FakeNova(delay=delay))
        overrides = dict(nova.config())
        overrides.update({
            'manager.event_claim_timeout': self.CLAIM_TIMEOUT,
            'manager.health_interval': 0,
            'manager.usage_interval': 0,
            'manager.capacity_interval': 0,
        })
        return nova, self.deploy(self.BACKEND, **overrides)

    def deploy(self, backend, **kwargs):
        self.deployment = self.useFixture(
            func_fixtures.Deployment(backend, **kwargs))
        self._log_offsets = {}
        self.addOnException(self._attach_once)
        return self.deployment

    def _attach_once(self, exc_info):
        # A failing cleanup calls this again after the logs are gone.
        if not getattr(self, '_logs_attached', False):
            self._logs_attached = True
            self._attach_logs(exc_info)

    def use_server(self, server):
        """A private server that a test may stop; its log on failure."""
        self.useFixture(server)
        self.addOnException(lambda exc_info: self.addDetail(
            'log:' + type(server).__name__,
            content.text_content(func_fixtures.tail(server.log_path))))
        return server

    def restart_for_cleanup(self, server):
        """Up again before the deployment's cleanup drops its database,
        whatever the test did (call after deploy())."""
        self.addCleanup(lambda: server.answers() or server.start())

    def tomorrow_lease(self, name):
        """A lease none of whose events falls due during the test."""
        now = base.utcnow()
        return self.create_lease(
            name=name, start=base.api_date(now + datetime.timedelta(days=1)),
            end=base.api_date(now + datetime.timedelta(days=2)))

    def timed_post(self, name):
        body = {'name': name, 'start_date': 'now',
                'end_date': base.api_date(base.utcnow() +
                                          datetime.timedelta(days=1))}
        started = time.monotonic()
        resp = self.request('POST', '/v1/leases', json=body,
                            timeout=FAST * 3)
        return resp, time.monotonic() - started

    def write_until_accepted(self, prefix, timeout):
        """POST until one is accepted (the outage is over); returns the
        lease and the names of the attempts that were refused."""
        refused = []

        def attempt():
            name = '%s-%d' % (prefix, len(refused))
            resp, _ = self.timed_post(name)
            if resp.status_code == 201:
                return resp.json()['lease']
            self.assertBlazarError(resp, 503)
            refused.append(name)
            time.sleep(1)
            return None

        lease = func_fixtures.wait_for(attempt, timeout, interval=0,
                                       what='a write to be accepted again')
        return lease, refused

    def assertNoneNamed(self, names):
        existing = {lease['name'] for lease in self.list_leases()}
        self.assertEqual(set(), existing & set(names),
                         'refused requests were carried out after all')

    def _add_hosts(self):
        self.insert_hosts(range(1, self.HOSTS + 1))

    def _host_lease(self, name, start, end):
        resp = self.request('POST', '/v1/leases', json={
            'name': name, 'start_date': start, 'end_date': end,
            'events': [],
            'reservations': [{'resource_type': 'physical:host',
                              'min': '1', 'max': '1',
                              'hypervisor_properties': '',
                              'resource_properties': ''}]})
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()['lease']['id']

    def _claims(self):
        with self.deployment.db.engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT id, claimed_by FROM events "
                "WHERE status = 'IN_PROGRESS'")).fetchall()


class KillManagerTests:
    """kill -9 of a manager in the middle of starting and ending leases.

    Twelve host leases on six hosts: six start now and end at the next
    minute boundary M1, six start at M1 and end at M2, a minute later, so
    six ends and six starts fall due together at M1. Nova is a fake whose
    every call takes a while, so each start and end is in progress for a
    few seconds; the test kills (SIGKILL) the manager that holds the most
    claims while they run and starts it again at once. Its claims expire
    after [manager] event_claim_timeout and are taken over.
    """

    HOSTS = 6
    CLAIM_TIMEOUT = 30

    def test_killed_manager_events_run_exactly_once(self):
        nova, deployment = self.deploy_with_slow_nova(0.3)
        notifications = self.useFixture(func_fixtures.NotificationCollector(
            deployment.config.notification_topic))
        func_fixtures.wait_for(
            lambda: func_fixtures.consumer_count(
                deployment.config.notification_topic + '.info') >= 1,
            30, what='the notification listener')
        self._add_hosts()

        now = base.utcnow()
        m1 = now.replace(second=0, microsecond=0) + datetime.timedelta(
            minutes=1)
        if (m1 - now).total_seconds() < 30:
            # Leave the first starts time to finish before M1.
            m1 += datetime.timedelta(minutes=1)
        m2 = m1 + datetime.timedelta(minutes=1)
        ids = [self._host_lease('first-%d' % i, 'now', base.api_date(m1))
               for i in range(self.HOSTS)]
        ids += [self._host_lease('second-%d' % i, base.api_date(m1),
                                 base.api_date(m2))
                for i in range(self.HOSTS)]

        # At M1 (not before: the first starts are running now), wait
        # until the managers are busy, then kill the one that holds the
        # most claims.
        pids = {str(m.process.pid): m for m in deployment.managers}
        time.sleep(max(0, (m1 - base.utcnow()).total_seconds()))

        def busy():
            claims = self._claims()
            holders = collections.Counter(
                owner.rsplit(':', 1)[-1] for _, owner in claims)
            if sum(holders.values()) >= 4:
                return claims, holders
            return None

        claims, holders = func_fixtures.wait_for(
            busy, (m1 - base.utcnow()).total_seconds() + 60, interval=0.05,
            what='events in progress at M1')
        victim_pid = holders.most_common(1)[0][0]
        victim = pids[victim_pid]
        victim.kill()
        # Claimed by the victim and not finished once it is dead: an event
        # it finished just before the kill keeps its claimed_by.
        orphans = {event_id for event_id, owner in self._claims()
                   if owner.endswith(':' + victim_pid)}
        self.assertTrue(orphans)
        self.addDetail('killed', content.text_content(
            '%s holding %d of %d claims' % (victim.tag, len(orphans),
                                            len(claims))))
        victim.start()

        # Everything ends: M2, plus the claim timeout if an end was among
        # the orphans, plus room.
        # The lease is TERMINATED a moment before its end event is marked
        # DONE (the notifications go out in between): wait for both.
        def all_terminated():
            if not all(self.get_lease(i)['status'] == 'TERMINATED'
                       for i in ids):
                return False
            with deployment.db.engine.connect() as conn:
                return not conn.execute(sa.text(
                    "SELECT count(*) FROM events WHERE status != 'DONE'"
                )).scalar()
        func_fixtures.wait_for(
            all_terminated,
            (m2 - base.utcnow()).total_seconds() + self.CLAIM_TIMEOUT + 90,
            interval=2, what='every lease to terminate')
        for service in deployment.services:
            service.check_running()

        # Every event ran and is DONE, once: the orphans by someone else.
        with deployment.db.engine.connect() as conn:
            events = conn.execute(sa.text(
                'SELECT id, lease_id, event_type, status, claimed_by '
                'FROM events')).fetchall()
        self.assertEqual(3 * len(ids), len(events))
        for event in events:
            self.assertEqual('DONE', event.status, event)
            if event.id in orphans:
                self.assertFalse(event.claimed_by.endswith(':' + victim_pid),
                                 event)
        self.assertEqual(
            {(i, t) for i in ids
             for t in ('start_lease', 'before_end_lease', 'end_lease')},
            {(e.lease_id, e.event_type) for e in events})

        # One start and one end notification per lease; wait a little so a
        # late duplicate would show up too.
        def counted():
            got = collections.Counter()
            for n in notifications.events('lease.event.'):
                got[(n['payload']['lease_id'],
                     n['event_type'][len('lease.event.'):])] += 1
            return got
        expected = {(i, t): 1 for i in ids
                    for t in ('start_lease', 'end_lease')}
        func_fixtures.wait_for(
            lambda: all(counted()[k] for k in expected), 30,
            what='a start and an end notification of every lease')
        time.sleep(3)
        got = counted()
        self.assertEqual(expected, {k: got[k] for k in got
                                    if k[1] != 'before_end_lease'})

        # No host is stranded: every host is back in Nova's free pool and
        # no reservation aggregate is left; in the database every
        # reservation is over and no host is allocated twice at once.
        self.assertEqual(
            {'freepool': ['compute%d' % i
                          for i in range(1, self.HOSTS + 1)]},
            nova.hosts_by_aggregate())
        with deployment.db.engine.connect() as conn:
            statuses = conn.execute(sa.text(
                'SELECT status, COUNT(*) FROM reservations '
                'GROUP BY status')).fetchall()
            overlaps = self.overlapping_host_allocations(conn)
            unfinished = conn.execute(sa.text(
                'SELECT COUNT(*) FROM host_allocations '
                'WHERE end_date > :now'), {'now': base.utcnow()}).scalar()
        self.assertEqual([('deleted', len(ids))],
                         [tuple(row) for row in statuses])
        self.assertEqual([], overlaps)
        self.assertEqual(0, unfinished)


class TestKillManagerMySQL(KillManagerTests, base.MySQLMixin,
                           _ReliabilityTestCase):
    pass


class TestKillManagerPostgreSQL(KillManagerTests, base.PostgreSQLMixin,
                                _ReliabilityTestCase):
    pass


class TestSlowNovaMySQL(base.MySQLMixin, _ReliabilityTestCase):
    """Two managers, and a Nova so slow that starting a lease takes longer
    than a claim lasts: the manager running a start keeps its claim, so
    the other never runs it a second time (counted in both logs)."""

    HOSTS = 2
    CLAIM_TIMEOUT = 30

    def test_a_start_slower_than_the_claim_runs_once(self):
        nova, deployment = self.deploy_with_slow_nova(8)
        self._add_hosts()
        began = time.monotonic()
        end = base.api_date(base.utcnow() + datetime.timedelta(hours=1))
        ids = [self._host_lease('slow-%d' % i, 'now', end)
               for i in range(self.HOSTS)]

        def started():
            with deployment.db.engine.connect() as conn:
                return not conn.execute(sa.text(
                    "SELECT count(*) FROM events WHERE event_type = "
                    "'start_lease' AND status != 'DONE'")).scalar()
        func_fixtures.wait_for(started, 300, interval=1,
                               what='every start to finish')
        took = time.monotonic() - began
        # The claims really were outlived (else this proves nothing).
        self.assertGreater(took, self.CLAIM_TIMEOUT)
        for lease_id in ids:
            self.assertEqual('ACTIVE', self.get_lease(lease_id)['status'])
        # A little longer, so that a late second run would show too.
        time.sleep(5)
        runs = collections.Counter()
        for manager in deployment.managers:
            with open(manager.log_path) as log:
                text = log.read()
            for lease_id in ids:
                runs[lease_id] += text.count(
                    'Running start_lease of lease %s' % lease_id)
        self.assertEqual({i: 1 for i in ids}, dict(runs))
        for service in deployment.services:
            service.check_running()


class TestBrokerDown(_ReliabilityTestCase):
    """The RabbitMQ node goes away and comes back."""

    def test_broker_outage(self):
        broker = self.use_server(servers.PrivateRabbitMQ())
        deployment = self.deploy('mysql', broker=broker,
                                 rpc_timeout=RPC_TIMEOUT)
        self.restart_for_cleanup(broker)
        kept = self.tomorrow_lease('before-outage')
        before = deployment.db.rows(*TABLES)
        listed = self.list_leases()

        broker.stop()
        refused = []

        def refused_fast(name):
            resp, took = self.timed_post(name)
            body = self.assertBlazarError(resp, 503)
            self.assertIn('not carried out', body['error_message'])
            self.assertLess(took, FAST, '503 took %.1fs' % took)
            self.addDetail('503-seconds-%s' % name,
                           content.text_content('%.2f' % took))
            refused.append(name)

        for i in range(3):
            refused_fast('during-outage-%d' % i)
        # An API process that starts during the outage has no reply queue
        # yet, and opening one waits for the broker forever.
        deployment.api.stop()
        deployment.api.start()
        deployment.wait_healthy()
        for i in range(2):
            refused_fast('fresh-api-during-outage-%d' % i)
        # Reads need only the database.
        self.assertEqual(listed, self.list_leases())
        self.assertEqual('before-outage', self.get_lease(kept['id'])['name'])
        self.assertEqual(before, deployment.db.rows(*TABLES))
        for service in deployment.services:
            service.check_running()

        broker.start()
        lease, more = self.write_until_accepted('after-outage', 180)
        self.assertEqual(lease['name'], self.get_lease(lease['id'])['name'])
        deployment.wait_managers(2)
        for service in deployment.services:
            service.check_running()
        self.assertNoneNamed(refused + more)
        # Only the accepted lease was added.
        after = deployment.db.rows('leases')['leases']
        self.assertEqual(len(before['leases']) + 1, len(after))


class TestDatabaseDown(_ReliabilityTestCase):
    """The PostgreSQL server goes away and comes back."""

    def test_database_outage(self):
        server = self.use_server(servers.PrivatePostgreSQL())
        deployment = self.deploy('postgresql', db_server=server,
                                 rpc_timeout=RPC_TIMEOUT)
        self.restart_for_cleanup(server)
        kept = self.tomorrow_lease('before-outage')
        before = deployment.db.rows(*TABLES)

        server.stop()
        refused = []
        for i in range(3):
            name = 'during-outage-%d' % i
            resp, took = self.timed_post(name)
            self.assertBlazarError(
                resp, 503, 'The database cannot be reached; try again later.')
            self.assertLess(took, FAST, '503 took %.1fs' % took)
            self.addDetail('503-seconds-%d' % i,
                           content.text_content('%.2f' % took))
            refused.append(name)
        for path, roles in (('/v1/leases', 'member'),
                            ('/v1/leases/%s' % kept['id'], 'member'),
                            ('/v1/os-hosts', 'admin')):
            started = time.monotonic()
            resp = self.request('GET', path, roles=roles, timeout=FAST * 3)
            self.assertBlazarError(
                resp, 503, 'The database cannot be reached; try again later.')
            self.assertLess(time.monotonic() - started, FAST)
        # The managers' event loops keep failing to scan meanwhile; they
        # must survive that.
        time.sleep(3)
        for service in deployment.services:
            service.check_running()

        server.start()
        # Nothing was half-written.
        func_fixtures.wait_for(server.answers, 30, what='PostgreSQL back')
        self.assertEqual(before, deployment.db.rows(*TABLES))
        lease, more = self.write_until_accepted('after-outage', 120)
        self.assertEqual(lease['name'], self.get_lease(lease['id'])['name'])
        self.assertEqual('before-outage', self.get_lease(kept['id'])['name'])
        for service in deployment.services:
            service.check_running()
        self.assertNoneNamed(refused + more)
        self.assertEqual(len(before['leases']) + 1,
                         len(deployment.db.rows('leases')['leases']))
