"""What a test reads off the database: audit entries and the statements sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
)
from parliament_app.policy.access import child_scope


def audit_count(db: Session, *actions: AuditAction) -> int:
    db.flush()
    query = select(func.count()).select_from(AuditEntry)
    if actions:
        query = query.where(AuditEntry.action.in_(actions))
    return db.scalar(query) or 0


@contextmanager
def counted_statements(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = db.get_bind()

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def count(db: Session, model, *where) -> int:
    """How many rows of ``model`` match ``where``."""
    return db.scalar(select(func.count()).select_from(model).where(*where))


def count_visible_children(db: Session, user) -> int:
    """How many children the policy lets ``user`` see."""
    return db.scalar(select(func.count()).select_from(Child).where(child_scope(user))) or 0
