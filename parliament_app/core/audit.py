"""Writing the audit log. Entries are added in the caller's transaction, so an action and its
audit entry are committed (or rolled back) together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from parliament_app.core.actors import Actor
from parliament_app.models import AuditAction, AuditEntry, User


def record(
    session: Session,
    actor: Actor | None,
    action: AuditAction,
    record_type: str,
    record_id: int | str | None = None,
    **detail: Any,
) -> AuditEntry:
    user = actor if isinstance(actor, User) else None  # the operator and devices: no account
    entry = AuditEntry(
        user_id=user.id if user else None,
        actor=user.username if user else "anonymous",
        action=action,
        record_type=record_type,
        record_id="" if record_id is None else str(record_id),
        detail=detail,
    )
    session.add(entry)
    return entry
