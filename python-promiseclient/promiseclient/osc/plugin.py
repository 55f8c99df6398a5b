"""The OpenStackClient plugin module of Promise.

python-blazarclient registers itself as the ``reservation`` API; Promise's
additions register as ``promise`` (client attribute ``promise``, command
group ``openstack.promise.v1``), so both plugins load side by side and
their commands share the ``openstack reservation ...`` prefix without
sharing any name.
"""

import logging

from promiseclient.v1 import client as client_v1

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '1'

# Required by the OSC plugin interface.
API_NAME = 'promise'
API_VERSION_OPTION = 'os_promise_api_version'
API_VERSIONS = {'1': 'promiseclient.v1.client.Client'}

SERVICE_TYPE = client_v1.SERVICE_TYPE


def make_client(instance):
    """The Promise client of an OSC ClientManager: it shares the
    instance's keystoneauth session and finds the ``reservation`` endpoint
    the way python-blazarclient does (an ``--os-endpoint`` given with
    ``--os-auth-type none`` is honoured too)."""
    endpoint = instance.get_endpoint_for_service_type(
        SERVICE_TYPE, region_name=instance._region_name,
        interface=instance.interface)
    LOG.debug('Promise client on endpoint %s', endpoint or '<catalog>')
    return client_v1.Client(
        session=instance.session, endpoint_override=endpoint,
        service_type=SERVICE_TYPE, interface=instance.interface,
        region_name=instance._region_name)


def build_option_parser(parser):
    """Global options of the plugin (called by OpenStackShell)."""
    parser.add_argument(
        '--os-promise-api-version',
        metavar='<promise-api-version>',
        help='Promise API version, default=%s (Env: '
             'OS_PROMISE_API_VERSION)' % DEFAULT_API_VERSION)
    return parser
