"""What a resource plugin implements.

A plugin owns the semantics of one reservation type (``physical:host``,
``virtual:instance``...). The lease engine calls it; it never drives the
lease status itself. Methods that receive a session run inside the lease's
database transaction and must not talk to other services; methods that
receive a context act on Nova/Placement and must be idempotent, because an
event can be run again after a manager dies half-way. A plugin sends no
notification itself: where owners must be told something, the manager
hands it a ``notify(event_type, payload)`` callable.
"""

import abc
import collections
import functools

from promise import exceptions

# What re-homing did to one reservation: moved from old_host_id to
# new_host_id, flagged (new_host_id None), or cleared (both None).
Outcome = collections.namedtuple(
    'Outcome', 'reservation_id lease_id old_host_id new_host_id')


class ResourcePlugin(metaclass=abc.ABCMeta):
    """Class-level members (attributes, classmethods) are read from the
    configured plugin classes (loader.wings); the others are called on the
    plugin objects the manager holds (loader.plugins)."""
    resource_type = None
    # Reservations hold instance slots, booted through the reservation's
    # own flavor (its id is the reservation id).
    instance_slots = False
    # The type answers /v1/capacity (capacity_timeline).
    has_capacity = False
    # What its reservations count against in Keystone's limits
    # (promise.db.quota resource names), besides ``leases``.
    quota_resources = ()
    # The type's own fields of a lease create body ({'properties': ...,
    # 'required': [...]}) and the fields an update may name
    # ({name: JSON schema}); the API adds what every type has.
    request_schema = {'properties': {}, 'required': []}
    update_properties = {}

    def resolve(self, ctx, values):
        """Complete a request's values with what other services know
        (e.g. a flavor's shape), before the transaction: reserve() must
        not call other services."""
        return values

    def before_create(self, ctx, reservation_id, values):
        """Make, before a new reservation is decided, what the create
        answer must already name (Blazar answers an instance reservation
        with its server group). Returns (values, undo): values to reserve
        with, and a callable that removes what was made if the decision
        fails (or None)."""
        return values, None

    @abc.abstractmethod
    def reserve(self, session, lease, reservation, values):
        """Allocate resources for a new reservation, or raise Conflict."""

    def update(self, session, lease, reservation, values):
        """Change an existing reservation's allocation, or raise."""
        if values:
            raise exceptions.InvalidInput(
                reason='Reservations of type %s cannot be changed.'
                % self.resource_type)

    def release(self, session, lease, reservation):
        """Drop the reservation's allocations (lease deleted)."""

    # -- offers (read-only, inside a transaction) -----------------------------

    def max_reservable(self, session, start, end, values):
        """The most this reservation could get over the whole window, in
        its own unit (hosts, instances), ignoring the rest of the lease."""
        return 0

    def fits_at(self, session, start, until, duration, values):
        """A function telling, for a start time t in [start, until],
        whether this reservation alone would be accepted over [t, t +
        duration), asked in increasing t: exact for what the plugin
        decides. False when it fits at no t (the search stops there), None
        when the plugin cannot tell without trying (every candidate
        window is then tried)."""
        return None

    def release_times(self, session, start, until):
        """Moments in (start, until] when capacity of this type frees up:
        the candidate start times for alternative windows."""
        return set()

    def after_update(self, ctx, lease, reservation):
        """Make other services match an update that committed (e.g. more
        slots for a running reservation)."""

    def discard(self, ctx, lease, reservation):
        """Remove what prepare() made, for a lease deleted before it
        started."""

    def discard_later(self, ctx, lease, reservation):
        """``discard`` as a call without arguments that runs after the
        lease's rows are gone (the delete does not wait for other
        services): whatever it needs from the database is read now. It
        must be idempotent, like prepare()."""
        return functools.partial(self.discard, ctx, lease, reservation)

    def prepare(self, ctx, lease, reservation):
        """Create what the reservation needs before it starts."""

    def on_start(self, ctx, lease, reservation):
        """Hand the reserved resources to the lease's project (after
        preempt())."""

    def preempt(self, ctx, lease, reservation, notify):
        """Free what the reservation will hold of borrowers (preemptible
        instances) before it starts, calling ``notify(event_type,
        payload)`` before each borrower is removed, so that its owner is
        told even when the removal fails."""

    def before_end(self, ctx, lease, reservation):
        """Run the reservation's before-end action."""

    def on_end(self, ctx, lease, reservation):
        """Take the resources back; must tolerate a start that never ran."""

    def swap_host(self, ctx, lease, reservation, old_host, new_host):
        """A running reservation was re-homed from ``old_host`` to
        ``new_host``: follow in Nova."""

    # -- healing (inside the transaction that changed a host) -----------------

    @classmethod
    def rehome(cls, session, host_id, lo, hi):
        """Re-home or flag this type's reservations holding ``host_id``
        over [lo, hi) (hi None: for good), the host having left the pool.
        Returns [Outcome]."""
        return []

    @classmethod
    def heal(cls, session, now):
        """Try again for this type's flagged reservations. Returns
        [Outcome] of what moved or was cleared."""
        return []

    # -- capacity (read-only) -----------------------------------------------

    @classmethod
    def capacity_timeline(cls, session, start, end, hypervisor_query=None,
                          resource_query=None, shape=None):
        """([(start, end, values)], summary) of this type's capacity over
        [start, end), summary being the fields shown beside the timeline
        ('unit', 'min_available'); raises InvalidInput for a query the
        type does not take. Only for types with ``has_capacity``."""
        raise NotImplementedError()
