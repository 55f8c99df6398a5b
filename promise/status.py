"""The one lease status machine.

Stable statuses are where a lease rests; an action moves it through a
transitional status to its result, or to ERROR when the action fails. Every
move is a conditional UPDATE from the statuses the action allows, so two
managers (or a manager and an API request) can never act on one lease at
the same time: the loser sees a conflict instead.
"""

import collections

PENDING = 'PENDING'
ACTIVE = 'ACTIVE'
TERMINATED = 'TERMINATED'
ERROR = 'ERROR'
CREATING = 'CREATING'
STARTING = 'STARTING'
UPDATING = 'UPDATING'
TERMINATING = 'TERMINATING'
DELETING = 'DELETING'

STABLE = (PENDING, ACTIVE, TERMINATED, ERROR)
TRANSITIONAL = (CREATING, STARTING, UPDATING, TERMINATING, DELETING)

Action = collections.namedtuple('Action', 'sources via result')

# result None: the lease goes back to the status it came from (update), or
# disappears (delete). Start and end run from claimed events, so finding
# the lease in their own transitional status means the manager that held
# the claim died half-way: the new claim holder goes on from there (the
# plugins' steps are idempotent).
ACTIONS = {
    'start': Action(sources=(PENDING, STARTING), via=STARTING,
                    result=ACTIVE),
    'update': Action(sources=(PENDING, ACTIVE), via=UPDATING, result=None),
    'end': Action(sources=(ACTIVE, ERROR, TERMINATING), via=TERMINATING,
                  result=TERMINATED),
    'delete': Action(sources=(PENDING, ACTIVE, TERMINATED, ERROR),
                     via=DELETING, result=None),
}


class Reservation:
    PENDING = 'pending'
    ACTIVE = 'active'
    DELETED = 'deleted'
    ERROR = 'error'
    EXPIRED = 'expired'


class Event:
    UNDONE = 'UNDONE'
    IN_PROGRESS = 'IN_PROGRESS'
    DONE = 'DONE'
    ERROR = 'ERROR'

    START = 'start_lease'
    END = 'end_lease'
    BEFORE_END = 'before_end_lease'


class Health:
    """What the manager last saw of a registered host's nova-compute.

    Only UP hosts are reservable; the other values say why a host is not.
    """
    UP = 'up'
    DOWN = 'down'
    DISABLED = 'disabled'
