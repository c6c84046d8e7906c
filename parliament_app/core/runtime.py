"""Process-wide resources: one engine and session factory per process, shared by the Streamlit
script runs and the HTTP sign-in routes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import parliament_app.models  # noqa: F401  (registers every table)
from parliament_app.core.config import get_settings
from parliament_app.core.db import check_connection, make_engine, session_factory, unit_of_work
from parliament_app.core.migrate import is_up_to_date


class SchemaOutdated(RuntimeError):
    """The database exists but is not migrated to this version's schema."""


@lru_cache(maxsize=1)
def engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    return session_factory(engine())


@lru_cache(maxsize=1)
def _verified() -> bool:
    check_connection(engine())
    if not is_up_to_date(engine()):
        raise SchemaOutdated("the database schema is not up to date: run 'parliament db upgrade'")
    return True


def ensure_ready() -> None:
    """Raise DatabaseUnavailable or SchemaOutdated; a success is remembered for the process."""
    _verified()


@contextmanager
def transaction() -> Iterator[Session]:
    with unit_of_work(_factory()) as session:
        yield session


def reset() -> None:
    """Forget the engine (tests point the process at another database)."""
    if engine.cache_info().currsize:
        engine().dispose()
    for cached in (engine, _factory, _verified):
        cached.cache_clear()
    get_settings.cache_clear()
