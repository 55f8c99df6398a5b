"""virtual:instance and flavor:instance through the LeaseManager, with
in-memory Nova and Placement doubles."""

import datetime
import itertools
import types
from unittest import mock

import sqlalchemy as sa

from promise.clients import placement as placement_client
from promise.db import api as db
from promise.db import models
from promise import exceptions
from promise.manager import leases as lease_manager
from promise.plugins.hosts import plugin as host_plugin
from promise.plugins.instances import fields
from promise.plugins.instances import inventory as instance_inventory
from promise.plugins.instances import nova_objects
from promise.plugins.instances import plugin as instance_plugin
from promise import status
from promise.tests.unit import base
from promise.tests.unit import fakes
from promise.tests.unit import test_offers

HOUR = datetime.timedelta(hours=1)


class FakeNova:
    """The calls the instance plugin makes, on dicts."""

    def __init__(self):
        self.flavors = {}
        self.access = {}
        self.groups = {}
        self.aggregates = {}
        self.servers = {}
        # Preemptible servers by hypervisor hostname.
        self.preemptible = {}
        self.calls = []
        self._group_ids = itertools.count(1)

    def get_flavor(self, flavor_id):
        f = self.flavors.get(flavor_id)
        return None if f is None else types.SimpleNamespace(**f)

    def flavor_projects(self, flavor_id):
        return list(self.access.get(flavor_id, ()))

    def ensure_flavor(self, flavor_id, name, ram, vcpus, disk, extra_specs,
                      ephemeral=0, swap=0):
        f = self.flavors.setdefault(flavor_id, dict(
            id=flavor_id, name=name, ram=ram, vcpus=vcpus, disk=disk,
            swap=swap, is_public=False, extra_specs={}))
        f['extra_specs'].update(extra_specs)
        return types.SimpleNamespace(**f)

    def delete_flavor(self, flavor_id):
        self.calls.append(('delete_flavor', flavor_id))
        self.flavors.pop(flavor_id, None)
        self.access.pop(flavor_id, None)

    def add_flavor_access(self, flavor_id, project_id):
        self.access.setdefault(flavor_id, set()).add(project_id)

    def remove_flavor_access(self, flavor_id, project_id):
        self.access.get(flavor_id, set()).discard(project_id)

    def servers_with_flavor(self, flavor_id):
        return [s for s, f in self.servers.items() if f == flavor_id]

    def delete_servers(self, ids):
        for s in ids:
            self.servers.pop(s, None)
            for borrowers in self.preemptible.values():
                if s in borrowers:
                    borrowers.remove(s)

    def preemptible_servers_on(self, hypervisor_hostname):
        return list(self.preemptible.get(hypervisor_hostname, ()))

    def find_server_groups(self, name):
        return [types.SimpleNamespace(**g) for g in self.groups.values()
                if g['name'] == name]

    def get_server_group(self, group_id):
        g = self.groups.get(group_id)
        return None if g is None else types.SimpleNamespace(**g)

    def create_server_group(self, name, policy):
        gid = 'group-%d' % next(self._group_ids)
        self.groups[gid] = dict(id=gid, name=name, policies=[policy])
        return types.SimpleNamespace(**self.groups[gid])

    def ensure_server_group(self, name, policy, known_id=None):
        if known_id in self.groups:
            return types.SimpleNamespace(**self.groups[known_id])
        found = self.find_server_groups(name)
        if found:
            return found[0]
        gid = 'group-%d' % next(self._group_ids)
        self.groups[gid] = dict(id=gid, name=name, policies=[policy])
        return types.SimpleNamespace(**self.groups[gid])

    def delete_server_group(self, group_id):
        self.calls.append(('delete_server_group', group_id))
        self.groups.pop(group_id, None)

    def find_aggregate(self, name):
        for agg in self.aggregates.values():
            if agg.name == name:
                return agg
        return None

    def ensure_aggregate(self, name, metadata):
        agg = self.find_aggregate(name)
        if agg is None:
            agg = types.SimpleNamespace(id=len(self.aggregates) + 100,
                                        name=name, hosts=[], metadata={})
            self.aggregates[agg.id] = agg
        agg.metadata.update(metadata)
        return agg

    def add_host(self, agg_id, host):
        agg = self.aggregates[agg_id]
        if host not in agg.hosts:
            agg.hosts.append(host)

    def remove_host(self, agg_id, host):
        agg = self.aggregates[agg_id]
        if host in agg.hosts:
            agg.hosts.remove(host)

    def delete_aggregate(self, agg_id):
        self.aggregates.pop(agg_id, None)

    def aggregates_named(self, prefix):
        return [a for a in self.aggregates.values()
                if a.name.startswith(prefix)]

    def find_flavor(self, name_or_id):
        found = self.get_flavor(name_or_id)
        if found is not None:
            return found
        named = [f for f in self.flavors.values() if f['name'] == name_or_id]
        return (types.SimpleNamespace(**named[0]) if len(named) == 1
                else None)

    def flavors_named(self, prefix):
        return {f['id']: f['name'] for f in self.flavors.values()
                if f['name'].startswith(prefix)}


