"""Schema migrations (alembic), driven by promise-db-manage."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from promise.db import api as db

_SCRIPTS = os.path.join(os.path.dirname(__file__), 'alembic')


def get_config(connection=None):
    config = alembic_config.Config()
    config.set_main_option('script_location', _SCRIPTS)
    config.attributes['connection'] = connection
    return config


def upgrade(revision='head', connection=None):
    if connection is not None:
        command.upgrade(get_config(connection), revision)
        return
    with db.get_engine().begin() as conn:
        command.upgrade(get_config(conn), revision)


def current(connection=None):
    """The revision the database is at, or None for an empty database."""
    if connection is not None:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()
    with db.get_engine().connect() as conn:
        return current(conn)


def head():
    return alembic_script.ScriptDirectory.from_config(
        get_config()).get_current_head()
