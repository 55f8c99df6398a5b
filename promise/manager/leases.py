"""Lease lifecycle: create, update, delete, and the start / before-end / end
events, all driven through the status machine in ``status``.

Every change of a lease's status goes through ``_transition``, which wins
the move with a row lock and lands in the action's result or in ERROR;
the webhook deliveries of an announced change are written in the same
transaction as the change (transactional outbox)."""

import contextlib
import functools

from oslo_log import log as logging
from oslo_utils import uuidutils
import sqlalchemy as sa

from promise.clients import failures
from promise.common import dates
from promise.common import deadlines
from promise.common import views
from promise import conf
from promise import context
from promise.db import api as db
from promise.db import leases as lease_db
from promise.db import models
from promise.db import retry
from promise.engine import offers
from promise import exceptions
from promise.manager import background
from promise.manager import enforcement
from promise.manager import quota
from promise.manager import schedule
from promise.notifications import notifier
from promise.notifications import outbox
from promise.plugins import loader
from promise import status

CONF = conf.CONF
LOG = logging.getLogger(__name__)


def _minute_floor(value):
    return value.replace(second=0, microsecond=0)


def _empty_relations():
    """Every relationship of a new reservation, empty: set before the
    flush, they count as loaded, so the plugins filling them in do not
    make SQLAlchemy select what cannot exist yet (one query each)."""
    return {rel.key: [] if rel.uselist else None
            for rel in sa.inspect(models.Reservation).relationships
            if rel.key != 'lease'}


def _discard(res_id, work):
    # Failing (Nova down) must not keep the user from deleting the lease.
    try:
        work()
    except exceptions.ServiceNotConfigured as exc:
        LOG.debug('Reservation %s: discard skipped: %s', res_id, exc)
    except Exception:
        LOG.exception('Could not remove what reservation %s prepared in '
                      'other services', res_id)


