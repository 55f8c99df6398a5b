"""Grants on unreserved capacity are bootable: the answer names private
copies of the VDU flavors, tagged with the grant, and the granted hosts
are put in the grant's aggregate, so PromiseFilter lets those flavors onto
those hosts only, for the grant's project only. Nova failing leaves
nothing granted or behind; releases and expiry remove what Nova kept.
Through the real WSGI app and ManagerService (fake transport, SQLite) with
Nova stubbed (its real boot is in promise/tests/cloud/test_grants.py)."""

import datetime
import types

import fixtures
import sqlalchemy as sa

from promise.db import api as db
from promise.db import models
from promise.manager import grants as grant_manager
from promise.nfv import nova_side
from promise.nova import keys
from promise.tests.unit import base
from promise.tests.unit import test_grants_api as api
from promise.tests.unit import test_instance_filter as filter_test
from promise.tests.unit import test_instance_plugin as fakes
from promise.tests.unit import test_multicloud as mc


class Boom(Exception):
    pass


class TestGrantFlavors(base.TestCase):

    call = api.GrantAPITestCase.call
    grant = api.GrantAPITestCase.grant
    holds = api.GrantAPITestCase.holds

    def setUp(self):
        self.nova = fakes.FakeNova()
        self.nova.ensure_flavor('m1.small', 'm1.small', 2048, 2, 10,
                                {'hw:cpu_policy': 'dedicated',
                                 keys.PREEMPTIBLE: 'true'})
        super().setUp()
        self.flags(group='net_value', flavor_shapes={'m1.small': '2/2048/10'})
        self.flags(group='nfv', vdu_flavors={'vnfd-1:VDU1': 'm1.small'},
                   vim_connection_id='vim-1')
        # Credentials are only looked at, never used: Nova is the fake.
        self.flags(group='nova', auth_type='password')
        self.useFixture(fixtures.MockPatch('promise.clients.nova.client',
                                           return_value=self.nova))
        self.manager = grant_manager.GrantManager(self.nova)
        self.app = self.useFixture(base.APIFixture(self.conf_fixture)).app
        mc.add_hosts()
        self.filter = filter_test._load_filter(self).PromiseFilter()

    def grant_aggregates(self):
        return [a.name for a in self.nova.aggregates_named('grant:')]

    def scheduler_passes(self, service_name, flavor_id, project='p'):
        """What PromiseFilter says for a host, given Nova's aggregates."""
        aggregates = [types.SimpleNamespace(metadata=dict(a.metadata))
                      for a in self.nova.aggregates.values()
                      if service_name in a.hosts]
        aggregates.append(types.SimpleNamespace(
            metadata={keys.FREEPOOL: 'true'}))
        flavor = self.nova.flavors[flavor_id]
        return self.filter.host_passes(
            types.SimpleNamespace(host=service_name, aggregates=aggregates),
            filter_test.spec(project=project,
                             extra_specs=flavor['extra_specs']))

    def test_unreserved_grant_answers_a_flavor_only_its_hosts_take(self):
        body = api.tacker_request('INSTANTIATE', 'vnf-1', [('VDU1', 2)],
                                  anti=('VDU1',))
        grant = self.grant(body).json
        [asset] = grant['vimAssets']['computeResourceFlavours']
        flavor_id = asset['vimFlavourId']
        self.assertEqual(nova_side.flavor_id(grant['id'], 'm1.small'),
                         flavor_id)
        flavor = self.nova.flavors[flavor_id]
        self.assertEqual((2, 2048, 10, False),
                         (flavor['vcpus'], flavor['ram'], flavor['disk'],
                          flavor['is_public']))
        # The source's own specs carry over; Promise's keys do not.
        self.assertEqual({'hw:cpu_policy': 'dedicated',
                          keys.GRANT: grant['id']}, flavor['extra_specs'])
        self.assertEqual({'p'}, self.nova.access[flavor_id])
        agg = self.nova.find_aggregate('grant:%s' % grant['id'])
        self.assertEqual({keys.GRANT: grant['id'], keys.OWNER: 'p'},
                         agg.metadata)
        self.assertEqual(['c1', 'c2'], sorted(agg.hosts))
        # GET answers what the VNFM got.
        self.assertEqual(grant, self.call(
            'GET', '/grant/v1/grants/%s' % grant['id']).json)

        # The scheduler: the granted hosts take the flavor, for the
        # grant's project only; an ordinary flavor stays off the pool.
        self.assertTrue(self.scheduler_passes('c1', flavor_id))
        self.assertFalse(self.scheduler_passes('c1', flavor_id, 'other'))
        self.nova.ensure_flavor('plain', 'plain', 512, 1, 1, {})
        self.assertFalse(self.scheduler_passes('c1', 'plain'))

        # TERMINATE ends the holds, and Nova forgets the grant.
        self.grant(api.tacker_request('TERMINATE', 'vnf-1'))
        self.assertIsNone(self.nova.find_aggregate('grant:%s' % grant['id']))
        self.assertNotIn(flavor_id, self.nova.flavors)
        self.assertIn('m1.small', self.nova.flavors)

    def test_a_host_the_grant_does_not_hold_refuses_its_flavor(self):
        # One VNFC: one host is granted, the other is not.
        grant = self.grant(api.tacker_request(
            'INSTANTIATE', 'vnf-1', [('VDU1', 1)])).json
        flavor_id = grant['vimAssets']['computeResourceFlavours'][0][
            'vimFlavourId']
        [granted] = self.nova.find_aggregate('grant:%s' % grant['id']).hosts
        other = ({'c1', 'c2'} - {granted}).pop()
        self.assertTrue(self.scheduler_passes(granted, flavor_id))
        self.assertFalse(self.scheduler_passes(other, flavor_id))

    def test_nova_failing_grants_nothing_and_leaves_nothing(self):
        def broken(*args, **kwargs):
            raise Boom('nova said no')
        self.nova.add_flavor_access = broken
        resp = self.grant(api.tacker_request('INSTANTIATE', 'vnf-1',
                                             [('VDU1', 1)]), status=503)
        self.assertEqual('application/problem+json', resp.content_type)
        self.assertIn('nothing was granted', resp.json['detail'])
        self.assertEqual([], self.holds())
        with db.reader() as session:
            self.assertEqual(0, session.scalar(
                sa.select(sa.func.count()).select_from(models.Grant)))
        self.assertEqual([], self.grant_aggregates())
        self.assertEqual(['m1.small'], sorted(self.nova.flavors))

    def test_expired_holds_are_swept_from_nova(self):
        grant = self.grant(api.tacker_request(
            'INSTANTIATE', 'vnf-1', [('VDU1', 1)])).json
        kept = self.grant(api.tacker_request(
            'INSTANTIATE', 'vnf-2', [('VDU1', 1)])).json
        with db.writer() as session:
            session.execute(
                sa.update(models.GrantHold)
                .where(models.GrantHold.grant_id == grant['id'])
                .values(expires_at=datetime.datetime(2000, 1, 1)))
        self.assertEqual(1, grant_manager.sweep(self.manager))
        self.assertEqual(['grant:%s' % kept['id']],
                         self.grant_aggregates())
        self.assertEqual(
            {'m1.small', nova_side.flavor_id(kept['id'], 'm1.small')},
            set(self.nova.flavors))

    def test_grants_on_a_reservation_keep_its_flavor(self):
        # Nothing to make: the reservation's flavor already books its
        # slots (test_grants_api covers the decision itself).
        decision = {'id': 'g', 'addResources': [
            {'resourceDefinitionId': 'r', 'reservationId': 'res'}],
            'vimAssets': {'computeResourceFlavours': [
                {'vimFlavourId': 'res'}]}}
        self.assertIs(decision, self.manager._bootable(None, decision, {}))
        self.assertEqual({}, self.nova.aggregates)

    def test_a_flavor_named_by_name_is_sized_and_copied(self):
        # Tacker's additionalParams.flavours may name a flavor by name.
        self.nova.ensure_flavor('f-123', 'm1.named', 1024, 1, 5,
                                {'hw:numa_nodes': '1'})
        grant = self.grant(api.tacker_request(
            'INSTANTIATE', 'vnf-1', [('VDU1', 1)],
            additional={'flavours': {'VDU1': 'm1.named'}})).json
        [asset] = grant['vimAssets']['computeResourceFlavours']
        flavor = self.nova.flavors[asset['vimFlavourId']]
        self.assertEqual((1, 1024, 5), (flavor['vcpus'], flavor['ram'],
                                        flavor['disk']))
        self.assertEqual('1', flavor['extra_specs']['hw:numa_nodes'])
        # An unknown name is still refused with what is wrong.
        refused = self.grant(api.tacker_request(
            'INSTANTIATE', 'vnf-2', [('VDU1', 1)],
            additional={'flavours': {'VDU1': 'm1.nothing'}}), status=403)
        self.assertIn('The size of flavor m1.nothing is not known',
                      refused.json['detail'])
