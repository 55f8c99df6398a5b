"""What the CLI tests share: the `openstack` command of the test venv
pointed at the deployment's promise-api, and compute hosts written straight
into the database (this tier has no Nova)."""

import json
import uuid

import sqlalchemy as sa

from promise.db import models
from promise.tests.functional import base
from promise.tests.functional import fixtures as func_fixtures


class CLIMixin:

    def openstack(self, *args, expect_ok=True):
        argv = [func_fixtures.bin_path('openstack'),
                '--os-auth-type', 'none',
                '--os-endpoint', self.url + '/v1'] + list(args)
        rc, out = func_fixtures.run_command(argv, timeout=120)
        if expect_ok:
            self.assertEqual(0, rc, '%s\n%s' % (' '.join(args), out))
        return rc, out

    def openstack_json(self, *args):
        _, out = self.openstack(*(list(args) + ['-f', 'json']))
        # Warnings (python-blazarclient's plugin loading) may come first.
        starts = [i for i in (out.find('{'), out.find('[')) if i >= 0]
        self.assertTrue(starts, out)
        return json.loads(out[min(starts):])

    def insert_host(self, prefix, vcpus=8):
        """A compute host as promise-api would register it from Nova; the
        tests' leases never start, so Promise never asks Nova about it.
        Returns (id, name)."""
        host_id = int(uuid.uuid4().int % 1000000) + 1
        name = '%s-%d' % (prefix, host_id)
        with self.deployment.db.engine.begin() as conn:
            conn.execute(sa.insert(models.Host.__table__).values(
                id=host_id, hypervisor_hostname=name, service_name=name,
                hypervisor_type='fake', hypervisor_version=1, vcpus=vcpus,
                memory_mb=16384, local_gb=100, reservable=True,
                generation=0, created_at=base.utcnow()))
        return host_id, name
