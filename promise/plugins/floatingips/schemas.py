"""virtual:floatingip request fields, as JSON schema (ResourcePlugin
request_schema / update_properties)."""

from promise.common import schema_types

# Neutron ids are UUIDs; addresses are checked as IPs by the plugin.
NETWORK_ID = {'type': 'string', 'minLength': 1, 'maxLength': 36}
ADDRESS = {'type': 'string', 'minLength': 1, 'maxLength': 45}
# More addresses than any external network an operator registers.
MAX_ADDRESSES = 4096
REQUIRED = {'type': ['array', 'null'], 'items': ADDRESS,
            'maxItems': MAX_ADDRESSES}

CREATE = {
    'properties': {
        'network_id': NETWORK_ID,
        'amount': schema_types.INT_LIKE,
        'required_floatingips': REQUIRED,
    },
    'required': ['network_id', 'amount'],
}

# On an update "" is no number: a given amount must be one.
UPDATE = dict(CREATE['properties'], amount=schema_types.INT_GIVEN)

# POST /v1/floatingips (Blazar's body).
REGISTER = {
    'type': 'object',
    'properties': {
        'floating_network_id': NETWORK_ID,
        'floating_ip_address': ADDRESS,
    },
    'required': ['floating_network_id', 'floating_ip_address'],
    'additionalProperties': False,
}
