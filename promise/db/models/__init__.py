"""SQLAlchemy models, one module per area. Alembic migrations under
db/migration build the same schema; a test compares the two."""

from promise.db.models.base import Base  # noqa: F401
from promise.db.models.base import DateTime  # noqa: F401
from promise.db.models.capacity import CapacityChange  # noqa: F401
from promise.db.models.capacity import Usage  # noqa: F401
from promise.db.models.floatingips import FloatingIP  # noqa: F401
from promise.db.models.floatingips import FloatingIPAllocation  # noqa: F401
from promise.db.models.floatingips import FloatingIPReservation  # noqa: F401
from promise.db.models.grants import Grant  # noqa: F401
from promise.db.models.grants import GrantHold  # noqa: F401
from promise.db.models.hosts import Host  # noqa: F401
from promise.db.models.hosts import HostAllocation  # noqa: F401
from promise.db.models.hosts import HostCapability  # noqa: F401
from promise.db.models.hosts import HostReservation  # noqa: F401
from promise.db.models.hosts import ResourceProperty  # noqa: F401
from promise.db.models.instances import InstanceAllocation  # noqa: F401
from promise.db.models.instances import InstanceReservation  # noqa: F401
from promise.db.models.leases import Event  # noqa: F401
from promise.db.models.leases import Lease  # noqa: F401
from promise.db.models.leases import Reservation  # noqa: F401
from promise.db.models.quota import ProjectLock  # noqa: F401
from promise.db.models.subscriptions import Delivery  # noqa: F401
from promise.db.models.subscriptions import Subscription  # noqa: F401
