"""Alembic environment: the engine comes from the caller (``parliament db upgrade``) or settings."""

from __future__ import annotations

from alembic import context

from parliament_app.models import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from parliament_app.core.config import get_settings
        from parliament_app.core.db import make_engine

        engine = make_engine(get_settings().database_url)
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
