"""/v1/floatingips: reservable floating IPs, Blazar's wire.

Reads come straight from the database; changes go to promise-manager over
RPC, which checks the address with Neutron and answers with its view.
"""

import pecan
from pecan import rest
import webob

from promise.api.controllers import base
from promise.api import params
from promise.api import validation
from promise.db import api as db
from promise.db import floatingips as fip_db
from promise.plugins.floatingips import schemas
from promise.policies import floatingips as fip_rules


class FloatingIPsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **query):
        base.authorize(fip_rules.GET)
        params.checked(query, ())
        with db.reader() as session:
            return {'floatingips': [fip_db.view(f)
                                    for f in fip_db.list_(session)]}

    @pecan.expose('json')
    def get_one(self, fip_id, **query):
        base.authorize(fip_rules.GET)
        params.checked(query, ())
        with db.reader() as session:
            return {'floatingip': fip_db.view(fip_db.get(session, fip_id))}

    @pecan.expose('json')
    def post(self):
        ctx = base.authorize(fip_rules.POST)
        body = validation.validate(schemas.REGISTER,
                                   validation.load_body(pecan.request))
        answer = pecan.request.rpcapi.create_floatingip(
            ctx, body['floating_network_id'], body['floating_ip_address'])
        pecan.response.status = 201
        return {'floatingip': answer}

    @pecan.expose('json')
    def delete(self, fip_id):
        ctx = base.authorize(fip_rules.DELETE)
        with db.reader() as session:
            fip = fip_db.get(session, fip_id)
        pecan.request.rpcapi.delete_floatingip(ctx, fip.id)
        return webob.Response(status=204)
