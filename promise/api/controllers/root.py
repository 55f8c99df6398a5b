import pecan

from promise.api.controllers import grants
from promise.api.controllers import multicloud
from promise.api.controllers import v1
from promise.api.middleware import microversion


def version_document(base_url):
    return {
        'id': 'v1.0',
        'status': 'CURRENT',
        'links': [{'href': '%s/v1' % base_url.rstrip('/'), 'rel': 'self'}],
        'min_version': microversion.version_string(microversion.MIN_VERSION),
        'max_version': microversion.version_string(microversion.MAX_VERSION),
    }


class RootController:
    v1 = v1.V1Controller()
    api = multicloud.ApiController()
    grant = grants.GrantRootController()

    @pecan.expose('json')
    def index(self):
        # 300 Multiple Choices, as Blazar answers version discovery.
        pecan.response.status = 300
        return {'versions': [version_document(pecan.request.application_url)]}

    @pecan.expose('json')
    def versions(self):
        return self.index()
