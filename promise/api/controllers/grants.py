"""/grant/v1: the ETSI NFV-SOL003 Grant interface (API version 1.4.0),
as a VNFM such as Tacker calls it.

``POST /grant/v1/grants`` is decided synchronously by promise-manager:
201 with the Grant and a Location, or 403 when capacity does not allow it.
``GET /grant/v1/grants/{id}`` shows a stored grant. ``/grant/v1/
notifications`` is a callback URI for the VNFM's LCM operation occurrence
notifications (GET answers 204 as SOL003 subscription tests expect); a
finished operation's holds end there.

Every error here is SOL013 ``application/problem+json`` ({status, detail,
title}), not Blazar's body: VNFMs read ``detail``. Every answer carries
the ``Version`` header; a request must send one of major version 1.
"""

from oslo_log import log as logging
from oslo_serialization import jsonutils
import pecan
import webob

from promise.api.controllers import base
from promise.api import errors
from promise.api.schemas import grants as schema
from promise.api import validation
from promise.db import api as db
from promise.db import grants as grant_db
from promise import exceptions
from promise.policies import grants as grant_rules

LOG = logging.getLogger(__name__)

API_VERSION = errors.GRANT_API_VERSION
MAJOR = '1'


def _check_version():
    text = pecan.request.headers.get('Version')
    if text is None:
        raise exceptions.InvalidInput(
            reason='The Version header is required (this API is %s).'
            % API_VERSION)
    if text.strip().split('.')[0] != MAJOR:
        raise exceptions.NotAcceptable(
            reason='Version %s is not supported: this API is %s.'
            % (text, API_VERSION))


def _answer(handler):
    """Run a handler; PromiseExceptions and crashes become problem+json."""
    try:
        _check_version()
        return handler()
    except exceptions.PromiseException as exc:
        if exc.code >= 500:
            LOG.warning('%s %s: %s', pecan.request.method,
                        pecan.request.path, exc.message)
        return errors.problem(exc.code, exc.message)
    except Exception:
        LOG.exception('Unhandled error serving %s %s', pecan.request.method,
                      pecan.request.path)
        return errors.problem(500, 'The server failed to handle the '
                                   'request; see the promise-api log.')


def _not_allowed(allow, detail):
    # pecan runs a generic index for every method without a handler.
    return base.not_allowed(allow, detail, render=errors.problem)


def _json(status, body, headers=None):
    resp = webob.Response(status=status, content_type='application/json',
                          charset='UTF-8')
    resp.text = jsonutils.dumps(body)
    resp.headers['Version'] = API_VERSION
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def _absolute(grant):
    """Links as the VNFM will follow them: absolute."""
    base = pecan.request.application_url.rstrip('/')
    grant = dict(grant, _links=dict(grant['_links']))
    href = grant['_links']['self']['href']
    grant['_links']['self'] = {'href': base + href}
    return grant


class GrantsController:

    @pecan.expose('json', generic=True)
    def index(self):
        return _not_allowed('POST', 'Grants are created with POST; show '
                                    'one with GET /grant/v1/grants/'
                                    '{grantId}.')

    @index.when(method='POST', template='json')
    def index_post(self):
        return _answer(self._create)

    @staticmethod
    def _create():
        ctx = base.authorize(grant_rules.CREATE)
        body = validation.validate(schema.GRANT_REQUEST,
                                   validation.load_body(pecan.request))
        answer = pecan.request.rpcapi.grant(ctx, body)
        if 'refused' in answer:
            return errors.problem(403, answer['refused'])
        grant = _absolute(answer['grant'])
        return _json(201, grant,
                     {'Location': grant['_links']['self']['href']})

    @pecan.expose()
    def _lookup(self, grant_id, *remainder):
        if remainder:
            pecan.abort(404)
        return GrantController(grant_id), remainder


class GrantController:

    def __init__(self, grant_id):
        self.grant_id = grant_id

    @pecan.expose('json', generic=True)
    def index(self):
        return _not_allowed('GET', 'A grant can only be shown (GET).')

    @index.when(method='GET', template='json')
    def index_get(self):
        return _answer(self._show)

    def _show(self):
        ctx = pecan.request.context
        with db.reader() as session:
            row = grant_db.get(session, self.grant_id)
        base.owned_or_404(ctx, grant_rules.GET, row,
                          exceptions.NotFound(object='Grant',
                                              id=self.grant_id))
        return _json(200, _absolute(jsonutils.loads(row.body)))


class NotificationsController:

    @pecan.expose('json', generic=True)
    def index(self):
        return _not_allowed('GET, POST', 'The notification callback takes '
                                         'GET (a test) and POST.')

    @index.when(method='GET', template='json')
    def index_get(self):
        # A VNFM tests a callback URI with GET before it subscribes it.
        return _answer(self._test)

    @index.when(method='POST', template='json')
    def index_post(self):
        return _answer(self._notify)

    @staticmethod
    def _test():
        base.authorize(grant_rules.NOTIFY)
        return webob.Response(status=204, headers={'Version': API_VERSION})

    @staticmethod
    def _notify():
        ctx = base.authorize(grant_rules.NOTIFY)
        body = validation.validate(schema.NOTIFICATION,
                                   validation.load_body(pecan.request))
        if body['notificationType'] == (
                'VnfLcmOperationOccurrenceNotification'):
            pecan.request.rpcapi.end_grant_operation(
                ctx, body['vnfLcmOpOccId'], body['operationState'])
        return webob.Response(status=204, headers={'Version': API_VERSION})


class GrantV1Controller:
    grants = GrantsController()
    notifications = NotificationsController()


class GrantRootController:
    """/grant: the SOL003 Grant interface's API root."""
    v1 = GrantV1Controller()
