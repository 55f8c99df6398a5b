"""SOL003 grant decisions in promise-manager, and the holds they leave.

A grant is decided and recorded in one transaction that first locks the
host rows (grants take turns; without it PostgreSQL let two grants both
take the last place in the functional race test): the capacity read,
the hosts the approved resources go to (their generation is bumped, so a
concurrent grant or lease that read the same hosts is retried with this
one in view), the Grant row and its holds. Two grants can therefore never
both take the last capacity.

Holds end when the VNFM says the operation is over (an LCM operation
occurrence notification: COMPLETED, FAILED or ROLLED_BACK), when a
TERMINATE grant (all of the VNF instance's holds) or a grant removing
COMPUTE resources (that many of the VDU's newest holds) arrives, or when
``[nfv] grant_hold_seconds`` pass. A periodic pass deletes expired holds;
until then they already count for nothing.

A refusal is an answer, not an error: ``grant`` returns {"refused":
detail} and the API turns it into 403 problem+json.
"""

import collections
import datetime
import json

from oslo_log import log as logging
import sqlalchemy as sa

from promise.clients import keystone
from promise.clients import nova as nova_client
from promise.common import dates
from promise.common import periodic
from promise.common import shapes
from promise import conf
from promise.conf import net_value as net_value_conf
from promise import context
from promise.db import api as db
from promise.db import grants as grant_db
from promise.db import hosts as host_db
from promise.db import models
from promise.db import retry
from promise import exceptions
from promise.nfv import grants
from promise.nfv import nova_side
from promise.plugins.instances import nova_objects
from promise.plugins import loader

CONF = conf.CONF
LOG = logging.getLogger(__name__)

# LCM operation states after which an operation's holds are not needed.
FINAL_STATES = ('COMPLETED', 'FAILED', 'ROLLED_BACK')


