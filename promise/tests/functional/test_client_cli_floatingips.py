"""python-blazarclient's floating IP commands, through the real
`openstack` CLI, against a real promise-api in noauth mode.

There is no Neutron here: the addresses are written straight into the
database, and `floatingip create` (which Promise checks with Neutron) runs
in the cloud tier. What this proves is that the client's list, show and
delete, and its lease create with a virtual:floatingip reservation, read
and send what Promise serves.
"""

import datetime

import sqlalchemy as sa

from promise.tests.functional import base
from promise.tests.functional import cli

NOAUTH = {'user': 'noauth-user', 'project': 'noauth-project'}
NET = '5a1b0c3e-0000-4000-8000-0000000c11f1'


class TestFloatingIPCliMySQL(cli.CLIMixin, base.MySQLMixin,
                             base.FunctionalTestCase):

    def setUp(self):
        super().setUp()
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.text('DELETE FROM floatingip_allocations'))
            conn.execute(sa.text('DELETE FROM floatingips'))
        for last in (100, 101):
            self.insert_floatingip('fip-%d' % last, NET, '172.24.4.%d' % last)

    def test_floatingip_commands_and_a_floatingip_lease(self):
        listed = self.openstack_json('reservation', 'floatingip', 'list')
        self.assertEqual(['172.24.4.100', '172.24.4.101'],
                         sorted(row['floating_ip_address']
                                for row in listed))
        shown = self.openstack_json('reservation', 'floatingip', 'show',
                                    'fip-101')
        self.assertEqual(('172.24.4.101', NET, 'subnet-1'),
                         (shown['floating_ip_address'],
                          shown['floating_network_id'], shown['subnet_id']))

        start = base.utcnow() + datetime.timedelta(hours=1)
        created = self.openstack_json(
            'reservation', 'lease', 'create',
            '--start-date', base.api_date(start),
            '--end-date', base.api_date(start + datetime.timedelta(hours=2)),
            '--reservation',
            'resource_type=virtual:floatingip,network_id=%s,amount=1,'
            'required_floatingips=["172.24.4.101"]' % NET, 'fip-lease')
        lease = self.get_lease(created['id'], who=NOAUTH, roles='admin')
        res = lease['reservations'][0]
        self.assertEqual(('virtual:floatingip', NET, 1, ['172.24.4.101']),
                         (res['resource_type'], res['network_id'],
                          res['amount'], res['required_floatingips']))

        # Held by the lease: Promise refuses to forget the address.
        rc, out = self.openstack('reservation', 'floatingip', 'delete',
                                 'fip-101', expect_ok=False)
        self.assertNotEqual(0, rc, out)
        self.assertIn('have not ended', out)
        self.openstack('reservation', 'lease', 'delete', 'fip-lease')
        self.openstack('reservation', 'floatingip', 'delete', 'fip-101')
        listed = self.openstack_json('reservation', 'floatingip', 'list')
        self.assertEqual(['172.24.4.100'],
                         [row['floating_ip_address'] for row in listed])
