"""Errors with an HTTP status; the API renders them as Blazar error bodies.

They cross RPC intact: oslo.messaging rebuilds them in the API process from
their class name, message and kwargs (this module is an allowed remote
exception module), so every subclass must accept (message=None, **kwargs).
"""


class PromiseException(Exception):
    code = 500
    msg_fmt = 'An unknown error occurred.'

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        self.kwargs.setdefault('code', self.code)
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)

    def extra(self):
        """Additional keys merged into the error body (e.g. offers)."""
        return {}


class Invalid(PromiseException):
    code = 400
    msg_fmt = 'Invalid request: %(reason)s'


class InvalidInput(Invalid):
    msg_fmt = '%(reason)s'


class InvalidDate(Invalid):
    msg_fmt = ('%(date)s is an invalid date. Required format: '
               '%%Y-%%m-%%d %%H:%%M')


class MissingParameter(Invalid):
    msg_fmt = 'Missing parameter %(param)s'


class InvalidPeriod(Invalid):
    msg_fmt = 'End date must be later than start date.'


class UnsupportedResourceType(Invalid):
    msg_fmt = ('Resource type %(resource_type)s is not enabled on this '
               'Promise service.')


class NotAuthorized(PromiseException):
    code = 403
    msg_fmt = 'Not authorized.'


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = 'Policy does not allow %(action)s to be performed.'


class NotFound(PromiseException):
    code = 404
    msg_fmt = '%(object)s %(id)s could not be found.'


class LeaseNotFound(NotFound):
    msg_fmt = 'Lease %(id)s could not be found.'


class Conflict(PromiseException):
    code = 409
    msg_fmt = 'Conflict: %(reason)s'


class InvalidStatus(Conflict):
    msg_fmt = ('Lease %(id)s is %(status)s; %(action)s is only allowed '
               'when it is %(allowed)s.')


class AmbiguousName(Conflict):
    msg_fmt = ('More than one lease is named %(name)s; use its id '
               'instead.')


class NotAcceptable(PromiseException):
    code = 406
    msg_fmt = '%(reason)s'


class ServiceUnavailable(PromiseException):
    code = 503
    msg_fmt = '%(reason)s'


class ServiceNotConfigured(ServiceUnavailable):
    """A service Promise calls (Nova, Placement) has no credentials in
    promise.conf; periodic tasks skip their work quietly on it."""


class RequestExpired(ServiceUnavailable):
    msg_fmt = ('The request reached promise-manager after the API had '
               'stopped waiting for it, so it was not carried out.')


class HostNotFound(NotFound):
    msg_fmt = 'Host %(host)s could not be found.'


class HypervisorNotFound(NotFound):
    msg_fmt = ('Nova has no hypervisor %(host)s; give its hypervisor '
               'hostname or id as Nova lists them.')


class CapacityConflict(Conflict):
    """The request does not fit. Carries the offer: what fits the window
    (``max_reservable``) and windows where all of it fits
    (``alternatives``), shown beside the error message."""

    def extra(self):
        return {key: self.kwargs[key]
                for key in ('max_reservable', 'alternatives')
                if key in self.kwargs}

    def with_offer(self, max_reservable, alternatives):
        kwargs = dict(self.kwargs, max_reservable=max_reservable,
                      alternatives=alternatives)
        return type(self)(self.message, **kwargs)


class NotEnoughHosts(CapacityConflict):
    msg_fmt = ('Not enough hosts available: %(wanted)s wanted from '
               '%(start)s to %(end)s, %(free)d free that match.')


class NotEnoughFloatingIPs(CapacityConflict):
    msg_fmt = ('Not enough floating IPs available: %(wanted)s wanted on '
               'network %(network)s from %(start)s to %(end)s, %(free)d '
               'free.')


class ConcurrentUpdate(PromiseException):
    """Another transaction changed the rows a decision was based on; the
    decision is retried from scratch."""
    code = 409
    msg_fmt = ('Another request changed the same resources at the same '
               'time; please retry.')


class EnforcementRefused(Invalid):
    """A lease refused by an [enforcement] filter (400, as Blazar)."""
    msg_fmt = '%(filter)s: %(reason)s'


class EnforcementUnavailable(ServiceUnavailable):
    msg_fmt = ('%(filter)s could not decide: %(reason)s. The lease is '
               'refused ([enforcement] external_service_fail_open is '
               'false).')


class QuotaExceeded(NotAuthorized):
    msg_fmt = ('Quota exceeded for this project (Keystone unified limits): '
               '%(reason)s.')
