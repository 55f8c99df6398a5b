"""Django settings for the unit tests: Horizon's test settings with the
Promise panels enabled."""

from openstack_dashboard.test.settings import *  # noqa: F403,H303

import openstack_dashboard.enabled  # noqa: E402
from openstack_dashboard.utils import settings as settings_utils  # noqa
import promise_dashboard.enabled  # noqa: E402

HORIZON_CONFIG.pop('dashboards', None)  # noqa: F405
HORIZON_CONFIG.pop('default_dashboard', None)  # noqa: F405
settings_utils.update_dashboards(
    [openstack_dashboard.enabled, promise_dashboard.enabled],
    HORIZON_CONFIG,  # noqa: F405
    INSTALLED_APPS)  # noqa: F405
INSTALLED_APPS = list(dict.fromkeys(INSTALLED_APPS))  # noqa: F405
