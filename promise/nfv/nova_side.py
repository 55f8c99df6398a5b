"""What makes a grant on unreserved capacity bootable in Nova.

The hosts a grant holds capacity on sit in Promise's free pool, where the
scheduler filter admits only reservation and preemptible flavors. So each
such grant gets, before it is answered, an aggregate ``grant:<id>`` of
its hosts (metadata ``promise:grant`` and ``promise:owner``) and, for each
flavor it answers, a private copy of that flavor for the grant's project
with the extra spec ``promise:grant=<id>``: the filter lets that flavor
onto the grant's hosts and nowhere else (promise_nova.filter). The grant
answers the copies in ``vimAssets.computeResourceFlavours``, so the VNFM
boots with them unmodified.

When a grant holds nothing any more (released or expired), ``reconcile``
removes its aggregate and flavors; servers already booted keep running
(Nova keeps each server's flavor with it).
"""

import uuid

from promise.nova import keys

PREFIX = 'grant:'
# Flavor ids are derived from the grant and the source flavor, so that a
# retry finds what an earlier attempt made.
_NAMESPACE = uuid.UUID('6f3e2b8c-4a1d-4c5e-9b7a-2d8e1f0c3a59')


def aggregate_name(grant_id):
    return PREFIX + grant_id


def flavor_id(grant_id, source):
    return str(uuid.uuid5(_NAMESPACE, '%s/%s' % (grant_id, source)))


def flavor_name(grant_id, index):
    return '%s%s:%d' % (PREFIX, grant_id, index)


class GrantNova:

    def __init__(self, nova):
        self.nova = nova

    def provide(self, grant_id, project_id, service_names, sizes):
        """The aggregate of ``service_names`` and one flavor per source
        flavor in ``sizes`` ({source flavor: Shape}). Returns {source
        flavor: grant flavor id}."""
        agg = self.nova.ensure_aggregate(
            aggregate_name(grant_id),
            {keys.GRANT: grant_id, keys.OWNER: project_id})
        for name in sorted(service_names):
            self.nova.add_host(agg.id, name)
        made = {}
        for index, source in enumerate(sorted(sizes)):
            shape = sizes[source]
            found = self.nova.find_flavor(source)
            specs = {k: v for k, v in
                     ((found.extra_specs if found is not None else {})
                      .items()) if not k.startswith('promise:')}
            specs[keys.GRANT] = grant_id
            extra = {}
            if found is not None:
                extra = {'ephemeral': int(getattr(
                    found, 'OS-FLV-EXT-DATA:ephemeral', 0) or 0),
                    'swap': int(found.swap or 0)}
            new_id = flavor_id(grant_id, source)
            self.nova.ensure_flavor(
                new_id, flavor_name(grant_id, index),
                ram=int(found.ram) if found is not None else shape.memory_mb,
                vcpus=int(found.vcpus) if found is not None else shape.vcpus,
                disk=int(found.disk) if found is not None else shape.disk_gb,
                extra_specs=specs, **extra)
            self.nova.add_flavor_access(new_id, project_id)
            made[source] = new_id
        return made

    def withdraw(self, grant_id, sources=()):
        """Remove the grant's flavors (those of ``sources`` and any named
        for it) and its aggregate. Safe to repeat."""
        for source in sources:
            self.nova.delete_flavor(flavor_id(grant_id, source))
        self._remove(grant_id, self.nova.aggregates_named(
            aggregate_name(grant_id)), self.nova.flavors_named(PREFIX))

    def _remove(self, grant_id, aggregates, flavors):
        prefix = '%s%s:' % (PREFIX, grant_id)
        for flavor, name in flavors.items():
            if name.startswith(prefix):
                self.nova.delete_flavor(flavor)
        for agg in aggregates:
            if agg.name == aggregate_name(grant_id):
                self.nova.delete_aggregate(agg.id)

    def reconcile(self, live_grant_ids):
        """Withdraw every grant aggregate whose grant holds nothing now;
        ``live_grant_ids()`` says which grants hold something. Returns the
        grant ids withdrawn. Nova is listed once, whatever their number."""
        aggregates = self.nova.aggregates_named(PREFIX)
        if not aggregates:
            return []
        # Read after listing: a grant's holds commit before its aggregate
        # is made, so every aggregate listed whose grant is live is seen
        # live here.
        live = live_grant_ids()
        gone = [agg.name[len(PREFIX):] for agg in aggregates
                if agg.name[len(PREFIX):] not in live]
        if gone:
            flavors = self.nova.flavors_named(PREFIX)
            for grant_id in gone:
                self._remove(grant_id, aggregates, flavors)
        return gone
