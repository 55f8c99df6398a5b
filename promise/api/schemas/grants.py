"""Request bodies of /grant/v1 (ETSI NFV-SOL003 v2.6.1, API 1.4.0):
GrantRequest, and the LCM notifications that end holds.

Identifiers are strings of SOL013's Identifier type; unknown attributes
are allowed where SOL003 lets producers extend a structure.
"""

IDENTIFIER = {'type': 'string', 'minLength': 1, 'maxLength': 255}
LINK = {'type': 'object',
        'properties': {'href': {'type': 'string', 'minLength': 1,
                                'maxLength': 2048}},
        'required': ['href']}

OPERATIONS = ['INSTANTIATE', 'SCALE', 'SCALE_TO_LEVEL', 'CHANGE_FLAVOUR',
              'TERMINATE', 'HEAL', 'OPERATE', 'CHANGE_EXT_CONN',
              'MODIFY_INFO', 'CREATE_SNAPSHOT', 'REVERT_TO_SNAPSHOT',
              'CHANGE_VNFPKG']

RESOURCE_DEFINITION = {
    'type': 'object',
    'properties': {
        'id': IDENTIFIER,
        'type': {'enum': ['COMPUTE', 'VL', 'STORAGE', 'LINKPORT']},
        'vduId': IDENTIFIER,
        'resourceTemplateId': IDENTIFIER,
        'resource': {'type': 'object'},
    },
    'required': ['id', 'type'],
    # A COMPUTE resource names its VDU: that is what maps to a flavor.
    'if': {'properties': {'type': {'const': 'COMPUTE'}}},
    'then': {'anyOf': [{'required': ['resourceTemplateId']},
                       {'required': ['resource']}]},
}

PLACEMENT_CONSTRAINT = {
    'type': 'object',
    'properties': {
        'affinityOrAntiAffinity': {'enum': ['AFFINITY', 'ANTI_AFFINITY']},
        'scope': {'enum': ['NFVI_POP', 'ZONE', 'ZONE_GROUP', 'NFVI_NODE']},
        'resource': {
            'type': 'array', 'minItems': 1,
            'items': {'type': 'object',
                      'properties': {
                          'idType': {'enum': ['RES_MGMT', 'GRANT']},
                          'resourceId': IDENTIFIER,
                          'vimConnectionId': IDENTIFIER,
                          'resourceProviderId': IDENTIFIER},
                      'required': ['idType', 'resourceId']}},
        'fallbackBestEffort': {'type': 'boolean'},
    },
    'required': ['affinityOrAntiAffinity', 'scope', 'resource'],
}

ADDITIONAL_PARAMS = {
    'type': 'object',
    'properties': {
        # Promise's own keys; the rest is the VNFM's business.
        'flavours': {'type': 'object',
                     'additionalProperties': IDENTIFIER},
        'reservationId': IDENTIFIER,
    },
}

GRANT_REQUEST = {
    'type': 'object',
    'properties': {
        'vnfInstanceId': IDENTIFIER,
        'vnfLcmOpOccId': IDENTIFIER,
        'vnfdId': IDENTIFIER,
        'flavourId': IDENTIFIER,
        'operation': {'enum': OPERATIONS},
        'isAutomaticInvocation': {'type': 'boolean'},
        'instantiationLevelId': IDENTIFIER,
        'addResources': {'type': 'array', 'items': RESOURCE_DEFINITION,
                         'maxItems': 1000},
        'tempResources': {'type': 'array', 'items': RESOURCE_DEFINITION,
                          'maxItems': 1000},
        'removeResources': {'type': 'array', 'items': RESOURCE_DEFINITION,
                            'maxItems': 1000},
        'updateResources': {'type': 'array', 'items': RESOURCE_DEFINITION,
                            'maxItems': 1000},
        'placementConstraints': {'type': 'array', 'maxItems': 1000,
                                 'items': PLACEMENT_CONSTRAINT},
        'vimConstraints': {'type': 'array', 'items': {'type': 'object'},
                           'maxItems': 1000},
        'additionalParams': ADDITIONAL_PARAMS,
        '_links': {
            'type': 'object',
            'properties': {'vnfLcmOpOcc': LINK, 'vnfInstance': LINK},
            'required': ['vnfLcmOpOcc', 'vnfInstance'],
        },
    },
    'required': ['vnfInstanceId', 'vnfLcmOpOccId', 'vnfdId', 'operation',
                 'isAutomaticInvocation', '_links'],
}

# VnfLcmOperationOccurrenceNotification; other notification types are
# accepted and ignored.
NOTIFICATION = {
    'type': 'object',
    'properties': {
        'notificationType': {'type': 'string', 'minLength': 1,
                             'maxLength': 255},
        'operationState': {'type': 'string', 'maxLength': 255},
        'vnfLcmOpOccId': IDENTIFIER,
        'vnfInstanceId': IDENTIFIER,
    },
    'required': ['notificationType'],
    'if': {'properties': {'notificationType': {
        'const': 'VnfLcmOperationOccurrenceNotification'}}},
    'then': {'required': ['operationState', 'vnfLcmOpOccId']},
}
