"""Thin Nova wrapper: the calls Promise makes, each safe to repeat.

Nova's API 2.1 is used on purpose: it names hypervisors by integer id,
which is what Blazar clients expect as host ids.
"""

import time

from keystoneauth1 import exceptions as ks_exc
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
from oslo_log import log as logging

from promise.clients import failures
from promise.clients import keystone
from promise.common import lazy
from promise import conf
from promise import exceptions
from promise.nova import keys

CONF = conf.CONF
LOG = logging.getLogger(__name__)

API_VERSION = '2.1'


def _new_client():
    try:
        return NovaClient()
    except ks_exc.ClientException as exc:
        # [nova] credentials missing or wrong.
        raise failures.unavailable(
            'Promise cannot use Nova (check the [nova] section of '
            'promise.conf).', exc)


_CLIENT = lazy.Lazy(_new_client)


def client():
    return _CLIENT.get()


def reset():
    _CLIENT.reset()


def for_user(token):
    """A client acting with a user's token (as the user's project), for
    objects Nova scopes to a project, such as server groups. The endpoint
    comes from Promise's own catalog, so no Keystone call is made."""
    from keystoneauth1 import token_endpoint
    service = keystone.session('nova')
    endpoint = service.get_endpoint(
        service_type='compute', interface=CONF.nova.endpoint_type,
        region_name=CONF.nova.region_name)
    sess = keystone.ForwardingSession(
        auth=token_endpoint.Token(endpoint, token), verify=service.verify,
        cert=service.cert, timeout=service.timeout)
    return NovaClient(nova_client.Client(API_VERSION, session=sess))


@failures.unavailable_on_failure('Nova', ks_exc.ClientException,
                                 nova_exc.ClientException)
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
            # ASCII digits: '²'.isdigit() holds, and int() refuses it.
            if name_or_id.isascii() and name_or_id.isdigit():
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

    def aggregates_named(self, prefix):
        """The aggregates whose name starts with ``prefix``."""
        return [agg for agg in self.nova.aggregates.list()
                if agg.name.startswith(prefix)]

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

    # -- flavors (instance reservations) ------------------------------------

    def get_flavor(self, flavor_id):
        """The flavor, with ``extra_specs`` (a dict) set; None if absent."""
        try:
            flavor = self.nova.flavors.get(flavor_id)
        except nova_exc.NotFound:
            return None
        flavor.extra_specs = dict(flavor.get_keys())
        return flavor

    def find_flavor(self, name_or_id):
        """The flavor with this id, else the one flavor (public or
        private) with this name, with ``extra_specs``; None if there is
        no such flavor or the name is ambiguous."""
        flavor = self.get_flavor(name_or_id)
        if flavor is not None:
            return flavor
        named = [f for f in self.nova.flavors.list(is_public=None)
                 if f.name == name_or_id]
        if len(named) != 1:
            return None
        return self.get_flavor(named[0].id)

    def flavors_named(self, prefix):
        """{id: name} of the flavors, public or private, whose name starts
        with ``prefix``."""
        return {f.id: f.name for f in self.nova.flavors.list(is_public=None)
                if f.name.startswith(prefix)}

    def flavor_projects(self, flavor_id):
        """Projects given access to a private flavor."""
        try:
            return [a.tenant_id for a in
                    self.nova.flavor_access.list(flavor=flavor_id)]
        except nova_exc.NotFound:
            return []

    def ensure_flavor(self, flavor_id, name, ram, vcpus, disk, extra_specs,
                      ephemeral=0, swap=0):
        """A private flavor with this id and at least these extra specs."""
        flavor = self.get_flavor(flavor_id)
        if flavor is None:
            try:
                self.nova.flavors.create(
                    name, ram, vcpus, disk, flavorid=flavor_id,
                    ephemeral=ephemeral, swap=swap, is_public=False)
            except nova_exc.Conflict:
                pass  # made meanwhile by another manager
            flavor = self.get_flavor(flavor_id)
        for attempt in range(3):
            missing = {k: v for k, v in extra_specs.items()
                       if flavor.extra_specs.get(k) != v}
            if not missing:
                break
            try:
                flavor.set_keys(missing)
                flavor.extra_specs.update(missing)
            except nova_exc.ClientException:
                # Nova answers 500 (a database deadlock) when another
                # manager sets the same keys at once: read and try again.
                if attempt == 2:
                    raise
                time.sleep(0.2)
                flavor = self.get_flavor(flavor_id)
        return flavor

    def delete_flavor(self, flavor_id):
        try:
            self.nova.flavors.delete(flavor_id)
        except nova_exc.NotFound:
            pass

    def add_flavor_access(self, flavor_id, project_id):
        if project_id in self.flavor_projects(flavor_id):
            return
        try:
            self.nova.flavor_access.add_tenant_access(flavor_id, project_id)
        except nova_exc.Conflict:
            pass  # already there

    def remove_flavor_access(self, flavor_id, project_id):
        try:
            self.nova.flavor_access.remove_tenant_access(flavor_id,
                                                         project_id)
        except (nova_exc.NotFound, nova_exc.Conflict):
            pass

    def servers_with_flavor(self, flavor_id):
        """Ids of the servers of every project booted with the flavor."""
        servers = self.nova.servers.list(
            detailed=False,
            search_opts={'all_tenants': 1, 'flavor': flavor_id})
        return [s.id for s in servers]

    def preemptible_servers_on(self, hypervisor_hostname):
        """[server id] on the host whose flavor is marked preemptible."""
        preemptible = {}
        result = []
        for server_id, _ in self.servers_on(hypervisor_hostname):
            try:
                flavor_id = self.nova.servers.get(server_id).flavor['id']
                if flavor_id not in preemptible:
                    specs = self.nova.flavors.get(flavor_id).get_keys()
                    preemptible[flavor_id] = str(specs.get(
                        keys.PREEMPTIBLE, '')).lower() == 'true'
            except nova_exc.NotFound:
                continue
            if preemptible[flavor_id]:
                result.append(server_id)
        return result

    def flavor_servers_by_host(self, flavor_id):
        """{compute service host: count} of servers of every project
        booted with the flavor."""
        counts = {}
        for server in self.nova.servers.list(
                detailed=True,
                search_opts={'all_tenants': 1, 'flavor': flavor_id}):
            host = getattr(server, 'OS-EXT-SRV-ATTR:host', None)
            if host:
                counts[host] = counts.get(host, 0) + 1
        return counts

    # -- server groups --------------------------------------------------------

    def find_server_groups(self, name):
        return [g for g in self.nova.server_groups.list(all_projects=True)
                if g.name == name]

    def get_server_group(self, group_id):
        try:
            return self.nova.server_groups.get(group_id)
        except nova_exc.NotFound:
            return None

    def create_server_group(self, name, policy):
        return self.nova.server_groups.create(name, policy)

    def ensure_server_group(self, name, policy, known_id=None):
        if known_id:
            try:
                return self.nova.server_groups.get(known_id)
            except nova_exc.NotFound:
                pass
        found = self.find_server_groups(name)
        if found:
            return found[0]
        return self.nova.server_groups.create(name, policy)

    def delete_server_group(self, group_id):
        try:
            self.nova.server_groups.delete(group_id)
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