class FakePlacement:

    def __init__(self, capacity=None):
        # provider uuid -> {name, parent, inventories}
        self.providers = {}
        self.classes = set()
        self.capacity_by_uuid = capacity or {}
        self.conflicts = 0

    def add_root(self, uuid, name):
        self.providers[uuid] = {'uuid': uuid, 'name': name, 'parent': None,
                                'inv': {}}

    def find_provider(self, name):
        for p in self.providers.values():
            if p['name'] == name:
                return p
        return None

    def get_provider(self, uuid):
        return self.providers.get(uuid)

    def capacity(self, uuid):
        return self.capacity_by_uuid[uuid]

    def ensure_resource_class(self, name):
        self.classes.add(name)

    def delete_resource_class(self, name):
        for p in self.providers.values():
            assert name not in p['inv'], 'resource class in use'
        self.classes.discard(name)

    def ensure_child_provider(self, uuid, name, parent):
        assert parent in self.providers
        self.providers.setdefault(uuid, {'uuid': uuid, 'name': name,
                                         'parent': parent, 'inv': {}})
        return uuid

    def set_inventory(self, uuid, rc, total):
        assert rc in self.classes
        self.providers[uuid]['inv'][rc] = total

    def delete_inventory(self, uuid, rc):
        self.providers[uuid]['inv'].pop(rc, None)

    def delete_provider(self, uuid):
        self.providers.pop(uuid, None)

    def children(self, parent):
        return [p for p in self.providers.values() if p['parent'] == parent]

    def slot_usages(self, parent):
        child = self.providers.get(placement_client.child_uuid(parent))
        return dict(child.get('used', {})) if child else {}


def stubbed_plugins(nova=None, placement=None):
    """Every reservation type with Nova and Placement stubbed: the host
    plugin with no Nova at all (it decides without one), the instance
    plugins on in-memory doubles."""
    nova = nova or FakeNova()
    placement = placement or FakePlacement()
    return {'physical:host': host_plugin.HostPlugin(test_offers.NoNova()),
            'virtual:instance': instance_plugin.InstancePlugin(nova,
                                                               placement),
            'flavor:instance': instance_plugin.FlavorInstancePlugin(
                nova, placement)}