class LeaseManager:

    def __init__(self, wake=None):
        # Called when an event may have become due right now.
        self._wake = wake or (lambda: None)
        self._background = background.Background()

    def drain(self):
        """Wait for the work that followed the answers given so far."""
        self._background.drain()

    def shutdown(self):
        self._background.shutdown()

    # -- API requests ------------------------------------------------------

    @staticmethod
    def _resolve(ctx, values):
        """Plugins complete reservation values from other services (a
        flavor's shape...) before any transaction opens."""
        return dict(values, reservations=[
            loader.get(r['resource_type']).resolve(ctx, r)
            for r in values.get('reservations', [])])

    def create_view(self, ctx, values, deadline=None):
        """Returns the new lease as the API shows it, as committed: the
        API answers with it instead of reading the lease again."""
        values = self._resolve(ctx, values)
        values, undos = loader.before_create(ctx, values)
        try:
            return self._create(ctx, values, deadline)
        except Exception:
            for undo in undos:
                undo()
            raise

    @retry.decision
    def _create(self, ctx, values, deadline=None):
        start, end = values['start_date'], values['end_date']
        before_end = values.get('before_end_date')
        schedule.check_period(start, end, before_end)
        try:
            with db.writer(ctx) as session:
                deadlines.check(deadline)
                lease = self._build(session, ctx, values, start, end)
                enforcement.check_create(ctx, lease)
                quota.check(session, lease)
                deadlines.check(deadline)
                payload = self._payload(lease)
                outbox.record_in(session, 'lease.create', payload)
        except exceptions.CapacityConflict as exc:
            raise exc.with_offer(**self._offer(ctx, values))
        LOG.info('Lease %s created for project %s with %d reservation(s)',
                 lease.id, lease.project_id, len(lease.reservations))
        notifier.notify(ctx, 'lease.create', payload, recorded=True)
        for res in lease.reservations:
            self._background.submit(res.id, self._prepare, ctx, lease, res)
        if start <= dates.utcnow():
            self._wake()
        return payload['lease']

    def _build(self, session, ctx, values, start, end):
        """Add a lease with its reservations and events for [start, end);
        plugins allocate (or raise CapacityConflict) in this session."""
        lease = models.Lease(
            id=uuidutils.generate_uuid(), name=values['name'],
            user_id=ctx.user_id, project_id=ctx.project_id,
            status=status.PENDING, degraded=False,
            start_date=start, end_date=end, reservations=[], events=[])
        session.add(lease)
        for res_values in values.get('reservations', []):
            self._add_reservation(session, lease, res_values)
        before_end = values.get('before_end_date')
        if before_end is not None and start != values['start_date']:
            # An alternative window keeps the warning at the same offset.
            before_end = start + (before_end - values['start_date'])
        lease.events.extend(schedule.new_events(start, end, before_end))
        session.flush()
        return lease

    def check(self, ctx, values):
        """Whether the lease would be accepted, and the offer; writes
        nothing (every trial runs in a savepoint that is rolled back)."""
        schedule.check_period(values['start_date'], values['end_date'],
                              values.get('before_end_date'))
        return self._offer(ctx, self._resolve(ctx, values),
                           with_feasible=True)

    def _offer(self, ctx, values, with_feasible=False):
        def reserve(session, t_start, t_end):
            self._build(session, ctx, values, t_start, t_end)

        with db.writer(ctx) as session:
            return offers.offer(session, loader.get, reserve, values,
                                with_feasible)

    def _add_reservation(self, session, lease, res_values):
        res_values = dict(res_values)
        resource_type = res_values.pop('resource_type')
        expiry = res_values.pop('expiry', None)
        res_id = res_values.pop('_id', None) or uuidutils.generate_uuid()
        plugin = loader.get(resource_type)
        res = models.Reservation(
            id=res_id, resource_type=resource_type,
            status=status.Reservation.PENDING, missing_resources=False,
            resources_changed=False, expiry=expiry,
            **_empty_relations())
        lease.reservations.append(res)
        session.flush()
        plugin.reserve(session, lease, res, res_values)

    def _prepare(self, ctx, lease, res):
        # Preparation (Nova objects) happens after the answer is decided and
        # is retried at start, so a failure here only gets logged.
        try:
            self._plugin_call(res, 'prepare', ctx, lease)
        except Exception:
            LOG.exception('Preparing reservation %s failed; it will be '
                          'retried when the lease starts', res.id)

    def update_view(self, ctx, lease_id, values, deadline=None):
        """Returns the updated lease as the API shows it."""
        if values.get('reservations'):
            with db.reader(ctx) as session:
                types = {r.id: r.resource_type for r in
                         lease_db.get(session, lease_id).reservations}
            values = dict(values, reservations=[
                loader.get(types[c['id']]).resolve(ctx, c)
                if c['id'] in types else c
                for c in values['reservations']])
        lease = self._update(ctx, lease_id, values, deadline)
        for res in lease.reservations:
            try:
                loader.get(res.resource_type).after_update(ctx, lease, res)
            except Exception:
                LOG.exception('Applying the update of reservation %s in '
                              'other services failed', res.id)
        # After the plugins, which record what they made in Nova (an
        # aggregate's id...) on these objects as well as in the database.
        return views.lease(lease)

    @retry.decision
    def _update(self, ctx, lease_id, values, deadline=None):
        now = dates.utcnow()
        with db.writer(ctx) as session:
            deadlines.check(deadline)
            lease = lease_db.get(session, lease_id, for_update=True)
            if lease.status not in status.ACTIONS['update'].sources:
                raise exceptions.InvalidStatus(
                    id=lease.id, status=lease.status, action='update',
                    allowed=' or '.join(status.ACTIONS['update'].sources))
            started = lease.status == status.ACTIVE
            before = (enforcement.lease_values(lease)
                      if CONF.enforcement.enabled_filters else None)
            start = values.get('start_date', lease.start_date)
            end = values.get('end_date', lease.end_date)
            if 'start_date' in values and start != lease.start_date:
                if started:
                    raise exceptions.InvalidInput(
                        reason='Cannot modify the start date of a lease '
                               'that has already started.')
                if start < _minute_floor(now):
                    raise exceptions.InvalidInput(
                        reason='Start date must be later than current '
                               'date.')
            if ('end_date' in values and end != lease.end_date and
                    end < _minute_floor(now)):
                raise exceptions.InvalidInput(
                    reason='End date must be later than current date; use '
                           '"now" to end the lease now.')
            schedule.check_period(start, end, values.get('before_end_date'))
            if 'name' in values:
                lease.name = values['name']
            lease.start_date, lease.end_date = start, end
            changes = {c['id']: dict(c) for c in
                       values.get('reservations', [])}
            unknown = set(changes) - {r.id for r in lease.reservations}
            if unknown:
                raise exceptions.InvalidInput(
                    reason='Reservation(s) %s are not part of lease %s.'
                    % (', '.join(sorted(unknown)), lease.id))
            # Every reservation sees the update: new dates move its
            # allocations even when its own fields do not change.
            for res in lease.reservations:
                change = changes.get(res.id, {})
                change.pop('id', None)
                loader.get(res.resource_type).update(session, lease, res,
                                                     change)
            schedule.reschedule(lease, values, now)
            lease.updated_at = now
            session.flush()
            enforcement.check_update(ctx, lease, before)
            quota.check(session, lease)
            deadlines.check(deadline)
            payload = self._payload(lease)
            outbox.record_in(session, 'lease.update', payload)
        notifier.notify(ctx, 'lease.update', payload, recorded=True)
        if min(e.time for e in lease.events
               if e.status == status.Event.UNDONE) <= dates.utcnow():
            self._wake()
        return lease

    def delete(self, ctx, lease_id, deadline=None):
        later = []
        with self._transition(ctx, lease_id, 'delete',
                              deadline=deadline) as lease:
            if lease.status_before in (status.ACTIVE, status.ERROR):
                self._each_plugin(ctx, lease, 'on_end')
            elif lease.status_before == status.PENDING:
                later = self._discards(ctx, lease)
            payload = self._delete_rows(ctx, lease)
        notifier.notify(ctx, 'lease.delete', payload, recorded=True)
        for res_id, work in later:
            self._background.submit(res_id, _discard, res_id, work)

    @staticmethod
    def _discards(ctx, lease):
        # Nothing of a pending lease runs yet: what it prepared in other
        # services holds no host and is removed after the answer.
        return [(res.id, loader.get(res.resource_type).discard_later(
            ctx, lease, res)) for res in lease.reservations]

    @retry.decision
    def _delete_rows(self, ctx, lease):
        with db.writer(ctx) as session:
            fresh = lease_db.get(session, lease.id, for_update=True)
            payload = self._payload(fresh)
            for res in fresh.reservations:
                loader.get(res.resource_type).release(session, fresh, res)
            session.delete(fresh)
            outbox.record_in(session, 'lease.delete', payload)
        return payload

    # -- events --------------------------------------------------------------

    def run_event(self, event, finish=None):
        """Run a due event. ``finish(session)``, when given, records the
        event as done in the caller's transaction and says whether it
        still held the claim: an event whose only outcome is a webhook
        (before-end) records it with its completion, so it is sent once
        however a manager dies."""
        handler, done = {
            status.Event.START: (self._start, status.ACTIVE),
            status.Event.BEFORE_END: (
                functools.partial(self._before_end, finish=finish), None),
            status.Event.END: (self._end, status.TERMINATED)}[
                event.event_type]
        ctx = context.admin_context()
        with db.reader(ctx) as session:
            current = lease_db.get(session, event.lease_id).status
        if current == done:
            # Run again after its manager died between finishing the
            # work and recording the event: nothing left to do.
            LOG.info('Lease %s is already %s; %s has nothing to do',
                     event.lease_id, current, event.event_type)
            return
        handler(ctx, event.lease_id)

    def _start(self, ctx, lease_id):
        with self._transition(ctx, lease_id, 'start',
                              announce='lease.event.start_lease') as lease:
            for res in lease.reservations:
                self._plugin_call(res, 'prepare', ctx, lease)
            notify = functools.partial(notifier.notify, ctx)
            for res in self._unexpired(lease):
                # Normally done a grace period before the start already.
                try:
                    loader.get(res.resource_type).preempt(ctx, lease, res,
                                                          notify)
                except exceptions.ServiceNotConfigured:
                    pass  # no Nova: no preemptible servers either
                self._plugin_call(res, 'on_start', ctx, lease)
            self._set_reservations(ctx, lease, status.Reservation.ACTIVE)

    def _before_end(self, ctx, lease_id, finish=None):
        with db.reader(ctx) as session:
            lease = lease_db.get(session, lease_id)
        if lease.status != status.ACTIVE:
            LOG.info('Lease %s is %s; skipping its before-end action',
                     lease_id, lease.status)
            return
        self._each_plugin(ctx, lease, 'before_end')
        payload = self._payload(lease)
        with db.writer(ctx) as session:
            if finish is not None and not finish(session):
                # Taken over: the manager that holds it now announces.
                return
            outbox.record_in(session, 'lease.event.before_end_lease',
                             payload)
        notifier.notify(ctx, 'lease.event.before_end_lease', payload,
                        recorded=True)

    def _end(self, ctx, lease_id):
        with self._transition(ctx, lease_id, 'end',
                              announce='lease.event.end_lease') as lease:
            self._each_plugin(ctx, lease, 'on_end')
            self._set_reservations(ctx, lease, status.Reservation.DELETED)
        enforcement.on_end(ctx, lease)

    # -- helpers -------------------------------------------------------------

    @contextlib.contextmanager
    def _transition(self, ctx, lease_id, action, deadline=None,
                    announce=None):
        """Move a lease through ``action``'s transitional status.

        Yields the lease (as read when the move was won, with
        ``status_before`` set); on success it lands in the action's result
        (or back where it was), on failure in ERROR with the reason. On
        success ``announce`` is notified, its webhook deliveries written in
        the transaction that sets the result.
        """
        spec = status.ACTIONS[action]
        with db.writer(ctx) as session:
            deadlines.check(deadline)
            lease = lease_db.get(session, lease_id, for_update=True)
            if lease.status not in spec.sources:
                raise exceptions.InvalidStatus(
                    id=lease.id, status=lease.status, action=action,
                    allowed=' or '.join(spec.sources))
            lease.status_before = lease.status
            lease_db.set_status(session, lease_id, spec.via)
        try:
            yield lease
        except Exception as exc:
            if db.transient(exc) and spec.via in spec.sources:
                # Left in its transitional status, which the action's
                # retry (the event, run again) starts from.
                raise
            request_id = (getattr(ctx, 'request_id', None) or
                          'req-' + uuidutils.generate_uuid())
            LOG.exception('Lease %s: %s failed (request %s)', lease_id,
                          action, request_id)
            with db.writer(ctx) as session:
                lease_db.set_status(session, lease_id, status.ERROR,
                                    reason=failures.reason(action, exc,
                                                           request_id))
            raise
        result = spec.result or (lease.status_before
                                 if action != 'delete' else None)
        if result is not None:
            with db.writer(ctx) as session:
                lease_db.set_status(session, lease_id, result,
                                    expected=(spec.via,))
                lease.status = result
                if announce:
                    payload = self._payload(lease)
                    outbox.record_in(session, announce, payload)
            if announce:
                notifier.notify(ctx, announce, payload, recorded=True)

    def _each_plugin(self, ctx, lease, method):
        for res in self._unexpired(lease):
            self._plugin_call(res, method, ctx, lease)

    @staticmethod
    def _unexpired(lease):
        # An expired reservation was released already; its resources may
        # be someone else's now.
        return [res for res in lease.reservations
                if res.status != status.Reservation.EXPIRED]

    @staticmethod
    def _plugin_call(res, method, ctx, lease):
        try:
            return getattr(loader.get(res.resource_type), method)(
                ctx, lease, res)
        except exceptions.ServiceNotConfigured as exc:
            # Said once when the manager started: with no credentials for
            # Nova a lease runs in Promise alone (promise-all's fake
            # hosts), instead of failing at every step.
            LOG.debug('Reservation %s: %s skipped: %s', res.id, method, exc)
            return None

    @staticmethod
    def _set_reservations(ctx, lease, new_status):
        if not lease.reservations:
            return
        with db.writer(ctx) as session:
            for res in lease.reservations:
                if res.status == status.Reservation.EXPIRED:
                    continue
                session.get(models.Reservation, res.id).status = new_status
                res.status = new_status

    @staticmethod
    def _payload(lease):
        return {'lease': views.lease(lease)}
