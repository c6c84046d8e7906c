"""Fixtures shared by every layer.

Database engines: tests under ``tests/services/`` run on SQLite and, when
``PARLIAMENT_TEST_POSTGRESQL_URL`` points to a server (CI sets it), on PostgreSQL too; every other
layer runs on SQLite only (pages and browser tests do not depend on the engine). Each engine gets
one database per run (per worker under pytest-xdist), migrated with Alembic on first use; every
test then starts from empty tables.
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
from tests.factories import World, build_world

POSTGRESQL_URL = os.environ.get("PARLIAMENT_TEST_POSTGRESQL_URL")
ENGINES = ["sqlite"] + (["postgresql"] if POSTGRESQL_URL else [])
SERVICES = Path(__file__).parent / "services"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Service tests run on every configured engine; the other layers on SQLite."""
    if "database_url" not in metafunc.fixturenames:
        return
    engines = ENGINES if SERVICES in metafunc.definition.path.parents else ["sqlite"]
    metafunc.parametrize("database_url", engines, indirect=True, scope="session")


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


class Databases:
    """One migrated database per engine for the whole run, made on first use.

    pytest tears a session fixture down whenever its parameter changes, and under xdist a worker
    may go from SQLite tests to PostgreSQL tests and back; keeping the databases here makes that
    switch free instead of a new database and a new migration each time."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._urls: dict[str, str] = {}
        self._engines: dict[str, Engine] = {}
        self._cleanups: list[Iterator[str]] = []

    def url(self, kind: str) -> str:
        if kind not in self._urls:
            if kind == "sqlite":
                self._urls[kind] = f"sqlite:///{self._tmp.mktemp('db') / 'test.db'}"
            else:
                made = _postgresql_database()
                self._urls[kind] = next(made)
                self._cleanups.append(made)
        return self._urls[kind]

    def engine(self, kind: str) -> Engine:
        if kind not in self._engines:
            engine = make_engine(self.url(kind))
            migrate.upgrade(engine)
            self._engines[kind] = engine
        return self._engines[kind]

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        for made in self._cleanups:
            next(made, None)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    registry = Databases(tmp_path_factory)
    yield registry
    registry.close()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, databases: Databases) -> str:
    return databases.url(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def engine(database_url: str, databases: Databases) -> Engine:
    kind = make_url(database_url).get_backend_name()
    return databases.engine(kind)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        _empty_tables(engine)


# DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs about 130 ms (new files
# for each table and index), a DELETE of a test's few rows about 6 ms.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _empty_tables(engine: Engine) -> None:
    """Delete every row, children before parents, and start identities at 1 again."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        if engine.dialect.name == "postgresql":
            connection.execute(_RESTART_SEQUENCES)


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
def world(db: Session) -> World:
    """The factories' small world (tests/factories/world.py), flushed, not committed."""
    return build_world(db)


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
def app_world(db: Session, app_env) -> World:
    """The factory world, committed so the app under test sees it."""
    world = build_world(db)
    db.commit()
    return world
