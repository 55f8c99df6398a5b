"""Nova aggregates for host reservations; every step is idempotent.

The metadata keys are what the Nova scheduler filter (promise_nova.filter)
reads in nova-scheduler.
"""

from promise import conf
from promise.nova import keys

CONF = conf.CONF


def freepool(nova):
    return nova.ensure_aggregate(CONF.nova.aggregate_freepool_name,
                                 {keys.FREEPOOL: 'true'})


def for_reservation(nova, reservation_id, project_id):
    return nova.ensure_aggregate(reservation_id, {
        keys.RESERVATION: reservation_id, keys.OWNER: project_id})


def hand_over(nova, aggregate_id, hosts):
    """Freepool -> reservation. The host joins the reservation aggregate
    before it leaves the free pool, so it is never in neither."""
    pool = freepool(nova)
    for host in hosts:
        nova.add_host(aggregate_id, host)
        nova.remove_host(pool.id, host)


def take_back(nova, aggregate_id, hosts):
    """Reservation -> freepool, again never leaving a host in neither."""
    pool = freepool(nova)
    for host in hosts:
        nova.add_host(pool.id, host)
    nova.delete_aggregate(aggregate_id)
