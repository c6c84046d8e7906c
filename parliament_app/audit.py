"""Writing the audit log. Entries are added in the caller's transaction, so an action and its
audit entry are committed (or rolled back) together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from parliament_app.models import AuditAction, AuditEntry, User


def record(
    session: Session,
    actor: User | None,
    action: AuditAction,
    record_type: str,
    record_id: int | str | None = None,
    **detail: Any,
) -> AuditEntry:
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        actor=actor.username if actor else "anonymous",
        action=action,
        record_type=record_type,
        record_id="" if record_id is None else str(record_id),
        detail=detail,
    )
    session.add(entry)
    return entry
