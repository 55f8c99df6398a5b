from alembic import context

from promise.db import models

target_metadata = models.Base.metadata


def run_migrations_online():
    connection = context.config.attributes.get('connection')
    if connection is None:
        from promise.db import api as db
        with db.get_engine().begin() as conn:
            _run(conn)
    else:
        _run(connection)


def _run(connection):
    extra = {}
    # promise.db.migration logs each revision as it is applied.
    on_version_apply = context.config.attributes.get('on_version_apply')
    if on_version_apply is not None:
        extra['on_version_apply'] = on_version_apply
    context.configure(connection=connection,
                      target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == 'sqlite',
                      **extra)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
