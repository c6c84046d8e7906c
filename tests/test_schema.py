"""The schema: Alembic migrations build exactly what the models describe, on every engine."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from parliament_app import migrate
from parliament_app.models import Base


def test_migrations_reach_head(engine: Engine) -> None:
    assert migrate.is_up_to_date(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
