"""One row per project whose leases are checked against its limits:
decisions of one project take turns on it, so that two concurrent leases
can never both fit under a limit they exceed together."""

import sqlalchemy as sa

from promise.db.models.base import Base


class ProjectLock(Base):
    __tablename__ = 'project_locks'

    project_id = sa.Column(sa.String(255), primary_key=True)
    generation = sa.Column(sa.Integer, nullable=False, server_default='0')