class InstancePluginTestCase(base.TestCase):

    CAPACITY = {1: (4, 4096, 40), 2: (4, 4096, 40), 3: (2, 2048, 20)}

    def setUp(self):
        super().setUp()
        self.nova = FakeNova()
        self.placement = FakePlacement()
        self.plugin = instance_plugin.InstancePlugin(self.nova,
                                                     self.placement)
        self.flavor_plugin = instance_plugin.FlavorInstancePlugin(
            self.nova, self.placement)
        self.set_plugins({'virtual:instance': self.plugin,
                          'flavor:instance': self.flavor_plugin,
                          fakes.RESOURCE_TYPE: fakes.RecordingPlugin()})
        self.manager = lease_manager.LeaseManager()
        self.addCleanup(self.manager.shutdown)
        self.context = base.ctx()
        with db.writer() as session:
            for i in self.CAPACITY:
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=1, memory_mb=1,
                    local_gb=1, reservable=True, generation=0))
        for i, (vcpus, mem, disk) in self.CAPACITY.items():
            uuid = 'rp-%d' % i
            self.placement.add_root(uuid, 'compute%d' % i)
            self.placement.capacity_by_uuid[uuid] = (
                {'vcpus': vcpus, 'memory_mb': mem, 'disk_gb': disk},
                {'vcpus': 0, 'memory_mb': 0, 'disk_gb': 0})
        self.assertEqual([1, 2, 3], instance_inventory.refresh_all(
            None, placement=self.placement))

    def create(self, reservations, start=None, end=None, ctx=None):
        now = base.utcnow()
        values = {'name': 'lease', 'reservations': reservations,
                  'start_date': start or base.minute(now) + 2 * HOUR,
                  'end_date': end or base.minute(now) + 4 * HOUR}
        ctx = ctx or self.context
        # What the lead's LeaseManager.create does before the transaction.
        values['reservations'] = [
            self.plugins_by_type(r['resource_type']).resolve(ctx, r)
            for r in values['reservations']]
        return self.settle(self.manager.create_view(ctx, values)['id'])

    def settle(self, result):
        """Wait for the background preparation of new reservations."""
        self.manager.drain()
        return result

    def plugins_by_type(self, resource_type):
        return {'virtual:instance': self.plugin,
                'flavor:instance': self.flavor_plugin}[resource_type]

    def lease(self, lease_id):
        with db.reader() as session:
            from promise.db import leases as lease_db
            return lease_db.get(session, lease_id)

    def allocations(self, lease_id):
        res = self.lease(lease_id).reservations[0]
        return {a.host_id: a.slots for a in res.instance_allocations}

    @staticmethod
    def instance(amount=2, vcpus=1, memory_mb=1024, disk_gb=10,
                 affinity=None, **kw):
        return dict({'resource_type': 'virtual:instance', 'amount': amount,
                     'vcpus': vcpus, 'memory_mb': memory_mb,
                     'disk_gb': disk_gb, 'affinity': affinity}, **kw)


class TestCapacity(InstancePluginTestCase):

    def test_refresh_stores_capacity_and_bumps_generation_on_change(self):
        with db.reader() as session:
            host = session.get(models.Host, 1)
            self.assertEqual((4, 4096, 40, 'rp-1', 1), (
                host.capacity_vcpus, host.capacity_memory_mb,
                host.capacity_disk_gb, host.provider_uuid, host.generation))
        instance_inventory.refresh_host(None, 1, placement=self.placement)
        with db.reader() as session:
            self.assertEqual(1, session.get(models.Host, 1).generation)
        self.placement.capacity_by_uuid['rp-1'][1]['vcpus'] = 3
        instance_inventory.refresh_host(None, 1, placement=self.placement)
        with db.reader() as session:
            host = session.get(models.Host, 1)
            self.assertEqual((3, 2), (host.used_vcpus, host.generation))

    def test_reservation_instances_are_not_ordinary_usage(self):
        lease_id = self.create([self.instance(amount=3, vcpus=1,
                                              memory_mb=1024, disk_gb=10)])
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        rid = self.lease(lease_id).reservations[0].id
        rc = placement_client.resource_class(rid)
        child = [p for p in self.placement.providers.values()
                 if p['parent'] == 'rp-1'][0]
        # Two reservation instances run on host 1, beside an ordinary
        # instance of 1 vCPU / 512 MB / 5 GB.
        child['used'] = {rc: 2}
        self.placement.capacity_by_uuid['rp-1'] = (
            {'vcpus': 4, 'memory_mb': 4096, 'disk_gb': 40},
            {'vcpus': 3, 'memory_mb': 2560, 'disk_gb': 25})
        instance_inventory.refresh_host(None, 1, placement=self.placement)
        with db.reader() as session:
            host = session.get(models.Host, 1)
            self.assertEqual((1, 512, 5), (host.used_vcpus,
                                           host.used_memory_mb,
                                           host.used_disk_gb))


