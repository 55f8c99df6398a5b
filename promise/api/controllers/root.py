"""The API root: version discovery and the three API trees."""

import pecan

from promise.api.controllers import grants
from promise.api.controllers import multicloud
from promise.api.controllers import v1
from promise.api import versions


class RootController:
    v1 = v1.V1Controller()
    api = multicloud.ApiController()
    grant = grants.GrantRootController()

    @pecan.expose('json')
    def index(self):
        # 300 Multiple Choices, as Blazar answers version discovery.
        pecan.response.status = 300
        base = pecan.request.application_url
        return {'versions': [versions.version_document(base)]}

    @pecan.expose('json')
    def versions(self):
        return self.index()
