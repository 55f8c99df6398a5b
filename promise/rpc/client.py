"""What the API process calls on promise-manager.

Invariant: every call carries a deadline (promise.common.deadlines) and
fails as ServiceUnavailable, never hangs, when the manager or the message
queue does not answer within [api] rpc_timeout.
"""

import threading

import oslo_messaging as messaging

from promise.common import deadlines
from promise.common import transport
from promise import conf
from promise import exceptions

CONF = conf.CONF

# Connection attempts to the message queue before the API gives up with 503
# (the default is to retry forever, which would hang the request). One
# retry rides out a broker failover and keeps the 503 of an outage quick.
_SEND_RETRIES = 1
# Seconds past rpc_timeout before a call still stuck inside oslo.messaging
# is abandoned.
_ABANDON_GRACE = 2


class _Abandoned(Exception):
    pass


def _bounded(func, timeout):
    """func() in a thread of its own, given up on after ``timeout``.

    Not every wait inside oslo.messaging honours ``retry``: opening the
    reply queue (the first call of an API process) retries forever while
    the broker is away. An abandoned call finishes by itself once the
    broker is back, after the deadline, so the manager drops it.
    """
    outcome = {}

    def run():
        try:
            outcome['result'] = func()
        except Exception as exc:
            outcome['error'] = exc

    worker = threading.Thread(target=run, daemon=True,
                              name='promise-rpc-call')
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise _Abandoned()
    if 'error' in outcome:
        raise outcome['error']
    return outcome['result']


class ManagerAPI:

    def __init__(self):
        self._timeout = CONF.api.rpc_timeout
        self._client = transport.get_client(CONF.manager.topic, self._timeout)

    def _call(self, ctx, method, **kwargs):
        deadline = deadlines.after(self._timeout)
        client = self._client.prepare(retry=_SEND_RETRIES)
        try:
            return _bounded(
                lambda: client.call(ctx, method, deadline=deadline,
                                    **kwargs),
                self._timeout + _ABANDON_GRACE)
        except _Abandoned:
            raise exceptions.ServiceUnavailable(
                reason='The message queue could not be reached within %d '
                       'seconds; the request was not carried out.'
                       % self._timeout)
        except messaging.MessagingTimeout:
            raise exceptions.ServiceUnavailable(
                reason='promise-manager did not answer within %d seconds '
                       '(RPC topic %s). Check that promise-manager is '
                       'running and reaches the message queue; the request '
                       'was not carried out.'
                       % (self._timeout, CONF.manager.topic))
        except messaging.RemoteError as exc:
            # An unexpected failure inside the manager: say so without
            # passing its internals (SQL, tracebacks) to the client.
            raise exceptions.PromiseException(
                'promise-manager failed to handle the request (%s); see '
                'its log for request %s.' % (exc.exc_type, ctx.request_id))
        except (messaging.MessageDeliveryFailure,
                messaging.exceptions.MessagingException) as exc:
            raise exceptions.ServiceUnavailable(
                reason='The message queue cannot be reached (%s); the '
                       'request was not carried out.' % exc)

    def create_lease(self, ctx, values):
        """The new lease's view (a manager before 1.1: its id)."""
        return self._call(ctx, 'create_lease', values=values)

    def update_lease(self, ctx, lease_id, values):
        """The lease's view (a manager before 1.1: its id)."""
        return self._call(ctx, 'update_lease', lease_id=lease_id,
                          values=values)

    def delete_lease(self, ctx, lease_id):
        return self._call(ctx, 'delete_lease', lease_id=lease_id)

    def check_lease(self, ctx, values):
        return self._call(ctx, 'check_lease', values=values)

    def create_host(self, ctx, name, capabilities):
        """The new host's view (a manager before 1.2: its id)."""
        return self._call(ctx, 'create_host', name=name,
                          capabilities=capabilities)

    def update_host(self, ctx, host_id, capabilities):
        """The host's view (a manager before 1.2: its id)."""
        return self._call(ctx, 'update_host', host_id=host_id,
                          capabilities=capabilities)

    def update_host_property(self, ctx, name, private):
        """The property's view (since 1.2)."""
        return self._call(ctx, 'update_host_property', name=name,
                          private=private)

    def delete_host(self, ctx, host_id):
        return self._call(ctx, 'delete_host', host_id=host_id)

    def create_floatingip(self, ctx, network_id, address):
        """The registered floating IP's view (since 1.3)."""
        return self._call(ctx, 'create_floatingip', network_id=network_id,
                          address=address)

    def delete_floatingip(self, ctx, fip_id):
        return self._call(ctx, 'delete_floatingip', fip_id=fip_id)

    def create_capacity_change(self, ctx, values):
        """The change's view with its affected_reservations (a manager
        before 1.2: [its id, the affected reservations])."""
        return self._call(ctx, 'create_capacity_change', values=values)

    def delete_capacity_change(self, ctx, change_id):
        return self._call(ctx, 'delete_capacity_change', change_id=change_id)

    # -- webhook subscriptions (promise.notifications) ----------------------

    def create_subscription(self, ctx, values):
        """The new subscription's view (a manager before 1.2: its id)."""
        return self._call(ctx, 'create_subscription', values=values)

    def delete_subscription(self, ctx, subscription_id):
        return self._call(ctx, 'delete_subscription',
                          subscription_id=subscription_id)

    # -- SOL003 grants (promise.manager.grants) ------------------------------

    def grant(self, ctx, request):
        return self._call(ctx, 'grant', request=request)

    def end_grant_operation(self, ctx, vnf_lcm_op_occ_id, state):
        return self._call(ctx, 'end_grant_operation',
                          vnf_lcm_op_occ_id=vnf_lcm_op_occ_id, state=state)