class TestReserve(InstancePluginTestCase):

    def test_create_allocates_and_shows_the_fields(self):
        lease_id = self.create([self.instance(amount=5, affinity='None',
                                              resource_properties='')])
        self.assertEqual({1: 4, 2: 1}, self.allocations(lease_id))
        res = self.lease(lease_id).reservations[0]
        fields = res.fields()
        self.assertEqual({'amount': 5, 'vcpus': 1, 'memory_mb': 1024,
                          'disk_gb': 10, 'affinity': None,
                          'flavor_id': res.id, 'aggregate_id': 100,
                          'server_group_id': None,
                          'resource_properties': ''}, fields)
        self.assertEqual(res.id, res.resource_id)

    def test_affinity_values(self):
        self.assertEqual({1: 1, 2: 1, 3: 1}, self.allocations(
            self.create([self.instance(amount=3, affinity='False')])))
        self.assertEqual({1: 3}, self.allocations(
            self.create([self.instance(amount=3, affinity=True)])))

    def test_the_answer_names_the_server_group(self):
        # Blazar's semantics: true -> affinity, false -> anti-affinity,
        # null -> no group; made before the answer, as the lease's project.
        for affinity, policy in ((True, 'affinity'),
                                 (False, 'anti-affinity'), (None, None)):
            values = {'name': 'grouped',
                      'start_date': base.minute(base.utcnow()) + 2 * HOUR,
                      'end_date': base.minute(base.utcnow()) + 3 * HOUR,
                      'reservations': [self.instance(amount=1,
                                                     affinity=affinity)]}
            answer = self.manager.create_view(self.context, values)
            [res] = answer['reservations']
            if policy is None:
                self.assertIsNone(res['server_group_id'])
                continue
            group = self.nova.groups[res['server_group_id']]
            self.assertEqual(([policy], 'reservation:%s' % res['id']),
                             (group['policies'], group['name']))
            self.settle(None)
            # The preparation after the answer keeps that group.
            stored = self.lease(answer['id']).reservations[0]
            self.assertEqual(res['server_group_id'],
                             stored.instance.server_group_id)
        self.assertEqual(2, len(self.nova.groups))

    def test_a_refused_lease_leaves_no_server_group(self):
        self.create([self.instance(amount=6)])
        before = dict(self.nova.groups)
        exc = self.assertRaises(exceptions.CapacityConflict, self.create,
                                [self.instance(amount=6, affinity=False)])
        self.assertEqual(409, exc.code)
        # The group made for the answer was deleted with the refusal.
        self.assertEqual(before, self.nova.groups)
        self.assertIn('group-1', [c[1] for c in self.nova.calls
                                  if c[0] == 'delete_server_group'])

    def test_nova_failing_to_make_the_group_creates_nothing(self):
        def broken(name, policy):
            raise exceptions.ServiceUnavailable(reason='Nova is down')
        self.nova.create_server_group = broken
        self.assertRaises(exceptions.ServiceUnavailable, self.create,
                          [self.instance(amount=1, affinity=True)])
        with db.reader() as session:
            self.assertEqual(0, session.scalar(
                sa.select(sa.func.count()).select_from(models.Lease)))

    def test_infeasible_is_a_409_with_what_fits(self):
        self.create([self.instance(amount=6)])
        exc = self.assertRaises(exceptions.Conflict, self.create,
                                [self.instance(amount=5)])
        self.assertEqual(409, exc.code)
        self.assertIn('at most 4 fit', exc.message)
        self.assertRaises(exceptions.Conflict, self.create,
                          [self.instance(amount=3, affinity=True)])

    def test_max_reservable_for_offers(self):
        self.create([self.instance(amount=6)])
        lease = self.lease(self.create([self.instance(amount=1)]))
        with db.reader() as session:
            most = self.plugin.max_reservable(
                session, lease.start_date, lease.end_date,
                self.instance(amount=99, affinity=False))
            self.assertEqual(2, most)  # hosts 2 and 3 have room left
            most = self.plugin.max_reservable(
                session, lease.start_date, lease.end_date,
                self.instance(amount=99))
            self.assertEqual(3, most)
            self.assertEqual(0, self.plugin.max_reservable(
                session, lease.start_date, lease.end_date,
                self.instance(vcpus='x')))

    def test_two_managers_at_once_never_overcommit(self):
        import threading
        managers = [lease_manager.LeaseManager() for _ in range(2)]
        for m in managers:
            self.addCleanup(m.shutdown)
        now = base.minute(base.utcnow())
        barrier = threading.Barrier(2, timeout=10)
        results = []

        def create(manager):
            barrier.wait()
            try:
                results.append(manager.create_view(self.context, {
                    'name': 'race', 'start_date': now + HOUR,
                    'end_date': now + 2 * HOUR,
                    'reservations': [self.instance(amount=3,
                                                   affinity=True)]})['id'])
            except exceptions.Conflict as exc:
                results.append(exc)

        threads = [threading.Thread(target=create, args=(m,))
                   for m in managers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        won = [r for r in results if isinstance(r, str)]
        lost = [r for r in results if not isinstance(r, str)]
        # Hosts 1 and 2 have 4 slots each: both fit, on different hosts.
        self.assertEqual((2, 0), (len(won), len(lost)), lost)
        hosts = [self.allocations(w) for w in won]
        self.assertEqual([{1: 3}, {2: 3}], sorted(hosts, key=sorted))
        # A third one at once has nowhere to go.
        exc = self.assertRaises(exceptions.Conflict, self.create,
                                [self.instance(amount=3, affinity=True)],
                                start=now + HOUR, end=now + 2 * HOUR)
        self.assertIn('at most 2 fit', exc.message)  # host 3's two

    def test_a_later_window_is_free(self):
        self.create([self.instance(amount=10)])
        now = base.minute(base.utcnow())
        lease_id = self.create([self.instance(amount=10)],
                               start=now + 4 * HOUR, end=now + 5 * HOUR)
        self.assertEqual({1: 4, 2: 4, 3: 2}, self.allocations(lease_id))

    def test_bad_values(self):
        for bad in (self.instance(amount=0), self.instance(vcpus=0),
                    self.instance(affinity='maybe'),
                    self.instance(resource_properties='["=="]')):
            self.assertRaises(exceptions.Invalid, self.create, [bad])
        values = self.instance()
        del values['memory_mb']
        self.assertRaises(exceptions.MissingParameter, self.create,
                          [values])

    def test_prepare_makes_flavor_group_aggregate_and_class(self):
        lease_id = self.create([self.instance(amount=2, affinity=False)])
        res = self.lease(lease_id).reservations[0]
        flavor = self.nova.flavors[res.id]
        self.assertEqual('reservation:%s' % res.id, flavor['name'])
        rc = placement_client.resource_class(res.id)
        self.assertEqual('CUSTOM_RESERVATION_' +
                         res.id.upper().replace('-', '_'), rc)
        self.assertEqual({'resources:%s' % rc: '1',
                          nova_objects.INSTANCE_RESERVATION: res.id},
                         flavor['extra_specs'])
        self.assertNotIn(res.id, self.nova.access)
        group = self.nova.groups[res.instance.server_group_id]
        self.assertEqual(['anti-affinity'], group['policies'])
        agg = self.nova.find_aggregate(res.id)
        self.assertEqual(['compute1', 'compute2'], sorted(agg.hosts))
        self.assertEqual({nova_objects.INSTANCE_RESERVATION: res.id,
                          'promise:owner': 'project-a'}, agg.metadata)
        self.assertIn(rc, self.placement.classes)

    def test_start_and_end(self):
        lease_id = self.create([self.instance(amount=5)])
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        lease = self.lease(lease_id)
        self.assertEqual(status.ACTIVE, lease.status)
        res = lease.reservations[0]
        rc = placement_client.resource_class(res.id)
        children = {p['parent']: p['inv'] for p in
                    self.placement.providers.values() if p['parent']}
        self.assertEqual({'rp-1': {rc: 4}, 'rp-2': {rc: 1}}, children)
        self.assertEqual({'project-a'}, self.nova.access[res.id])
        # Starting again (a manager died half-way) changes nothing.
        self.plugin.on_start(None, lease, res)
        self.assertEqual(5, len(self.placement.providers))

        self.nova.servers.update({'s1': res.id, 's2': 'm1.tiny'})
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.END))
        self.assertEqual(status.TERMINATED, self.lease(lease_id).status)
        self.assertEqual({'s2': 'm1.tiny'}, self.nova.servers)
        self.assertEqual({}, self.nova.flavors)
        self.assertIsNone(self.nova.find_aggregate(res.id))
        self.assertEqual(set(), self.placement.classes)
        # The hosts' slot providers stay, empty: nova-compute fails builds
        # on a host while a provider it cached is gone.
        self.assertEqual(5, len(self.placement.providers))
        self.assertEqual({'rp-1': {}, 'rp-2': {}}, {
            p['parent']: p['inv'] for p in self.placement.providers.values()
            if p['parent']})
        # And ending again is harmless.
        self.plugin.on_end(None, lease, res)

    def test_end_without_start_or_prepare(self):
        lease_id = self.create([self.instance(amount=1)])
        lease = self.lease(lease_id)
        self.nova.flavors.clear()
        self.nova.aggregates.clear()
        self.plugin.on_end(None, lease, lease.reservations[0])


