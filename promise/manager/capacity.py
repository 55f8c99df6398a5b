"""Planned capacity changes: recording them and re-homing what they hit."""

import datetime

from oslo_log import log as logging
from oslo_utils import uuidutils

from promise.common import views
from promise.db import api as db
from promise.db import hosts as host_db
from promise.db import leases as lease_db
from promise.db import models
from promise.db.models import capacity as capacity_models
from promise.engine import hosts as engine
from promise import exceptions
from promise.manager import healing
from promise.manager import status
from promise.notifications import notifier
from promise.plugins import loader

LOG = logging.getLogger(__name__)


class CapacityManager:

    def create_change(self, ctx, values):
        """Record a change; returns (change id, [affected reservation])."""
        kind = values['type']
        with db.writer(ctx) as session:
            host = host_db.get(session, values['host_id'], for_update=True)
            # Decisions taken meanwhile on this host fail their generation
            # check and are retried with the change in view.
            engine.claim(session, [host])
            change = models.CapacityChange(
                id=uuidutils.generate_uuid(), host_id=host.id, type=kind,
                start_date=values['start_date'],
                end_date=values.get('end_date'),
                reason=values.get('reason'), project_id=ctx.project_id)
            session.add(change)
            session.flush()
            if kind == capacity_models.UNAVAILABLE:
                outcomes = healing.rehome(session, host.id,
                                          change.start_date, change.end_date)
            else:
                # Not in the pool before it joins: nothing may hold it then.
                outcomes = healing.rehome(session, host.id,
                                          _beginning(), change.start_date)
            affected = [_affected(o) for o in outcomes]
            moves = [(o, host) for o in outcomes if o.new_host_id]
        self._follow_in_nova(ctx, moves)
        self._notify(ctx, outcomes)
        return change.id, affected

    def _follow_in_nova(self, ctx, moves):
        for outcome, old_host in moves:
            with db.reader(ctx) as session:
                lease = lease_db.get(session, outcome.lease_id)
                res = session.get(models.Reservation,
                                  outcome.reservation_id)
                new_host = session.get(models.Host, outcome.new_host_id)
            if lease.status != status.ACTIVE:
                continue
            try:
                loader.get(res.resource_type).swap_host(
                    ctx, lease, res, old_host, new_host)
            except Exception:
                LOG.exception('Moving reservation %s from %s to %s in Nova '
                              'failed', res.id, old_host.hypervisor_hostname,
                              new_host.hypervisor_hostname)

    def _notify(self, ctx, outcomes):
        for outcome in outcomes:
            with db.reader(ctx) as session:
                lease = lease_db.get(session, outcome.lease_id)
                payload = {'lease': views.lease(lease),
                           'reservation_id': outcome.reservation_id}
            event = ('lease.update' if outcome.new_host_id
                     else 'reservation.degraded')
            notifier.notify(ctx, event, payload)

    def delete_change(self, ctx, change_id):
        with db.writer(ctx) as session:
            change = session.get(models.CapacityChange, change_id)
            if change is None:
                raise exceptions.NotFound(object='Capacity change',
                                          id=change_id)
            host = session.get(models.Host, change.host_id)
            engine.claim(session, [host])
            session.delete(change)


def _beginning():
    return datetime.datetime.min


def _affected(outcome):
    return {'reservation_id': outcome.reservation_id,
            'lease_id': outcome.lease_id,
            'old_host_id': str(outcome.old_host_id),
            'new_host_id': (str(outcome.new_host_id)
                            if outcome.new_host_id else None),
            'outcome': 'moved' if outcome.new_host_id else 'missing'}
