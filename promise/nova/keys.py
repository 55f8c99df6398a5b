"""Aggregate metadata and flavor extra spec keys Promise writes and its
scheduler filter reads. promise-nova has the same names in
promise_nova.keys (it cannot depend on Promise); a unit test keeps the two
identical."""

# On the free pool: hosts registered with Promise that no reservation uses.
FREEPOOL = 'promise:freepool'
# On a reservation's aggregate: the reservation id and the owning project.
RESERVATION = 'promise:reservation'
OWNER = 'promise:owner'
# On a reservation flavor's extra specs and its aggregate: the
# virtual:instance reservation it belongs to.
INSTANCE_RESERVATION = 'promise:instance_reservation'
# On a flavor: its instances may borrow free-pool hosts that no
# reservation holds now, and are deleted when a reservation needs them.
PREEMPTIBLE = 'promise:preemptible'
# On a SOL003 grant's flavor and aggregate: the grant whose holds on
# unreserved capacity its servers may use (only on the granted hosts).
GRANT = 'promise:grant'
# Scheduler hint users pass to boot into their reservation (Blazar's name).
HINT = 'reservation'