class TestUpdate(InstancePluginTestCase):

    def update(self, lease_id, **changes):
        res = self.lease(lease_id).reservations[0]
        return self.manager.update_view(self.context, lease_id, {
            'reservations': [dict(changes, id=res.id)]})['id']

    def test_before_start_anything_changes(self):
        lease_id = self.create([self.instance(amount=2, affinity=True)])
        self.assertEqual({1: 2}, self.allocations(lease_id))
        self.update(lease_id, amount=3, vcpus=2, affinity=False)
        self.assertEqual({1: 1, 2: 1, 3: 1}, self.allocations(lease_id))
        res = self.lease(lease_id).reservations[0]
        self.assertEqual((3, 2, False), (res.instance.amount,
                                         res.instance.vcpus,
                                         res.instance.affinity))
        # The flavor is made again with the new shape.
        self.plugin.after_update(None, self.lease(lease_id), res)
        self.assertEqual(2, self.nova.flavors[res.id]['vcpus'])

    def test_infeasible_update_leaves_the_reservation_alone(self):
        lease_id = self.create([self.instance(amount=2)])
        self.assertRaises(exceptions.Conflict, self.update, lease_id,
                          amount=11)
        self.assertEqual({1: 2}, self.allocations(lease_id))

    def test_active_amount_only_grows_and_hosts_stay(self):
        lease_id = self.create([self.instance(amount=3, affinity=False)])
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        self.assertRaises(exceptions.InvalidInput, self.update, lease_id,
                          amount=2)
        self.assertRaises(exceptions.InvalidInput, self.update, lease_id,
                          vcpus=2)
        # Anti-affinity over 3 hosts: a 4th slot has nowhere to go.
        self.assertRaises(exceptions.Conflict, self.update, lease_id,
                          amount=4)

        other = self.create([self.instance(amount=4)])
        self.manager.run_event(fakes.DueEvent(other, fakes.START))
        self.assertEqual({1: 3, 2: 1}, self.allocations(other))
        self.update(other, amount=7)
        # Held slots stay, growth goes where there is room.
        self.assertEqual({1: 3, 2: 3, 3: 1}, self.allocations(other))
        lease = self.lease(other)
        res = lease.reservations[0]
        self.plugin.after_update(None, lease, res)
        rc = placement_client.resource_class(res.id)
        inv = sorted(p['inv'][rc] for p in self.placement.providers.values()
                     if rc in p['inv'])
        self.assertEqual([1, 3, 3], inv)

    def test_prolonging_an_active_lease_keeps_its_slots_or_fails(self):
        lease_id = self.create([self.instance(amount=4, affinity=True)])
        self.manager.run_event(fakes.DueEvent(lease_id, fakes.START))
        lease = self.lease(lease_id)
        later = lease.end_date + HOUR
        self.create([self.instance(amount=1, affinity=True,
                                   resource_properties=[
                                       '==', '$id', 1])],
                    start=lease.end_date, end=later)
        exc = self.assertRaises(exceptions.Conflict, self.manager.update_view,
                                self.context, lease_id,
                                {'end_date': later})
        self.assertIn('cannot change', exc.message)
        self.manager.update_view(self.context, lease_id,
                                 {'end_date': lease.end_date + 0 * HOUR})

    def test_unknown_key(self):
        lease_id = self.create([self.instance()])
        self.assertRaises(exceptions.InvalidInput, self.update, lease_id,
                          min=2)


