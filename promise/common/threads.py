"""Promise runs on native threads: oslo.service's threading backend, and
no eventlet banner.

oslo.service still requires eventlet, and futurist imports it whenever it
is installed, which prints eventlet's deprecation warning; Promise never
monkey-patches nor uses it, so that one warning is silenced. Imported
first by every console script and by the WSGI module.
"""

import warnings

from oslo_service import backend

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated',
                        category=Warning)


def select():
    """The threading backend, unless something chose one already."""
    try:
        backend.init_backend(backend.BackendType.THREADING)
    except backend.exceptions.BackendAlreadySelected:
        pass
    return backend.get_backend_type()


select()
