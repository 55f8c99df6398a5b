"""Thin Nova wrapper: the calls Promise makes, each safe to repeat.

Nova's API 2.1 is used on purpose: it names hypervisors by integer id,
which is what Blazar clients expect as host ids.
"""

import threading
import time

from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
from oslo_log import log as logging

from promise.clients import keystone
from promise import conf
from promise import exceptions

CONF = conf.CONF
LOG = logging.getLogger(__name__)

API_VERSION = '2.1'

_LOCK = threading.Lock()
_CLIENT = None


def client():
    global _CLIENT
    if _CLIENT is None:
        with _LOCK:
            if _CLIENT is None:
                _CLIENT = NovaClient()
    return _CLIENT


def reset():
    global _CLIENT
    _CLIENT = None


class NovaClient:

    def __init__(self, nova=None):
        self.nova = nova or nova_client.Client(
            API_VERSION, session=keystone.session('nova'),
            region_name=CONF.nova.region_name,
            endpoint_type=CONF.nova.endpoint_type)

    # -- hypervisors --------------------------------------------------------

    def find_hypervisor(self, name_or_id):
        """The hypervisor with this id or exact hostname."""
        name_or_id = str(name_or_id)
        try:
            if name_or_id.isdigit():
                return self.nova.hypervisors.get(int(name_or_id))
            for hyp in self.nova.hypervisors.search(name_or_id):
                # search() matches substrings: compute1 finds compute10.
                if hyp.hypervisor_hostname == name_or_id:
                    return self.nova.hypervisors.get(hyp.id)
        except nova_exc.NotFound:
            pass
        raise exceptions.HypervisorNotFound(host=name_or_id)

    def servers_on(self, hypervisor_hostname):
        """[(server id, name)] running on a hypervisor."""
        try:
            found = self.nova.hypervisors.search(hypervisor_hostname,
                                                 servers=True)
        except nova_exc.NotFound:
            return []
        servers = []
        for hyp in found:
            if hyp.hypervisor_hostname == hypervisor_hostname:
                servers.extend((s['uuid'], s.get('name'))
                               for s in getattr(hyp, 'servers', []) or [])
        return servers

    # -- aggregates ---------------------------------------------------------

    def find_aggregate(self, name):
        for agg in self.nova.aggregates.list():
            if agg.name == name:
                return agg
        return None

    def get_aggregate(self, aggregate_id):
        try:
            return self.nova.aggregates.get(aggregate_id)
        except nova_exc.NotFound:
            return None

    def ensure_aggregate(self, name, metadata):
        agg = self.find_aggregate(name)
        if agg is None:
            try:
                agg = self.nova.aggregates.create(name, None)
            except nova_exc.Conflict:
                # Created meanwhile by another manager.
                agg = self.find_aggregate(name)
        missing = {k: v for k, v in metadata.items()
                   if agg.metadata.get(k) != v}
        if missing:
            agg = self.nova.aggregates.set_metadata(agg, missing)
        return agg

    def add_host(self, aggregate, host):
        agg = self.nova.aggregates.get(aggregate)
        if host in agg.hosts:
            return
        try:
            self.nova.aggregates.add_host(agg, host)
        except nova_exc.Conflict:
            pass  # already there

    def remove_host(self, aggregate, host):
        agg = self.nova.aggregates.get(aggregate)
        if host not in agg.hosts:
            return
        try:
            self.nova.aggregates.remove_host(agg, host)
        except (nova_exc.NotFound, nova_exc.Conflict):
            pass

    def delete_aggregate(self, aggregate_id):
        agg = self.get_aggregate(aggregate_id)
        if agg is None:
            return
        for host in agg.hosts:
            self.remove_host(agg.id, host)
        try:
            self.nova.aggregates.delete(agg.id)
        except nova_exc.NotFound:
            pass

    # -- servers ------------------------------------------------------------

    def delete_servers(self, server_ids, timeout=300):
        """Delete servers and wait until they are gone."""
        for server_id in server_ids:
            try:
                self.nova.servers.delete(server_id)
            except nova_exc.NotFound:
                pass
        deadline = time.time() + timeout
        remaining = set(server_ids)
        while remaining and time.time() < deadline:
            for server_id in list(remaining):
                try:
                    self.nova.servers.get(server_id)
                except nova_exc.NotFound:
                    remaining.discard(server_id)
            if remaining:
                time.sleep(0.5)
        if remaining:
            raise exceptions.ServiceUnavailable(
                reason='Nova did not delete servers %s within %d s'
                % (', '.join(sorted(remaining)), timeout))

    def snapshot_server(self, server_id, name):
        try:
            return self.nova.servers.create_image(server_id, name)
        except nova_exc.NotFound:
            return None