class TestFlavorInstance(InstancePluginTestCase):

    def setUp(self):
        super().setUp()
        self.nova.flavors['m1.big'] = dict(
            id='m1.big', name='m1.big', vcpus=2, ram=2048, disk=20,
            swap=0, is_public=True, extra_specs={'hw:mem_page_size': 'any'})
        self.nova.flavors['secret'] = dict(
            id='secret', name='secret', vcpus=1, ram=512, disk=1, swap=0,
            is_public=False, extra_specs={})

    def test_shape_comes_from_the_flavor(self):
        lease_id = self.create([{'resource_type': 'flavor:instance',
                                 'flavor_id': 'm1.big', 'amount': 3,
                                 'affinity': None}])
        res = self.lease(lease_id).reservations[0]
        self.assertEqual({1: 2, 2: 1}, self.allocations(lease_id))
        self.assertEqual((2, 2048, 20, res.id), (
            res.instance.vcpus, res.instance.memory_mb, res.instance.disk_gb,
            res.fields()['flavor_id']))
        specs = self.nova.flavors[res.id]['extra_specs']
        self.assertEqual('any', specs['hw:mem_page_size'])
        self.assertEqual('1', specs['resources:' +
                                    placement_client.resource_class(res.id)])

    def test_private_flavor_needs_access(self):
        self.assertRaises(exceptions.InvalidInput, self.create, [{
            'resource_type': 'flavor:instance', 'flavor_id': 'secret',
            'amount': 1}])
        self.nova.access['secret'] = {'project-a'}
        self.create([{'resource_type': 'flavor:instance',
                      'flavor_id': 'secret', 'amount': 1}])

    def test_unresolved_values_are_looked_up(self):
        now = base.minute(base.utcnow())
        lease_id = self.settle(self.manager.create_view(self.context, {
            'name': 'x', 'start_date': now + HOUR, 'end_date': now + 2 * HOUR,
            'reservations': [{'resource_type': 'flavor:instance',
                              'flavor_id': 'm1.big', 'amount': 1}]})['id'])
        self.assertEqual({1: 1}, self.allocations(lease_id))

    def test_a_reservation_flavor_cannot_be_the_source(self):
        lease_id = self.create([self.instance(amount=1)])
        rid = self.lease(lease_id).reservations[0].id
        self.assertRaises(exceptions.InvalidInput, self.create, [{
            'resource_type': 'flavor:instance', 'flavor_id': rid,
            'amount': 1}])


