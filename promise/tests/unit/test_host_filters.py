"""Property queries narrowed in SQL (promise.db.host_filters) keep every
matching host, and the hosts matched after narrowing are exactly those
properties.matches accepts over all hosts. Random hosts and queries on
SQLite, values chosen where SQL and Python disagree (case, "16" against
"16.0", numbers against words, missing properties)."""

import random

import sqlalchemy as sa

from promise.common import properties
from promise.db import api as db
from promise.db import host_capacity
from promise.db import host_filters
from promise.db import hosts as host_db
from promise.db import models
from promise.plugins.hosts import allocation
from promise.tests.unit import base

VALUES = ['true', 'True', 'false', '16', '16.0', '8', 'a', 'A', 'b', '']
# MariaDB's primary key on (host, name) is blind to case: 'GPU' is only
# ever asked for, never stored beside 'gpu'.
NAMES = ['gpu', 'rack', 'zone']
HYPER = [('hypervisor_hostname', ['c1', 'C1', 'c2', '3']),
         ('hypervisor_type', ['qemu', 'QEMU', '3', 3, 'ironic']),
         ('memory_mb', [1024, '2048', '2048.0', 'x', 1e400]),
         ('availability_zone', ['az1', 'AZ1', 'nova']),
         ('hypervisor_version', [1000, '1000', 'v1'])]
OPS = ['==', '=', '!=', '<', '<=', '>', '>=']


def _leaf(rng, hyper):
    if hyper:
        name, values = rng.choice(HYPER)
        return [rng.choice(OPS), '$' + name, rng.choice(values)]
    return [rng.choice(OPS), '$' + rng.choice(NAMES + ['GPU']),
            rng.choice(VALUES + [16, 8.5, True])]


def _query(rng, hyper, depth=0):
    if depth < 2 and rng.random() < 0.4:
        op = rng.choice(['and', 'or', 'not'])
        if op == 'not':
            return ['not', _query(rng, hyper, depth + 1)]
        return [op] + [_query(rng, hyper, depth + 1)
                       for _ in range(rng.randint(1, 3))]
    return _leaf(rng, hyper)


class NarrowingChecks:
    """The checks, for any database: ``session()`` is a context manager
    that yields a session and commits."""

    def add_hosts(self):
        rng = random.Random(3)
        with self.session() as session:
            for i in range(1, 41):
                host = models.Host(
                    id=i, hypervisor_hostname='c%d' % i,
                    hypervisor_type=rng.choice(['qemu', 'QEMU', '3', 'qemu ',
                                                None]),
                    hypervisor_version=rng.choice([None, 1000, 999]),
                    service_name='c%d' % i, vcpus=4,
                    memory_mb=rng.choice([1024, 2048, 4096]), local_gb=10,
                    availability_zone=rng.choice([None, 'az1', 'AZ1']),
                    reservable=True, generation=0)
                if rng.random() < 0.3:
                    # Shadows the field for virtual:instance queries.
                    host.capabilities.append(models.HostCapability(
                        name='availability_zone',
                        value=rng.choice(['az1', 'AZ1', 'nova'])))
                for name in NAMES:
                    if rng.random() < 0.6:
                        host.capabilities.append(models.HostCapability(
                            name=name, value=rng.choice(VALUES)))
                session.add(host)
                session.flush()

    def _all_hosts(self, session):
        return list(session.scalars(sa.select(models.Host)))

    def test_narrowed_matching_is_exact(self):
        rng = random.Random(11)
        narrowed_some = 0
        for n in range(300):
            hyper = _query(rng, True) if n % 3 else None
            resource = _query(rng, False) if n % 3 != 1 else None
            with self.session() as session:
                expected = set()
                for host in self._all_hosts(session):
                    h, r = host_db.host_properties(host)
                    if (properties.matches(hyper, h) and
                            properties.matches(resource, r)):
                        expected.add(host.id)
                got = {row.id for row in host_capacity.matching_host_rows(
                    session, hyper, resource)}
                self.assertEqual(expected, got, (hyper, resource))
                clause = host_filters.narrowing(hyper, resource)
                if clause is None:
                    continue
                kept = set(session.scalars(
                    sa.select(models.Host.id).where(clause)))
                self.assertLessEqual(expected, kept, (hyper, resource))
                narrowed_some += len(kept) < 40
                # choose() finds the same hosts through its own query.
                free = {h.id for h in allocation.free_hosts(
                    session, base.utcnow(), base.utcnow(), narrow=clause)
                    if allocation._matches(h, hyper, resource)}
                self.assertEqual(expected, free, (hyper, resource))
        # The database did drop hosts for many of the queries.
        self.assertGreater(narrowed_some, 100)

    def test_merged_namespace_keeps_every_match(self):
        # virtual:instance queries see hypervisor fields and capabilities
        # in one dict, a capability over a field of the same name.
        rng = random.Random(5)
        for _ in range(300):
            query = _query(rng, rng.random() < 0.5)
            if rng.random() < 0.3:
                query = ['and', query, _query(rng, True)]
            clause = host_filters.narrowing_merged(query)
            if clause is None:
                continue
            with self.session() as session:
                expected = set()
                for host in self._all_hosts(session):
                    h, r = host_db.host_properties(host)
                    if properties.matches(query, dict(h, **r)):
                        expected.add(host.id)
                kept = set(session.scalars(
                    sa.select(models.Host.id).where(clause)))
            self.assertLessEqual(expected, kept, query)

    def test_equality_on_a_capability_reads_only_candidates(self):
        with self.session() as session:
            clause = host_filters.narrowing(None, ['==', '$gpu', 'true'])
            kept = set(session.scalars(
                sa.select(models.Host.id).where(clause)))
            values = dict(session.execute(
                sa.select(models.HostCapability.host_id,
                          models.HostCapability.value)
                .where(models.HostCapability.name == 'gpu')).all())
        exact = {h for h, v in values.items() if v == 'true'}
        caseless = {h for h, v in values.items() if v.lower() == 'true'}
        # MariaDB keeps 'True' too (its collation); the exact match drops it.
        self.assertTrue(exact <= kept <= caseless, (exact, kept, caseless))
        self.assertLess(len(kept), len(values))


class TestNarrowing(NarrowingChecks, base.TestCase):

    def setUp(self):
        super().setUp()
        self.session = db.writer
        self.add_hosts()
