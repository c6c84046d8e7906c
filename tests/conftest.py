"""Fixtures shared by every test.

Database tests run on SQLite always, and on PostgreSQL too when ``PARLIAMENT_TEST_POSTGRESQL_URL``
points to a server (CI sets it). Each engine gets a fresh database migrated with Alembic once per
run; every test then starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from parliament_app.core import migrate, runtime
from parliament_app.core.config import Settings
from parliament_app.core.db import make_engine, session_factory
from parliament_app.core.i18n import set_language
from parliament_app.models import metadata

POSTGRESQL_URL = os.environ.get("PARLIAMENT_TEST_POSTGRESQL_URL")
ENGINES = ["sqlite"] + (["postgresql"] if POSTGRESQL_URL else [])


def _postgresql_database() -> Iterator[str]:
    """A throw-away database on the test server, dropped at the end of the run."""
    admin_url = make_url(POSTGRESQL_URL).set(drivername="postgresql+psycopg")
    name = f"parliament_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        yield from _postgresql_database()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        _empty_tables(engine)


def _empty_tables(engine: Engine) -> None:
    tables = [table.name for table in metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret-" * 4,
        max_failed_logins=5,
        lockout_minutes=15,
    )


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def app_env(db: Session, database_url: str, tmp_path: Path, monkeypatch) -> Iterator[None]:
    """Point the app's process-wide engine at the test database (for AppTest and routes)."""
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", "page-test-secret-" * 3)
    runtime.reset()
    yield
    runtime.reset()


@pytest.fixture
def app_world(db: Session, app_env):
    """The factory world, committed so the app under test sees it."""
    from tests.factories import build_world

    world = build_world(db)
    db.commit()
    return world
