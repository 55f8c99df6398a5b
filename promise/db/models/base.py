"""Declarative base and column types shared by every model module."""

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy import orm

from promise.common import dates


# MariaDB's DATETIME drops fractions of a second unless told otherwise, and
# event claims compare sub-second times.
DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
# Bodies kept verbatim (webhook deliveries, grants) may outgrow MySQL's
# 64 KiB TEXT.
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql')


class Base(orm.DeclarativeBase):
    pass


class TimestampMixin:
    created_at = sa.Column(DateTime, nullable=False, default=dates.utcnow)
    updated_at = sa.Column(DateTime, onupdate=dates.utcnow)
