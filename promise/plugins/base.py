"""What a resource plugin implements.

A plugin owns the semantics of one reservation type (``physical:host``,
``virtual:instance``...). The lease engine calls it; it never drives the
lease status itself. Methods that receive a session run inside the lease's
database transaction and must not talk to other services; methods that
receive a context act on Nova/Placement and must be idempotent, because an
event can be run again after a manager dies half-way.
"""

import abc

from promise import exceptions


class ResourcePlugin(metaclass=abc.ABCMeta):
    resource_type = None

    def resolve(self, ctx, values):
        """Complete a request's values with what other services know
        (e.g. a flavor's shape), before the transaction: reserve() must
        not call other services."""
        return values

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

    def prepare(self, ctx, lease, reservation):
        """Create what the reservation needs before it starts."""

    def on_start(self, ctx, lease, reservation):
        """Hand the reserved resources to the lease's project."""

    def before_end(self, ctx, lease, reservation):
        """Run the reservation's before-end action."""

    def on_end(self, ctx, lease, reservation):
        """Take the resources back; must tolerate a start that never ran."""

    def details(self, reservation):
        """Type-specific fields shown on the reservation."""
        return {}
