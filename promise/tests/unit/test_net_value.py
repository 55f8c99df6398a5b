"""Net value (ONAP cloud-agnostic placement cost): figures against a hand
computation, burstable sizes, and weights checked when services start."""

import os
import subprocess
import sys
import textwrap

from promise.common import shapes
from promise.conf import net_value as net_value_conf
from promise.tests.unit import base
from promise.tests.unit import test_multicloud as mc

PATH = '/api/multicloud/v1/net_value'


class TestNetValue(mc.MulticloudTestCase):

    def setUp(self):
        super().setUp()
        self.flags(group='net_value', wcpu=0.5, wmem=0.3, wdisk=0.2,
                   flavor_shapes={'m1.large': '4/8192/40',
                                  'm1.small': '1/2048/10',
                                  'b16': '16/32768/10'},
                   flavor_costs={'m1.large': '4', 'm1.small': '1',
                                 'b16': '10'},
                   intent_costs={'ha': '2.5', 'burstable': '0.5'},
                   burstable_oversubscription=0.25)
        mc.add_hosts()
        mc.add_slots(1, self.t1, self.t2, 2, (2, 2048, 10))

    def net_value(self, **body):
        body.setdefault('VIMs', [mc.V1_ID])
        code, answer = self.post(PATH, body)
        self.assertEqual(200, code, answer)
        return answer['VIMs']

    def test_hand_computation(self):
        vims = self.net_value(instance_type={'flavor': 'm1.large'}, count=2,
                              intents=['ha'], **self.future())
        self.assertEqual(1, len(vims))
        vim = vims[0]
        # Cost: 2 x m1.large (4) + ha (2.5).
        cost = 2 * 4 + 2.5
        # Region tomorrow: 12 vCPU / 24576 MB / 150 GB in total, the
        # reservation holds 4 / 4096 / 20; 2 x m1.large need 8 / 16384 / 80.
        ncpu, nmem, ndisk = (4 + 8) / 12, (4096 + 16384) / 24576, \
            (20 + 80) / 150
        self.assertEqual(cost, vim['net_value_cost'])
        self.assertAlmostEqual(0.5 * ncpu + 0.3 * nmem + 0.2 * ndisk,
                               vim['net_value_capacity'])
        self.assertTrue(vim['capacity_check'])  # ncpu is exactly 1
        self.assertAlmostEqual(ncpu, vim['normalized']['cpu'])
        az1, nova = vim['AZs']
        self.assertEqual('az1', az1['availability-zone-name'])
        # az1: 8 / 16384 / 100 with the reservation's 4 / 4096 / 20.
        self.assertEqual(cost, az1['net_value_cost'])
        self.assertAlmostEqual(
            0.5 * (4 + 8) / 8 + 0.3 * (4096 + 16384) / 16384 +
            0.2 * (20 + 80) / 100, az1['net_value_capacity'])
        self.assertFalse(az1['capacity_check'])
        # nova: 4 / 8192 / 50, nothing reserved.
        self.assertEqual('nova', nova['availability-zone-name'])
        self.assertAlmostEqual(0.5 * 8 / 4 + 0.3 * 16384 / 8192 +
                               0.2 * 80 / 50, nova['net_value_capacity'])
        self.assertFalse(nova['capacity_check'])
        # Now, before the reservation: 8 / 16384 / 80 over 12 / 24576 / 150.
        vim = self.net_value(instance_type={'flavor': 'm1.large'},
                             count=2)[0]
        self.assertEqual(8, vim['net_value_cost'])
        self.assertAlmostEqual(0.5 * 8 / 12 + 0.3 * 16384 / 24576 +
                               0.2 * 80 / 150, vim['net_value_capacity'])
        self.assertTrue(vim['capacity_check'])
        # One more vCPU than the region has left tomorrow.
        vim = self.net_value(instance_type={'flavor': 'm1.small'}, count=9,
                             **self.future())[0]
        self.assertAlmostEqual((4 + 9) / 12, vim['normalized']['cpu'])
        self.assertFalse(vim['capacity_check'])

    def test_size_costs_what_the_flavor_of_that_size_costs(self):
        vim = self.net_value(instance_type={'vcpus': 1, 'memory_mb': 2048,
                                            'disk_gb': 10}, count=3)[0]
        self.assertEqual(3.0, vim['net_value_cost'])
        self.assertEqual('m1.small', vim['instance_type']['flavor'])

    def test_burstable(self):
        vim = self.net_value(instance_type={'flavor': 'b16'},
                             intents=['burstable'])[0]
        self.assertEqual({'vcpus': 16, 'memory_mb': 32768, 'disk_gb': 10},
                         vim['instance_type']['min'])
        self.assertEqual({'vcpus': 20, 'memory_mb': 40960, 'disk_gb': 10},
                         vim['instance_type']['max'])
        self.assertEqual(10.5, vim['net_value_cost'])
        # The guaranteed size is what must fit: 16 of 12 vCPU does not.
        self.assertAlmostEqual(16 / 12, vim['normalized']['cpu'])
        self.assertFalse(vim['capacity_check'])

    def test_refusals(self):
        for body in ({'instance_type': {'flavor': 'nope'}},
                     {'instance_type': {'flavor': 'm1.large'},
                      'intents': ['gold']},
                     {'instance_type': {'vcpus': 3, 'memory_mb': 1,
                                        'disk_gb': 1}},
                     {'instance_type': {'vcpus': 0, 'memory_mb': 0,
                                        'disk_gb': 0}},
                     {'instance_type': {'flavor': 'm1.large'}, 'count': 0},
                     {'instance_type': {'vcpus': 1}}):
            code, answer = self.post(PATH, dict(body, VIMs=[mc.V1_ID]))
            self.assertEqual(400, code, (body, answer))

    def test_other_regions_are_not_answered(self):
        self.assertEqual([], self.net_value(
            instance_type={'flavor': 'm1.large'},
            VIMs=[{'cloud-owner': 'x', 'cloud-region-id': 'y'}]))