class TestSchemas(base.TestCase):

    def test_cli_strings_and_affinity_spellings(self):
        from promise.api.schemas import reservations as res_schema
        from promise.api import validation
        body = validation.validate(res_schema.by_type()['virtual:instance'], {
            'resource_type': 'virtual:instance', 'amount': '2',
            'vcpus': '1', 'memory_mb': '512', 'disk_gb': '',
            'affinity': 'None', 'resource_properties': ''})
        self.assertEqual((2, 1, 512, None), (body['amount'], body['vcpus'],
                                             body['memory_mb'],
                                             body['disk_gb']))
        for value in (True, False, None, 'True', 'False', 'None'):
            validation.validate(res_schema.by_type()['virtual:instance'], {
                'resource_type': 'virtual:instance', 'amount': 1,
                'vcpus': 1, 'memory_mb': 1, 'affinity': value})
        self.assertRaises(exceptions.InvalidInput, validation.validate,
                          res_schema.by_type()['virtual:instance'], {
                              'resource_type': 'virtual:instance',
                              'amount': 1, 'vcpus': 1, 'memory_mb': 1,
                              'affinity': 'sometimes'})
        body = validation.validate(res_schema.by_type()['flavor:instance'], {
            'resource_type': 'flavor:instance', 'flavor_id': '42',
            'amount': '3'})
        self.assertEqual(3, body['amount'])
        body = validation.validate(res_schema.update(), {
            'id': 'r', 'amount': '4', 'affinity': 'False'})
        self.assertEqual(4, body['amount'])
        validation.validate(res_schema.update(), {'id': 'r', 'min': '1'})

    def test_parse_affinity(self):
        for value, expected in ((True, True), ('True', True),
                                ('false', False), (None, None),
                                ('None', None), ('', None)):
            self.assertEqual(expected,
                             fields.parse_affinity(value))


class TestRefreshWithoutPlacement(base.TestCase):

    def test_no_credentials_is_one_quiet_stop(self):
        class Unconfigured:
            def __getattr__(self, name):
                def call(*args, **kwargs):
                    raise exceptions.ServiceNotConfigured(
                        reason='no [nova] credentials')
                return call

        with db.writer() as session:
            for i in (1, 2):
                session.add(models.Host(
                    id=i, hypervisor_hostname='compute%d' % i,
                    service_name='compute%d' % i, vcpus=1, memory_mb=1,
                    local_gb=1, reservable=True, generation=0))
        with mock.patch.object(instance_inventory, 'LOG') as log:
            self.assertEqual([], instance_inventory.refresh_all(
                None, placement=Unconfigured()))
        self.assertFalse(log.exception.called)
