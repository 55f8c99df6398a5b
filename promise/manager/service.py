"""promise-manager: the RPC endpoint (thin), the event loop and the
periodic passes (usage, health, capacity, webhook delivery)."""

import functools
import inspect

from oslo_db import exception as db_exc
from oslo_log import log as logging
import oslo_messaging as messaging
import sqlalchemy as sa

from promise.common import deadlines
from promise.common import periodic
from promise.common import transport
from promise import conf
from promise import context
from promise.db import api as db
from promise.db import capacity_changes as change_db
from promise.db import hosts as host_db
from promise.db import subscriptions as subscription_db
from promise import exceptions
from promise.manager import addresses
from promise.manager import capacity
from promise.manager import events
from promise.manager import grants as grant_manager
from promise.manager import health
from promise.manager import hosts
from promise.manager import leases as lease_manager
from promise.manager import nova_events
from promise.manager import usage
from promise.notifications import delivery
from promise.notifications import notifier
from promise.notifications import subscriptions
from promise.plugins.floatingips import inventory as fip_inventory
from promise.plugins.instances import inventory as instance_inventory

CONF = conf.CONF
LOG = logging.getLogger(__name__)


def _database_outage(func):
    """A database that cannot be reached is an outage the caller hears
    about as 503 (a PromiseException crosses RPC intact), not a manager
    failure: oslo.db's DBConnectionError would reach the API as an
    unexplained RemoteError."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (db_exc.DBConnectionError, sa.exc.OperationalError) as exc:
            if not db.unreachable(exc):
                raise
            LOG.warning('%s: the database cannot be reached: %s',
                        func.__name__, exc)
            raise exceptions.ServiceUnavailable(
                reason='The database cannot be reached; try again '
                       'later.')
        except exceptions.PromiseException:
            raise
        except Exception as exc:
            # oslo.messaging cannot send back an exception whose
            # arguments are not JSON (the API would wait out its RPC
            # timeout and answer 503); answer a plain 500 at once.
            request_id = getattr(args[1] if len(args) > 1 else None,
                                 'request_id', None)
            LOG.exception('%s failed (request %s)', func.__name__,
                          request_id)
            raise exceptions.PromiseException(
                'promise-manager failed on %s: %s (request %s); its log '
                'has the details.' % (func.__name__, type(exc).__name__,
                                      request_id))
    return wrapper


class _Expected(type):
    """Marks every endpoint method: PromiseExceptions are answers to the
    caller (4xx), not manager failures to log with a traceback."""

    def __new__(mcs, name, bases, namespace):
        for key, value in list(namespace.items()):
            if inspect.isfunction(value) and not key.startswith('_'):
                namespace[key] = messaging.expected_exceptions(
                    exceptions.PromiseException)(_database_outage(value))
        return super().__new__(mcs, name, bases, namespace)


class ManagerEndpoint(metaclass=_Expected):
    # 1.1: create_lease and update_lease answer with the lease view, not
    # its id. 1.2: create_host, update_host, create_capacity_change and
    # create_subscription answer with their view; update_host_property.
    # 1.3: create_floatingip, delete_floatingip.
    target = messaging.Target(version='1.3')

    def __init__(self, lease_mgr, host_mgr, capacity_mgr):
        self._leases = lease_mgr
        self._hosts = host_mgr
        self._capacity = capacity_mgr
        self._subscriptions = subscriptions.SubscriptionManager()
        self._grants = grant_manager.GrantManager()
        self._floatingips = fip_inventory.FloatingIPInventory()

    def create_lease(self, ctxt, values, deadline=None):
        return self._leases.create_view(ctxt, values, deadline)

    def update_lease(self, ctxt, lease_id, values, deadline=None):
        return self._leases.update_view(ctxt, lease_id, values, deadline)

    def delete_lease(self, ctxt, lease_id, deadline=None):
        return self._leases.delete(ctxt, lease_id, deadline)

    def check_lease(self, ctxt, values, deadline=None):
        deadlines.check(deadline)
        return self._leases.check(ctxt, values)

    def create_host(self, ctxt, name, capabilities, deadline=None):
        deadlines.check(deadline)
        host_id = self._hosts.create(ctxt, name, capabilities)
        notifier.check_thresholds(ctxt)
        return _read(host_db.view, host_id)

    def update_host(self, ctxt, host_id, capabilities, deadline=None):
        deadlines.check(deadline)
        self._hosts.update(ctxt, host_id, capabilities)
        return _read(host_db.view, host_id)

    def update_host_property(self, ctxt, name, private, deadline=None):
        deadlines.check(deadline)
        with db.writer(ctxt) as session:
            return host_db.set_property_private(session, name, private)

    def delete_host(self, ctxt, host_id, deadline=None):
        deadlines.check(deadline)
        self._hosts.delete(ctxt, host_id)
        notifier.check_thresholds(ctxt)

    def create_floatingip(self, ctxt, network_id, address, deadline=None):
        deadlines.check(deadline)
        view = self._floatingips.create(ctxt, network_id, address)
        notifier.check_thresholds(ctxt)
        return view

    def delete_floatingip(self, ctxt, fip_id, deadline=None):
        deadlines.check(deadline)
        self._floatingips.delete(ctxt, fip_id)
        notifier.check_thresholds(ctxt)

    def create_capacity_change(self, ctxt, values, deadline=None):
        deadlines.check(deadline)
        change_id, affected = self._capacity.create_change(ctxt, values)
        notifier.check_thresholds(ctxt)  # webhook subscriptions
        return dict(_read(change_db.view, change_id),
                    affected_reservations=affected)

    def delete_capacity_change(self, ctxt, change_id, deadline=None):
        deadlines.check(deadline)
        result = self._capacity.delete_change(ctxt, change_id)
        notifier.check_thresholds(ctxt)  # webhook subscriptions
        return result

    # -- webhook subscriptions (promise.notifications) ----------------------

    def create_subscription(self, ctxt, values, deadline=None):
        deadlines.check(deadline)
        subscription_id = self._subscriptions.create(ctxt, values)
        return _read(subscription_db.view, subscription_id)

    def delete_subscription(self, ctxt, subscription_id, deadline=None):
        deadlines.check(deadline)
        return self._subscriptions.delete(ctxt, subscription_id)

    # -- SOL003 grants (promise.manager.grants) ----------------------------

    def grant(self, ctxt, request, deadline=None):
        deadlines.check(deadline)
        return self._grants.grant(ctxt, request)

    def end_grant_operation(self, ctxt, vnf_lcm_op_occ_id, state,
                            deadline=None):
        deadlines.check(deadline)
        return self._grants.end_operation(ctxt, vnf_lcm_op_occ_id, state)


def _read(view, *args):
    """A view read after the write committed: what the API shows."""
    with db.reader() as session:
        return view(session, *args)


class ManagerService:

    def __init__(self, host=None):
        host = host or CONF.host
        self.lease_manager = lease_manager.LeaseManager(wake=self._wake)
        self.event_loop = events.EventLoop(
            self.lease_manager.run_event, host,
            interval=CONF.manager.event_interval,
            claim_timeout=CONF.manager.event_claim_timeout)
        self.usage_loop = usage.loop(CONF.manager.usage_interval,
                                     reclaiming=True)
        self.health_loop = health.loop(CONF.manager.health_interval)
        self.address_loop = addresses.loop(CONF.manager.health_interval)
        self.nova_listener = nova_events.Listener()
        self.capacity_loop = periodic.Periodic(
            'capacity', CONF.manager.capacity_interval,
            lambda: instance_inventory.refresh_all(context.admin_context()))
        self.delivery_loop = delivery.DeliveryLoop(self.event_loop.owner)
        self.grant_loop = grant_manager.loop(CONF.nfv.hold_sweep_interval)
        self._server = transport.get_server(
            CONF.manager.topic, self.event_loop.owner,
            [ManagerEndpoint(self.lease_manager, hosts.HostManager(),
                             capacity.CapacityManager())])

    def _wake(self):
        self.event_loop.wake()

    def start(self):
        LOG.info('promise-manager %s listening on topic %s',
                 self.event_loop.owner, CONF.manager.topic)
        self._server.start()
        self.event_loop.start()
        self.usage_loop.start()
        self.delivery_loop.start()
        self.health_loop.start()
        self.address_loop.start()
        self.nova_listener.start()
        self.capacity_loop.start()
        self.grant_loop.start()

    def stop(self):
        self._server.stop()
        self.event_loop.stop()
        self.usage_loop.stop()
        self.delivery_loop.stop()
        self.health_loop.stop()
        self.address_loop.stop()
        self.nova_listener.stop()
        self.capacity_loop.stop()
        self.grant_loop.stop()

    def wait(self):
        self._server.wait()
        self.event_loop.wait()
        self.usage_loop.wait()
        self.delivery_loop.wait()
        self.health_loop.wait()
        self.address_loop.wait()
        self.nova_listener.wait()
        self.capacity_loop.wait()
        self.grant_loop.wait()
        self.lease_manager.shutdown()
