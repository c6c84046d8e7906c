"""Reading the audit log: searching it and exporting it as CSV.

The log is append-only. Entries are written by ``parliament_app.core.audit.record`` alongside the
action they describe; nothing here (or anywhere else) updates or deletes them. Exporting the log
is itself recorded.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import _
from parliament_app.models import AuditAction, AuditEntry, User
from parliament_app.policy.access import Action, require

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
CSV_COLUMNS = ("at", "actor", "action", "record_type", "record_id", "detail")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def search_audit(
    session: Session,
    actor: User,
    *,
    username: str = "",
    action: AuditAction | None = None,
    record_type: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[AuditEntry]:
    """Entries matching every given filter, newest first, at most ``limit`` of them.

    ``username`` and ``record_type`` match exactly (ignoring case and surrounding spaces);
    ``since`` and ``until`` are inclusive calendar days in the programme's time zone.
    """
    require(session, actor, Action.VIEW_AUDIT)
    query = _query(username, action, record_type, since, until)
    return list(session.scalars(query.limit(max(1, min(limit, MAX_LIMIT)))))


def audit_record_types(session: Session, actor: User) -> list[str]:
    """The record types that occur in the log, for a filter's choices."""
    require(session, actor, Action.VIEW_AUDIT)
    return list(
        session.scalars(select(AuditEntry.record_type).distinct().order_by(AuditEntry.record_type))
    )


def export_audit_csv(
    session: Session,
    actor: User,
    *,
    username: str = "",
    action: AuditAction | None = None,
    record_type: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> str:
    """Every matching entry (or the newest ``limit``) as CSV text, newest first.

    Columns: ``at`` (ISO 8601, UTC), ``actor``, ``action`` (its code), ``record_type``,
    ``record_id`` and ``detail`` (JSON). The export is recorded in the log in the same
    transaction, with the number of rows and the filters used.
    """
    require(session, actor, Action.VIEW_AUDIT)
    query = _query(username, action, record_type, since, until)
    if limit is not None:
        query = query.limit(max(1, limit))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for entry in session.scalars(query):
        writer.writerow(
            [
                entry.at.astimezone(UTC).isoformat(),
                _safe_cell(entry.actor),
                entry.action.value,
                _safe_cell(entry.record_type),
                _safe_cell(entry.record_id),
                json.dumps(entry.detail or {}, ensure_ascii=False, sort_keys=True, default=str),
            ]
        )
        rows += 1
    filters: dict[str, Any] = {
        "username": username.strip().lower(),
        "action": action.value if action else "",
        "record_type": record_type.strip().lower(),
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    audit.record(
        session,
        actor,
        AuditAction.EXPORT,
        "audit_log",
        None,
        rows=rows,
        filters={key: value for key, value in filters.items() if value},
    )
    session.flush()
    return buffer.getvalue()


def _query(
    username: str,
    action: AuditAction | None,
    record_type: str,
    since: date | None,
    until: date | None,
) -> Select[tuple[AuditEntry]]:
    if since and until and since > until:
        raise ValidationError(_("The start date is after the end date."), "since")
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if username.strip():
        query = query.where(func.lower(AuditEntry.actor) == username.strip().lower())
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if record_type.strip():
        query = query.where(func.lower(AuditEntry.record_type) == record_type.strip().lower())
    if since is not None:
        query = query.where(AuditEntry.at >= _start_of(since))
    if until is not None:
        query = query.where(AuditEntry.at < _start_of(until + timedelta(days=1)))
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
