"""One keystoneauth session per process for Promise's service credentials.

Sessions are thread-safe and cache their token; building one per call
(as Blazar does) costs a token request each time.
"""

import threading

from keystoneauth1 import loading as ks_loading

from promise import conf

CONF = conf.CONF

_LOCK = threading.Lock()
_SESSIONS = {}


def session(group='nova'):
    if group not in _SESSIONS:
        with _LOCK:
            if group not in _SESSIONS:
                auth = ks_loading.load_auth_from_conf_options(CONF, group)
                _SESSIONS[group] = ks_loading.load_session_from_conf_options(
                    CONF, group, auth=auth)
    return _SESSIONS[group]


def reset():
    _SESSIONS.clear()
