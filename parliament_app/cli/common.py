"""What every command shares: one clear error line instead of a traceback, a connection to the
configured database, a transaction that refuses an outdated schema, finding an organisation."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from sqlalchemy import ColumnElement, Engine, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from parliament_app.core import migrate
from parliament_app.core.config import get_settings
from parliament_app.core.db import DatabaseUnavailable, check_connection, make_engine, unit_of_work
from parliament_app.core.db import session_factory as make_factory
from parliament_app.core.errors import ServiceError
from parliament_app.models import Group, Organisation, Venue


def fail(message: str, code: int = 2) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def database_errors_reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an unreachable database or a refused action into one clear line, not a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DatabaseUnavailable as error:
            fail(error.reason)
        except OperationalError as error:
            fail(f"database error: {str(error.orig).strip().splitlines()[0]}")
        except ServiceError as error:
            fail(error.message, code=1)

    return wrapper


def connected_engine() -> Engine:
    engine = make_engine(get_settings().database_url)
    check_connection(engine)
    return engine


@contextmanager
def transaction(require_schema: bool = True) -> Iterator[Session]:
    engine = connected_engine()
    if require_schema and not migrate.is_up_to_date(engine):
        fail("the database schema is not up to date: run 'parliament db upgrade' first")
    with unit_of_work(make_factory(engine)) as session:
        yield session


Named = TypeVar("Named", Group, Organisation, Venue)


def find_one(
    session: Session,
    model: type[Named],
    reference: str,
    what: str,
    *conditions: ColumnElement[bool],
) -> Named:
    """The one row whose id or exact name is ``reference`` (and that meets ``conditions``), or a
    clear error line naming ``what`` was looked for."""
    condition = model.name == reference
    if reference.isdigit():
        condition = or_(condition, model.id == int(reference))
    matches = list(session.scalars(select(model).where(condition, *conditions)))
    if len(matches) != 1:
        fail(f"no single {what} matches {reference!r} (give its id or exact name)")
    return matches[0]


def find_organisation(session: Session, reference: str | None) -> Organisation | None:
    return None if reference is None else find_one(session, Organisation, reference, "organisation")
