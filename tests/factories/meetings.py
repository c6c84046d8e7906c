"""Meetings on fixed days and attendance marked by hand (TODAY is a Monday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from parliament_app.models import (
    Child,
    Group,
)
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus, SessionKind

TODAY = date(2025, 10, 20)  # a Monday


P, L, E, A, LE = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
    AttendanceStatus.LEFT_EARLY,
)


UNMARKED = "unmarked"  # a closed occurrence without a record for the child


def at(day: date, hour: int = 15) -> datetime:
    """15:00 UTC: 17:00 in Belgrade, the same local day."""
    return datetime.combine(day, time(hour), UTC)


def occurrence(
    db: Session, group: Group, day: date, status: OccurrenceStatus = OccurrenceStatus.CLOSED
) -> Occurrence:
    row = Occurrence(
        group_id=group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic=f"Sitting {day.isoformat()}",
        starts_at=at(day),
        duration_minutes=90,
        status=status,
    )
    db.add(row)
    db.flush()
    return row


def mark(db: Session, row: Occurrence, child: Child, status: AttendanceStatus) -> Attendance:
    record = Attendance(
        occurrence_id=row.id, child_id=child.id, status=status, method=AttendanceMethod.ROSTER
    )
    db.add(record)
    db.flush()
    return record


def sessions_with(
    db: Session, group: Group, child: Child, marks: list[tuple[date, AttendanceStatus | str]]
) -> list[Occurrence]:
    """One closed occurrence per day, the child marked as given (``UNMARKED``: no record)."""
    rows = []
    for day, status in marks:
        row = occurrence(db, group, day)
        if status != UNMARKED:
            mark(db, row, child, status)
        rows.append(row)
    return rows


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)
