"""python-blazarclient, through the real `openstack` CLI, against a real
promise-api in noauth mode.

Without Keystone the CLI talks to the endpoint directly and sends no project
headers, so Promise's [noauth] default identity applies.
"""

import datetime
import uuid

from promise.tests.functional import base
from promise.tests.functional import cli

NOAUTH = {'user': 'noauth-user', 'project': 'noauth-project'}


class ClientCliTests(cli.CLIMixin):

    # `openstack reservation lease create` insists on a reservation of a
    # type it knows; physical:host is the one Promise serves.
    DEPLOYMENT = {'manager.plugins': 'physical:host'}

    def add_host(self):
        return self.insert_host('fake-compute')[1]

    def check_lifecycle(self, lease_id, name, end):
        listed = self.openstack_json('reservation', 'lease', 'list')
        self.assertIn(lease_id, [row['id'] for row in listed])

        # Lookup by name and by id.
        by_name = self.openstack_json('reservation', 'lease', 'show', name)
        self.assertEqual(lease_id, by_name['id'])
        by_id = self.openstack_json('reservation', 'lease', 'show',
                                    lease_id)
        self.assertEqual(name, by_id['name'])
        self.assertEqual('PENDING', by_id['status'])

        # Prolong by an hour: the CLI turns it into an absolute end date.
        self.openstack('reservation', 'lease', 'set', '--prolong-for', '1h',
                       name)
        shown = self.openstack_json('reservation', 'lease', 'show', lease_id)
        self.assertEqual(
            base.api_date(end + datetime.timedelta(hours=1)),
            base.api_date(base.parse_out_date(shown['end_date'])))
        api = self.get_lease(lease_id, who=NOAUTH, roles='admin')
        self.assertEqual(shown['end_date'], api['end_date'])

        # Rename, then find it by its new name only.
        new_name = name + '-renamed'
        self.openstack('reservation', 'lease', 'set', '--name', new_name,
                       lease_id)
        renamed = self.openstack_json('reservation', 'lease', 'show',
                                      new_name)
        self.assertEqual(lease_id, renamed['id'])
        rc, out = self.openstack('reservation', 'lease', 'show', name,
                                 expect_ok=False)
        self.assertNotEqual(0, rc, out)

        # Delete by name.
        self.openstack('reservation', 'lease', 'delete', new_name)
        listed = self.openstack_json('reservation', 'lease', 'list')
        self.assertNotIn(lease_id, [row['id'] for row in listed])
        resp = self.request('GET', '/v1/leases/%s' % lease_id,
                            who=NOAUTH, roles='admin')
        self.assertBlazarError(resp, 404)

    def test_create_and_manage_lease_with_cli(self):
        host = self.add_host()
        name = 'cli-%s' % uuid.uuid4().hex[:8]
        start = base.utcnow() + datetime.timedelta(hours=1)
        end = start + datetime.timedelta(hours=2)
        created = self.openstack_json(
            'reservation', 'lease', 'create',
            '--start-date', base.api_date(start),
            '--end-date', base.api_date(end),
            '--reservation',
            'resource_type=physical:host,min=1,max=1,'
            'hypervisor_properties=,resource_properties=',
            name)
        self.assertEqual(name, created['name'])
        lease = self.get_lease(created['id'], who=NOAUTH, roles='admin')
        self.assertEqual(name, lease['name'])
        self.assertEqual(NOAUTH['project'], lease['project_id'])
        self.assertEqual(['physical:host'],
                         [r['resource_type'] for r in lease['reservations']])
        self.assertEqual(base.api_date(end),
                         base.api_date(base.parse_out_date(
                             lease['end_date'])))
        self.assertTrue(host)
        # Deleting it makes Promise try to drop the reservation's Nova
        # aggregate; there is no Nova here, and a pending lease must be
        # deletable all the same.
        self.check_lifecycle(created['id'], name, end)

    def test_manage_api_created_lease_with_cli(self):
        name = 'api-%s' % uuid.uuid4().hex[:8]
        start = base.utcnow() + datetime.timedelta(hours=1)
        end = start + datetime.timedelta(hours=3)
        lease = self.create_lease(name=name, start=base.api_date(start),
                                  end=base.api_date(end), who=NOAUTH)
        self.check_lifecycle(lease['id'], name, end)

    def test_cli_reports_api_errors(self):
        rc, out = self.openstack(
            'reservation', 'lease', 'show', str(uuid.uuid4()),
            expect_ok=False)
        self.assertNotEqual(0, rc, out)
        # A lease that starts in the past is refused by Promise (the client
        # lets it through), and nothing is created.
        start = base.utcnow() - datetime.timedelta(days=2)
        rc, out = self.openstack(
            'reservation', 'lease', 'create',
            '--start-date', base.api_date(start),
            '--end-date', base.api_date(start + datetime.timedelta(
                days=3)),
            '--reservation',
            'resource_type=physical:host,min=1,max=1,'
            'hypervisor_properties=,resource_properties=',
            'in-the-past', expect_ok=False)
        self.assertNotEqual(0, rc, out)
        self.assertIn('Start date must be later than current date', out)
        listed = self.openstack_json('reservation', 'lease', 'list')
        self.assertNotIn('in-the-past', [row['name'] for row in listed])


class TestClientCliMySQL(ClientCliTests, base.MySQLMixin,
                         base.FunctionalTestCase):
    pass


class TestClientCliPostgreSQL(ClientCliTests, base.PostgreSQLMixin,
                              base.FunctionalTestCase):
    pass