class GrantManager:

    def __init__(self, nova=None):
        self._nova = nova
        self._warned = False

    @property
    def nova(self):
        if self._nova is None:
            self._nova = nova_client.client()
        return self._nova

    def grant(self, ctx, request):
        """{"grant": Grant body} or {"refused": detail}."""
        flavor_map = dict(CONF.nfv.vdu_flavors)
        try:
            wanted = self._shapes(grants.flavors_wanted(request, flavor_map))
            grant = self._decide(ctx, request, flavor_map, wanted)
        except grants.GrantRefused as exc:
            LOG.info('Grant for VNF instance %s (%s) refused: %s',
                     request.get('vnfInstanceId'), request.get('operation'),
                     exc.detail)
            return {'refused': exc.detail}
        grant = self._bootable(ctx, grant, wanted)
        if request['operation'] in grants.RELEASING or request.get(
                'removeResources'):
            self.withdraw_released()
        LOG.info('Grant %s for VNF instance %s (%s) approved with %d '
                 'compute resource(s)', grant['id'],
                 grant['vnfInstanceId'], request.get('operation'),
                 len(grant['addResources']))
        return {'grant': grant}

    def _shapes(self, flavors):
        """{flavor: Shape}: [net_value] flavor_shapes first, then Nova.
        Read before the transaction opens: Nova may be slow."""
        by_flavor = {}
        configured = CONF.net_value.flavor_shapes
        for flavor in sorted(flavors):
            if flavor in configured:
                try:
                    size = net_value_conf.parse_shape(flavor,
                                                      configured[flavor])
                    by_flavor[flavor] = shapes.Shape(*size)
                except net_value_conf.InvalidConfig as exc:
                    raise exceptions.ServiceUnavailable(reason=str(exc))
                continue
            # VNFMs name flavors by id or by name.
            found = self.nova.find_flavor(flavor)
            if found is not None:
                by_flavor[flavor] = shapes.Shape(
                    int(found.vcpus), int(found.ram),
                    nova_objects.flavor_disk_gb(found, include_swap=False))
        return by_flavor

    @retry.decision
    def _decide(self, ctx, request, flavor_map, wanted):
        now = dates.utcnow()
        end = now + datetime.timedelta(minutes=CONF.nfv.grant_window_minutes)
        with db.writer(ctx) as session:
            # Grants queue here, one at a time: the next one reads the
            # holds this one commits. (The generation bump below still
            # guards against leases deciding on the same hosts.)
            session.execute(sa.select(models.Host.id)
                            .order_by(models.Host.id).with_for_update())
            self._release_for(session, ctx, request)
            reservation = self._reservation(session, ctx, request, now)
            decision = grants.decide(
                session, request, flavor_map, wanted, now, end,
                CONF.nfv.vim_connection_id,
                default_zone=CONF.nfv.default_availability_zone, now=now,
                reservation=reservation)
            hosts = sorted({h.host_id for h in decision.holds})
            host_db.claim(session, [session.get(models.Host, h)
                                    for h in hosts])
            grant = decision.grant
            session.add(models.Grant(
                id=grant['id'], vnf_instance_id=request['vnfInstanceId'],
                vnf_lcm_op_occ_id=request['vnfLcmOpOccId'],
                vnfd_id=request.get('vnfdId'),
                operation=request['operation'], project_id=ctx.project_id,
                user_id=ctx.user_id, body=json.dumps(grant)))
            session.flush()
            expires = now + datetime.timedelta(
                seconds=CONF.nfv.grant_hold_seconds)
            for hold in decision.holds:
                session.add(models.GrantHold(
                    grant_id=grant['id'],
                    vnf_instance_id=request['vnfInstanceId'],
                    vnf_lcm_op_occ_id=request['vnfLcmOpOccId'],
                    resource_id=hold.resource_id, vdu=hold.vdu,
                    host_id=hold.host_id, reservation_id=hold.reservation_id,
                    vcpus=hold.shape.vcpus, memory_mb=hold.shape.memory_mb,
                    disk_gb=hold.shape.disk_gb, expires_at=expires))
        return grant

    def _bootable(self, ctx, grant, sizes):
        """A grant on unreserved capacity answered with flavors that the
        scheduler filter lets onto its hosts (promise.nfv.nova_side). If
        Nova cannot make them the grant is forgotten, holds included, and
        the VNFM gets 503: an approval it could not boot on would hold
        capacity for nothing."""
        added = grant['addResources']
        if (not CONF.nfv.grant_flavors or not added or
                any('reservationId' in r for r in added)):
            return grant
        if not keystone.configured('nova'):
            if not self._warned:
                self._warned = True
                LOG.warning('Grants answer the VDU flavors as they are: '
                            '[nova] has no credentials, so no grant flavor '
                            'can be made')
            return grant
        assets = grant['vimAssets']['computeResourceFlavours']
        sources = {f['vimFlavourId'] for f in assets}
        with db.reader(ctx) as session:
            services = grant_db.service_names(session, grant['id'])
        side = nova_side.GrantNova(self.nova)
        try:
            made = side.provide(grant['id'], ctx.project_id, services,
                                {s: sizes[s] for s in sources})
        except Exception:
            LOG.exception('Grant %s: Nova could not make its flavors and '
                          'aggregate; the grant is withdrawn', grant['id'])
            try:
                side.withdraw(grant['id'], sources)
            except Exception:
                LOG.exception('Grant %s: cleaning up in Nova failed; the '
                              'hold sweep will try again', grant['id'])
            with db.writer(ctx) as session:
                grant_db.delete(session, grant['id'])
            raise exceptions.ServiceUnavailable(
                reason='Nova could not make the flavor that lets the VNFM '
                       'boot on the granted hosts; nothing was granted.')
        for flavor in assets:
            flavor['vimFlavourId'] = made[flavor['vimFlavourId']]
        with db.writer(ctx) as session:
            session.execute(sa.update(models.Grant)
                            .where(models.Grant.id == grant['id'])
                            .values(body=json.dumps(grant)))
        return grant

    def withdraw_released(self):
        """Remove the Nova flavors and aggregates of grants that hold
        nothing any more; a failure is logged (the sweep tries again)."""
        if not (CONF.nfv.grant_flavors and keystone.configured('nova')):
            return []

        def live():
            with db.reader(context.admin_context()) as session:
                return grant_db.live_grant_ids(session, dates.utcnow())

        try:
            gone = nova_side.GrantNova(self.nova).reconcile(live)
        except Exception:
            LOG.exception('Removing the Nova flavors of released grants '
                          'failed; the next hold sweep tries again')
            return []
        if gone:
            LOG.info('Flavors and aggregates of %d released grant(s) '
                     'removed from Nova', len(gone))
        return gone

    @staticmethod
    def _release_for(session, ctx, request):
        """What a TERMINATE or a removal of COMPUTE resources frees, in
        the decision's transaction (a HEAL removes and adds at once).
        Only the caller's project's holds (an admin's: any project's), as
        for LCM notifications: another project cannot end them by naming
        the VNF instance."""
        vnf = request['vnfInstanceId']
        scope = _hold_scope(ctx)
        if request['operation'] in grants.RELEASING:
            count = grant_db.release_instance(session, vnf, None, *scope)
        else:
            removed = collections.Counter(
                r.get('resourceTemplateId')
                for r in request.get('removeResources') or []
                if r.get('type') == grants.COMPUTE)
            if not removed:
                return
            count = grant_db.release_instance(session, vnf, removed,
                                              *scope)
        if count:
            LOG.info('%d hold(s) of VNF instance %s released by its %s '
                     'grant', count, vnf, request['operation'])

    @staticmethod
    def _reservation(session, ctx, request, now):
        """The instance reservation named by additionalParams.reservationId,
        if the caller's project may draw on it now."""
        params = request.get('additionalParams') or {}
        reservation_id = params.get('reservationId')
        if not reservation_id:
            return None
        reservation = session.get(models.Reservation, reservation_id)
        lease = reservation.lease if reservation is not None else None
        if lease is None or (lease.project_id != ctx.project_id and
                             not ctx.is_admin):
            raise grants.GrantRefused(
                'Reservation %s does not exist.' % reservation_id)
        if reservation.resource_type not in loader.types_with(
                'instance_slots'):
            raise grants.GrantRefused(
                'Reservation %s is a %s reservation; grants draw on '
                'instance reservations only.'
                % (reservation_id, reservation.resource_type))
        if not lease.start_date <= now < lease.end_date:
            raise grants.GrantRefused(
                'Reservation %s is not active now: its lease runs from %s '
                'to %s.' % (reservation_id,
                            dates.format_date(lease.start_date),
                            dates.format_date(lease.end_date)))
        return reservation

    def end_operation(self, ctx, vnf_lcm_op_occ_id, state):
        """An LCM operation occurrence reached ``state``: holds of a
        finished operation end. Returns how many ended."""
        if state not in FINAL_STATES:
            return 0
        with db.writer(ctx) as session:
            count = grant_db.release_operation(
                session, vnf_lcm_op_occ_id, *_hold_scope(ctx))
        if count:
            LOG.info('%d hold(s) of LCM operation %s released: it is %s',
                     count, vnf_lcm_op_occ_id, state)
            self.withdraw_released()
        return count


def _hold_scope(ctx):
    """(project_id, all_projects) of the holds ``ctx`` may end: an
    admin's (the API's admin rule, promise.api.middleware.context) any
    project's; anyone else's only their project's, and a caller without a
    project none at all (the API refuses such tokens; this is the second
    lock)."""
    return ctx.project_id, bool(ctx.is_admin)


def sweep(manager=None):
    """Delete holds that have expired, then what Nova keeps for grants
    that hold nothing any more."""
    with db.writer(context.admin_context()) as session:
        count = grant_db.delete_expired(session, dates.utcnow())
    if count:
        LOG.info('%d expired grant hold(s) deleted', count)
    (manager or GrantManager()).withdraw_released()
    return count


def loop(interval):
    return periodic.Periodic('grant-holds', interval, sweep)