class TestBurstableConversion(base.TestCase):

    def test_spec_example(self):
        from promise.engine import net_value
        low, high = net_value.burstable(shapes.Shape(16, 32, 0), 0.25)
        self.assertEqual((16, 32), (low.vcpus, low.memory_mb))
        self.assertEqual((20, 40), (high.vcpus, high.memory_mb))


class TestWeights(base.TestCase):

    def test_check(self):
        net_value_conf.check(self.conf)  # the defaults sum to 1
        self.flags(group='net_value', wcpu=0.5, wmem=0.5, wdisk=0.2)
        exc = self.assertRaises(net_value_conf.InvalidConfig,
                                net_value_conf.check, self.conf)
        self.assertIn('wcpu + wmem + wdisk must be 1', str(exc))
        self.flags(group='net_value', wdisk=0.0,
                   flavor_costs={'m1': 'cheap'})
        self.assertRaises(net_value_conf.InvalidConfig,
                          net_value_conf.check, self.conf)
        self.flags(group='net_value', flavor_costs={},
                   flavor_shapes={'m1': '1/2'})
        self.assertRaises(net_value_conf.InvalidConfig,
                          net_value_conf.check, self.conf)

    def test_services_refuse_bad_weights(self):
        path = os.path.join(self.conf_fixture.tempdir, 'bad.conf')
        with open(path, 'w') as out:
            out.write(textwrap.dedent("""\
                [DEFAULT]
                auth_strategy = noauth
                transport_url = fake:/
                [api]
                port = 0
                [net_value]
                wcpu = 0.5
                wmem = 0.5
                wdisk = 0.5
                """))
        bindir = os.path.dirname(sys.executable)
        for name in ('promise-api', 'promise-manager'):
            command = [os.path.join(bindir, name)]
            if not os.path.exists(command[0]):
                module = name.split('-')[1]
                command = [sys.executable, '-c',
                           'from promise.cmd import %s; %s.main()'
                           % (module, module)]
            proc = subprocess.run(
                command + ['--config-file', path], capture_output=True,
                text=True, timeout=60)
            self.assertEqual(2, proc.returncode, (command, proc.stderr))
            self.assertIn('wcpu + wmem + wdisk must be 1, not 1.5',
                          proc.stderr)
