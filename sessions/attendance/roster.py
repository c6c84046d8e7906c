# Not split: marking, walk-ins, closing, scans and the typed-in sheet all go through one
#   audited write that keeps one row per child and occurrence.
"""Attendance: the roster a facilitator fills in, scans and self check-ins, closing an occurrence,
typing in the paper sheet, and exports.

One record per child and occurrence (``Attendance``, unique on ``(occurrence_id, child_id)``).
Every write first looks for the record and, when there is none, inserts it inside a SAVEPOINT; if
a concurrent request inserted it meanwhile, the database's unique constraint refuses the second
row, the savepoint is rolled back and the existing record is used. Retries, double scans and two
devices scanning the same child at once are therefore harmless.

Who may take attendance (``may_take_attendance``): active administrators, and active facilitators
who lead the occurrence's group or staff the occurrence (``OccurrenceStaff``). Every write is
audited in the caller's transaction; audit entries hold ids and status codes, never names.

The roster of an occurrence is the children whose enrolment in its group was active when it ended
(read from the enrolment's status history; for enrolments without history, from their current
status and dates), plus every child with a record for it (walk-ins, or children whose enrolment
ended since).

Scans (``record_check_in``) are for ``sessions.checkin.scanning``: they never change a status
someone set, except the "absent" written automatically when the occurrence was closed, which an
offline scan typed in later replaces.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping
from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Select,
    and_,
    delete,
    exists,
    false,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.actors import Actor, account_id, is_active_user
from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.core.config import Settings, get_settings
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import N_, _, ngettext
from parliament_app.models import (
    AuditAction,
    Child,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Group,
    Role,
    User,
    utcnow,
)
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    ScanResult,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStaff, OccurrenceStatus
from parliament_app.policy.access import child_scope, exclude_erased
from parliament_app.policy.groups import managed_group_ids
from parliament_app.policy.meetings import (
    attendance_export_scope,
    may_take_attendance,
    require_attendance_taker,
)
from sessions.times import local_midnight

__all__ = [
    "EXPORT_COLUMNS",
    "METHOD_LABELS",
    "SCAN_METHODS",
    "STATUS_LABELS",
    "AttendanceExportRow",
    "NotOnRoster",
    "RosterRow",
    "add_walk_in",
    "attendance_rows",
    "bulk_entry",
    "close_occurrence",
    "enrolled_child_ids",
    "export_csv",
    "export_xlsx",
    "is_on_roster",
    "mark",
    "mark_all_present",
    "may_take_attendance",
    "record_check_in",
    "reopen_occurrence",
    "require_attendance_taker",
    "roster",
    "roster_for",
    "scan_status",
    "takeable_occurrences",
    "taken_occurrence",
    "undo_check_in",
]

NOTE_MAX_LENGTH = 300
MAX_EXPORT_DAYS = 800
SCAN_METHODS = frozenset(
    {AttendanceMethod.BADGE_SCAN, AttendanceMethod.SELF_CHECK_IN, AttendanceMethod.OFFLINE_SCAN}
)
# A scan proves the child came: these statuses were wrong and a scan corrects them.
CORRECTED_BY_A_SCAN = frozenset({AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED})
STATUS_LABELS: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: N_("Present"),
    AttendanceStatus.LATE: N_("Late"),
    AttendanceStatus.EXCUSED: N_("Excused"),
    AttendanceStatus.ABSENT: N_("Absent"),
    AttendanceStatus.LEFT_EARLY: N_("Left early"),
}
METHOD_LABELS: dict[AttendanceMethod, str] = {
    AttendanceMethod.ROSTER: N_("Marked on the roster"),
    AttendanceMethod.BADGE_SCAN: N_("Badge scanned"),
    AttendanceMethod.SELF_CHECK_IN: N_("Self check-in"),
    AttendanceMethod.PAPER: N_("Typed in from the paper sheet"),
    AttendanceMethod.OFFLINE_SCAN: N_("Offline scan"),
    AttendanceMethod.AUTOMATIC: N_("Absent when the session was closed"),
}
EXPORT_COLUMNS = (
    "date",
    "group",
    "occurrence_id",
    "topic",
    "child_id",
    "given_name",
    "family_name",
    "status",
    "method",
    "walk_in",
)


class NotOnRoster(ValidationError):
    """The child is neither enrolled in the occurrence's group nor added as a walk-in. Scans map
    this to ``ScanResult.NOT_ENROLLED``; the facilitator may add the child as a walk-in."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This child is not on this session's roster. The facilitator may add them as a "
                "walk-in."
            ),
            "child",
        )


@dataclass(frozen=True)
class RosterRow:
    child_id: int
    given_name: str
    family_name: str
    enrolled: bool  # enrolled in the group when the occurrence took place
    walk_in: bool  # came without being enrolled (added on the spot)
    status: AttendanceStatus | None  # None: not marked yet
    method: AttendanceMethod | None
    checked_in_at: datetime | None
    note: str


@dataclass(frozen=True)
class AttendanceExportRow:
    date: date  # the occurrence's local date
    group: str
    occurrence_id: int
    topic: str
    child_id: int
    given_name: str
    family_name: str
    status: str
    method: str
    walk_in: bool


# --- who may take attendance -----------------------------------------------------------------


def takeable_occurrences(
    session: Session, user: User | None, occurrences: Iterable[Occurrence]
) -> list[Occurrence]:
    """Those of ``occurrences`` whose attendance ``user`` may take, in their order:
    ``may_take_attendance`` for each, in at most two queries for all of them (the groups the
    user leads, then which of the other occurrences they staff)."""
    if not is_active_user(user):
        return []
    if user.role == Role.ADMINISTRATOR:
        return list(occurrences)
    if user.role != Role.FACILITATOR:
        return []
    occurrences = list(occurrences)
    led = managed_group_ids(session, user)
    others = [occurrence.id for occurrence in occurrences if occurrence.group_id not in led]
    staffed = _staffed_ids(session, user, others)
    return [
        occurrence
        for occurrence in occurrences
        if occurrence.group_id in led or occurrence.id in staffed
    ]


def _staffed_ids(session: Session, user: User, occurrence_ids: list[int]) -> set[int]:
    """Which of these occurrences the user staffs (``OccurrenceStaff``); no query for none."""
    if not occurrence_ids:
        return set()
    return set(
        session.scalars(
            select(OccurrenceStaff.occurrence_id).where(
                OccurrenceStaff.user_id == user.id,
                OccurrenceStaff.occurrence_id.in_(occurrence_ids),
            )
        )
    )


def taken_occurrence(
    session: Session, user: User, occurrence_id: int, *, for_update: bool = False
) -> Occurrence:
    """The occurrence, if ``user`` may take its attendance (``NotFound``/``PermissionDenied``)."""
    occurrence = session.get(Occurrence, occurrence_id, with_for_update=for_update or None)
    if occurrence is None:
        raise NotFound(_("No such session."))
    require_attendance_taker(session, user, occurrence)
    return occurrence


# --- the roster ------------------------------------------------------------------------------


def enrolled_child_ids(occurrence: Occurrence) -> Select:
    """SELECT of the children whose enrolment in the occurrence's group was active when the
    occurrence ended (a future occurrence: active now)."""
    moment = occurrence.starts_at + timedelta(minutes=occurrence.duration_minutes)
    status_then = (
        select(EnrolmentEvent.status)
        .where(EnrolmentEvent.enrolment_id == Enrolment.id, EnrolmentEvent.at <= moment)
        .order_by(EnrolmentEvent.at.desc(), EnrolmentEvent.id.desc())
        .limit(1)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    has_history = exists().where(EnrolmentEvent.enrolment_id == Enrolment.id)
    without_history = and_(
        Enrolment.created_at <= moment,
        or_(
            Enrolment.status == EnrolmentStatus.ACTIVE,
            and_(
                Enrolment.status == EnrolmentStatus.ENDED,
                Enrolment.ended_at.is_not(None),
                Enrolment.ended_at > occurrence.starts_at,
            ),
        ),
    )
    return select(Enrolment.child_id).where(
        Enrolment.group_id == occurrence.group_id,
        or_(
            and_(has_history, status_then == EnrolmentStatus.ACTIVE),
            and_(~has_history, without_history),
        ),
    )


def roster(session: Session, user: User, occurrence_id: int) -> list[RosterRow]:
    """The occurrence's roster, by family and given name: enrolled children (marked or not) and
    every other child with a record (walk-ins). One query for all rows."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    return roster_for(session, occurrence)


def roster_for(session: Session, occurrence: Occurrence) -> list[RosterRow]:
    """The roster without a permission check (the caller has made it). Erased children are left
    out (their attendance records stay, anonymous, and still count in totals and exports)."""
    enrolled = Child.id.in_(enrolled_child_ids(occurrence))
    rows = session.execute(
        select(
            Child.id,
            Child.given_name,
            Child.family_name,
            enrolled.label("enrolled"),
            Attendance.id,
            Attendance.walk_in,
            Attendance.status,
            Attendance.method,
            Attendance.checked_in_at,
            Attendance.note,
        )
        .outerjoin(
            Attendance,
            and_(Attendance.child_id == Child.id, Attendance.occurrence_id == occurrence.id),
        )
        .where(or_(enrolled, Attendance.id.is_not(None)), exclude_erased())
    ).all()
    result = [
        RosterRow(
            child_id=child_id,
            given_name=given,
            family_name=family,
            enrolled=bool(is_enrolled),
            walk_in=bool(walk_in) if record_id is not None else False,
            status=status,
            method=method,
            checked_in_at=checked_in_at,
            note=note or "",
        )
        for (
            child_id,
            given,
            family,
            is_enrolled,
            record_id,
            walk_in,
            status,
            method,
            checked_in_at,
            note,
        ) in rows
    ]
    return sorted(
        result,
        key=lambda row: (row.family_name.casefold(), row.given_name.casefold(), row.child_id),
    )


def is_on_roster(session: Session, occurrence: Occurrence, child_id: int) -> bool:
    """Enrolled in the group at the occurrence, or already recorded for it (a walk-in)."""
    recorded = exists().where(
        Attendance.occurrence_id == occurrence.id, Attendance.child_id == child_id
    )
    enrolled = enrolled_child_ids(occurrence).where(Enrolment.child_id == child_id).exists()
    return bool(session.scalar(select(or_(enrolled, recorded))))


# --- marking ---------------------------------------------------------------------------------


def mark(
    session: Session,
    user: User,
    occurrence_id: int,
    child_id: int,
    status: AttendanceStatus | str,
    note: str | None = None,
) -> Attendance:
    """Set a child's status on the roster (insert, or update the existing record). Changing an
    existing status is a correction, audited with the status before and after. ``note`` None
    keeps the record's note; "" clears it."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    _require_not_cancelled(occurrence)
    status = _status(status)
    new_note = None if note is None else _clean_note(note)
    note = new_note or ""
    existing = _record(session, occurrence.id, child_id, lock=True)
    if existing is None:
        if not is_on_roster(session, occurrence, child_id):
            raise NotOnRoster()
        row, created = _insert_once(
            session,
            Attendance(
                occurrence_id=occurrence.id,
                child_id=child_id,
                status=status,
                method=AttendanceMethod.ROSTER,
                walk_in=False,
                note=note,
                marked_by_id=user.id,
                updated_at=utcnow(),
            ),
        )
        if created:
            _audit_created(session, user, row)
            return row
        existing = row
    keep = existing.note if new_note is None else new_note
    _apply(session, user, existing, status, keep, AttendanceMethod.ROSTER)
    return existing


def mark_all_present(session: Session, user: User, occurrence_id: int) -> int:
    """Mark every enrolled child without a record present; records already there (scans, marks)
    are left as they are. Returns how many children were marked."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    _require_not_cancelled(occurrence)
    created = _fill_unmarked(
        session, occurrence, AttendanceStatus.PRESENT, AttendanceMethod.ROSTER, user
    )
    if created:
        audit.record(
            session,
            user,
            AuditAction.CREATE,
            "attendance",
            None,
            occurrence_id=occurrence.id,
            operation="mark_all_present",
            status=AttendanceStatus.PRESENT.value,
            child_ids=created,
        )
    return len(created)


def add_walk_in(
    session: Session,
    user: User,
    occurrence_id: int,
    child_id: int,
    status: AttendanceStatus | str = AttendanceStatus.PRESENT,
    note: str = "",
) -> Attendance:
    """Add a child who is not enrolled in the group (``walk_in``). The child must be visible to
    the user or registered in the group's municipality. Adding the same walk-in twice returns
    the record already there."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    _require_not_cancelled(occurrence)
    status = _status(status)
    note = _clean_note(note)
    if _walk_in_candidates(session, user, occurrence, [child_id]) != {child_id}:
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    existing = _record(session, occurrence.id, child_id)
    if existing is not None:
        return existing
    if session.scalar(
        select(enrolled_child_ids(occurrence).where(Enrolment.child_id == child_id).exists())
    ):
        raise ValidationError(
            _("This child is enrolled in the group: mark them on the roster."), "child"
        )
    row, created = _insert_once(
        session,
        Attendance(
            occurrence_id=occurrence.id,
            child_id=child_id,
            status=status,
            method=AttendanceMethod.ROSTER,
            walk_in=True,
            note=note,
            marked_by_id=user.id,
            updated_at=utcnow(),
        ),
    )
    if created:
        _audit_created(session, user, row)
    return row


def close_occurrence(
    session: Session,
    user: User,
    occurrence_id: int,
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> int:
    """Close the occurrence (attendance taken). When ``Settings.absent_on_close``, enrolled
    children without a record become absent (method ``automatic``). Returns how many; closing a
    closed occurrence again changes nothing."""
    occurrence = taken_occurrence(session, user, occurrence_id, for_update=True)
    now = now or utcnow()
    settings = settings or get_settings()
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise ValidationError(_("A cancelled session cannot be closed."), "occurrence")
    if occurrence.status == OccurrenceStatus.CLOSED:
        return 0
    if occurrence.starts_at > now:
        raise ValidationError(_("A session can be closed only once it has started."), "occurrence")
    occurrence.status = OccurrenceStatus.CLOSED
    occurrence.closed_at = now
    session.flush()
    absent: list[int] = []
    if settings.absent_on_close:
        absent = _fill_unmarked(
            session, occurrence, AttendanceStatus.ABSENT, AttendanceMethod.AUTOMATIC, user
        )
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "occurrence",
        occurrence.id,
        before=OccurrenceStatus.SCHEDULED.value,
        after=OccurrenceStatus.CLOSED.value,
        absent_marked=len(absent),
        child_ids=absent,
    )
    return len(absent)


def reopen_occurrence(session: Session, user: User, occurrence_id: int) -> int:
    """Open a closed occurrence again. The absences written automatically at closing are removed
    (closing again recomputes them); everything marked by people stays. Returns how many were
    removed."""
    occurrence = taken_occurrence(session, user, occurrence_id, for_update=True)
    if occurrence.status != OccurrenceStatus.CLOSED:
        raise ValidationError(_("Only a closed session can be reopened."), "occurrence")
    removed = session.execute(
        delete(Attendance).where(
            Attendance.occurrence_id == occurrence.id,
            Attendance.method == AttendanceMethod.AUTOMATIC,
        )
    ).rowcount
    occurrence.status = OccurrenceStatus.SCHEDULED
    occurrence.closed_at = None
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "occurrence",
        occurrence_id,
        before=OccurrenceStatus.CLOSED.value,
        after=OccurrenceStatus.SCHEDULED.value,
        automatic_absences_removed=removed,
    )
    return removed


# --- scans and self check-ins (called by sessions.checkin.scanning) ----------------------------


def scan_status(occurrence: Occurrence, at: datetime, settings: Settings) -> AttendanceStatus:
    """Late when the scan comes more than ``late_after_minutes`` after the start."""
    threshold = occurrence.starts_at + timedelta(minutes=settings.late_after_minutes)
    return AttendanceStatus.LATE if at > threshold else AttendanceStatus.PRESENT


def record_check_in(
    session: Session,
    occurrence: Occurrence,
    child_id: int,
    *,
    method: AttendanceMethod | str,
    at: datetime,
    actor: User | None,
    device: str = "",
    settings: Settings | None = None,
) -> tuple[str, Attendance]:
    """Record a badge scan, self check-in or offline scan; idempotent and race-safe.

    Returns ``("checked_in", record)`` when this call created the record (present, or late after
    ``late_after_minutes``) or corrected one, else ``("already_checked_in", record)`` with the
    record as it is. A scan proves the child came, so it corrects an "absent" or "excused" (set
    by someone, or written automatically when the occurrence was closed and the scan is typed in
    later), audited as a correction with the status before; a present, late or left-early record
    is never changed by a scan.

    The caller (sessions.checkin.scanning) has verified the token and decided the occurrence;
    this does no permission check. Raises ``NotOnRoster`` for a child neither enrolled nor a
    walk-in, and ``ValidationError`` for a cancelled occurrence, or a closed one unless ``method``
    is
    ``offline_scan``. ``at`` must be timezone-aware. The caller commits.
    """
    method = AttendanceMethod(method)
    if method not in SCAN_METHODS:
        raise ValueError(f"record_check_in is for scans, not {method.value}")
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled."), "occurrence")
    if occurrence.status == OccurrenceStatus.CLOSED and method != AttendanceMethod.OFFLINE_SCAN:
        raise ValidationError(_("This session is closed."), "occurrence")
    settings = settings or get_settings()
    status = scan_status(occurrence, at, settings)
    details = {"method": method.value, "device": device[:64]}

    existing = _record(session, occurrence.id, child_id)
    if existing is None:
        if not is_on_roster(session, occurrence, child_id):
            raise NotOnRoster()
        row, created = _insert_once(
            session,
            Attendance(
                occurrence_id=occurrence.id,
                child_id=child_id,
                status=status,
                method=method,
                walk_in=False,
                checked_in_at=at,
                note="",
                marked_by_id=account_id(actor),
                updated_at=utcnow(),
            ),
        )
        if created:
            _audit_created(session, actor, row, **details)
            return ScanResult.CHECKED_IN, row
        existing = row

    if existing.status in CORRECTED_BY_A_SCAN:
        before = existing.status
        # Conditional UPDATE: of two scans racing for the same record, one corrects it.
        replaced = session.execute(
            update(Attendance)
            .where(Attendance.id == existing.id, Attendance.status == before)
            .values(
                status=status,
                method=method,
                checked_in_at=at,
                marked_by_id=account_id(actor),
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(existing)
        if replaced:
            audit.record(
                session,
                actor,
                AuditAction.UPDATE,
                "attendance",
                existing.id,
                occurrence_id=occurrence.id,
                child_id=child_id,
                before=before.value,
                after=status.value,
                correction=True,
                **details,
            )
            return ScanResult.CHECKED_IN, existing
    return ScanResult.ALREADY_CHECKED_IN, existing


def undo_check_in(session: Session, user: User, occurrence_id: int, child_id: int) -> None:
    """The facilitator undoes a self check-in (a forwarded code, a wrong child): the record is
    deleted. Records made any other way are corrected with ``mark`` instead."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    row = _record(session, occurrence.id, child_id, lock=True)
    if row is None:
        raise NotFound(_("This child has not checked in."))
    if row.method != AttendanceMethod.SELF_CHECK_IN:
        raise ValidationError(
            _("Only a self check-in can be undone; correct the status on the roster instead."),
            "child",
        )
    audit.record(
        session,
        user,
        AuditAction.DELETE,
        "attendance",
        row.id,
        occurrence_id=occurrence.id,
        child_id=child_id,
        status=row.status.value,
        method=row.method.value,
    )
    session.delete(row)
    session.flush()


# --- the paper sheet, typed in ---------------------------------------------------------------


def bulk_entry(
    session: Session,
    user: User,
    occurrence_id: int,
    entries: Mapping[int, AttendanceStatus | str],
    *,
    notes: Mapping[int, str] | None = None,
    walk_ins: Collection[int] = (),
) -> int:
    """Type in the printed sheet: ``{child id: status}``, all or nothing (method ``paper``).

    Children must be on the roster, or be listed in ``walk_ins`` (the sheet's blank rows) and
    visible to the user or registered in the group's municipality. Existing records take the
    sheet's status (audited as corrections when it differs), so scans made offline and entered
    again never duplicate. Returns how many records were created or changed.
    """
    occurrence = taken_occurrence(session, user, occurrence_id)
    _require_not_cancelled(occurrence)
    notes = notes or {}
    statuses = {int(child_id): _status(status) for child_id, status in entries.items()}
    cleaned_notes = {child_id: _clean_note(notes.get(child_id, "")) for child_id in statuses}
    if not statuses:
        return 0
    wanted = list(statuses)
    on_roster = set(
        session.scalars(
            select(Child.id).where(
                Child.id.in_(wanted),
                or_(
                    Child.id.in_(enrolled_child_ids(occurrence)),
                    Child.id.in_(
                        select(Attendance.child_id).where(Attendance.occurrence_id == occurrence.id)
                    ),
                ),
            )
        )
    )
    new_walk_ins = [child_id for child_id in wanted if child_id not in on_roster]
    allowed = set(walk_ins) & set(new_walk_ins)
    allowed = _walk_in_candidates(session, user, occurrence, allowed) if allowed else set()
    refused = sorted(child_id for child_id in new_walk_ins if child_id not in allowed)
    if refused:
        raise ValidationError(
            ngettext(
                "Child {ids} is not on this session's roster; nothing was saved. Add walk-ins "
                "on the sheet's blank rows.",
                "Children {ids} are not on this session's roster; nothing was saved. Add "
                "walk-ins on the sheet's blank rows.",
                len(refused),
            ).format(ids=", ".join(str(child_id) for child_id in refused)),
            "entries",
        )

    created: list[int] = []
    changed: list[int] = []
    with session.begin_nested():  # all or nothing, even inside the caller's transaction
        existing = {
            row.child_id: row
            for row in session.scalars(
                select(Attendance)
                .where(Attendance.occurrence_id == occurrence.id, Attendance.child_id.in_(wanted))
                .with_for_update()
            )
        }
        for child_id in wanted:
            status, note = statuses[child_id], cleaned_notes[child_id]
            row = existing.get(child_id)
            if row is None:
                row, new = _insert_once(
                    session,
                    Attendance(
                        occurrence_id=occurrence.id,
                        child_id=child_id,
                        status=status,
                        method=AttendanceMethod.PAPER,
                        walk_in=child_id in allowed,
                        note=note,
                        marked_by_id=user.id,
                        updated_at=utcnow(),
                    ),
                )
                if new:
                    created.append(child_id)
                    continue
            if _apply(session, user, row, status, note or row.note, AttendanceMethod.PAPER):
                changed.append(child_id)
        if created or changed:
            audit.record(
                session,
                user,
                AuditAction.CREATE,
                "attendance",
                None,
                occurrence_id=occurrence.id,
                operation="bulk_entry",
                method=AttendanceMethod.PAPER.value,
                created=created,
                changed=changed,
            )
    return len(created) + len(changed)


# --- exports ---------------------------------------------------------------------------------


def attendance_rows(
    session: Session,
    user: Actor,
    start: date,
    end: date,
    group_id: int | None = None,
) -> list[AttendanceExportRow]:
    """Attendance records of occurrences from ``start`` to ``end`` (local dates, both included).

    Administrators (and the operator at the command line) see every group,
    facilitators the groups they lead; anyone else is refused.

    An erased child's records are kept, anonymised: the row stays (so totals do not change) with
    the child's id and empty names (``erase_child`` blanked them); nothing else identifies them.
    """
    if end < start:
        raise ValidationError(_("The period ends before it starts."), "period")
    if (end - start).days > MAX_EXPORT_DAYS:
        raise ValidationError(_("Please choose a shorter period."), "period")
    query = (
        select(
            Occurrence.starts_at,
            Group.name,
            Occurrence.id,
            Occurrence.topic,
            Child.id,
            Child.given_name,
            Child.family_name,
            Attendance.status,
            Attendance.method,
            Attendance.walk_in,
        )
        .select_from(Attendance)
        .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
        .join(Group, Group.id == Occurrence.group_id)
        .join(Child, Child.id == Attendance.child_id)
        .where(
            attendance_export_scope(session, user, group_id),
            Occurrence.starts_at >= local_midnight(start),
            Occurrence.starts_at < local_midnight(end + timedelta(days=1)),
        )
        .order_by(Occurrence.starts_at, Occurrence.id, Child.family_name, Child.given_name)
    )
    if group_id is not None:
        query = query.where(Occurrence.group_id == group_id)
    return [
        AttendanceExportRow(
            date=starts_at.astimezone(LOCAL_TIMEZONE).date(),
            group=group,
            occurrence_id=occurrence_id,
            topic=topic,
            child_id=child_id,
            given_name=given,
            family_name=family,
            status=status.value,
            method=method.value,
            walk_in=bool(walk_in),
        )
        for (
            starts_at,
            group,
            occurrence_id,
            topic,
            child_id,
            given,
            family,
            status,
            method,
            walk_in,
        ) in session.execute(query)
    ]


def export_csv(
    session: Session, user: Actor, start: date, end: date, group_id: int | None = None
) -> str:
    rows = attendance_rows(session, user, start, end, group_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow(_export_values(row))
    _audit_export(session, user, "csv", start, end, group_id, len(rows))
    return buffer.getvalue()


def export_xlsx(
    session: Session, user: Actor, start: date, end: date, group_id: int | None = None
) -> bytes:
    from openpyxl import Workbook

    rows = attendance_rows(session, user, start, end, group_id)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "attendance"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append(_export_values(row))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _audit_export(session, user, "xlsx", start, end, group_id, len(rows))
    return buffer.getvalue()


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# --- internals -------------------------------------------------------------------------------


def _export_values(row: AttendanceExportRow) -> list[object]:
    values = list(astuple(row))
    values[0] = row.date.isoformat()
    return [spreadsheet_safe(value) for value in values]


def _audit_export(
    session: Session,
    user: Actor,
    output: str,
    start: date,
    end: date,
    group_id: int | None,
    rows: int,
) -> None:
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "attendance",
        None,
        format=output,
        start=start.isoformat(),
        end=end.isoformat(),
        group_id=group_id,
        rows=rows,
    )


def _require_not_cancelled(occurrence: Occurrence) -> None:
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled."), "occurrence")


def _status(status: AttendanceStatus | str) -> AttendanceStatus:
    try:
        return AttendanceStatus(status)
    except ValueError:
        raise ValidationError(_("Unknown attendance status."), "status") from None


def _clean_note(note: str | None) -> str:
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("A note has at most {count} characters.").format(count=NOTE_MAX_LENGTH), "note"
        )
    return note


def _record(
    session: Session, occurrence_id: int, child_id: int, *, lock: bool = False
) -> Attendance | None:
    query = (
        select(Attendance)
        .where(Attendance.occurrence_id == occurrence_id, Attendance.child_id == child_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def _insert_once(session: Session, row: Attendance) -> tuple[Attendance, bool]:
    """Insert ``row`` in a savepoint. If the unique constraint refuses it (a concurrent request
    inserted the same child and occurrence), return the record already there instead."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = _record(session, row.occurrence_id, row.child_id)
        if existing is None:  # some other constraint (a child that does not exist)
            raise
        return existing, False
    return row, True


def _apply(
    session: Session,
    user: User,
    row: Attendance,
    status: AttendanceStatus,
    note: str,
    method: AttendanceMethod,
) -> bool:
    """Change an existing record; a changed status is a correction. Returns whether anything
    changed."""
    before = row.status
    status_changed = before != status
    note_changed = row.note != note
    if not (status_changed or note_changed):
        return False
    if status_changed:
        row.status = status
        row.method = method
    row.note = note
    row.marked_by_id = user.id
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "attendance",
        row.id,
        occurrence_id=row.occurrence_id,
        child_id=row.child_id,
        before=before.value,
        after=status.value,
        method=row.method.value,
        correction=status_changed,
        note_changed=note_changed,
    )
    return True


def _audit_created(session: Session, actor: User | None, row: Attendance, **extra: object) -> None:
    details = {
        "occurrence_id": row.occurrence_id,
        "child_id": row.child_id,
        "status": row.status.value,
        "method": row.method.value,
        "walk_in": row.walk_in,
        **extra,
    }
    audit.record(session, actor, AuditAction.CREATE, "attendance", row.id, **details)


def _fill_unmarked(
    session: Session,
    occurrence: Occurrence,
    status: AttendanceStatus,
    method: AttendanceMethod,
    user: User,
) -> list[int]:
    """Give every enrolled child without a record one; returns their ids. One INSERT in a
    savepoint; if a concurrent scan got in between, one savepoint per child instead."""
    unmarked = list(
        session.scalars(
            select(Child.id)
            .where(
                Child.id.in_(enrolled_child_ids(occurrence)),
                ~exists().where(
                    Attendance.occurrence_id == occurrence.id,
                    Attendance.child_id == Child.id,
                ),
            )
            .order_by(Child.id)
        )
    )
    if not unmarked:
        return []
    now = utcnow()

    def values(child_id: int) -> dict[str, object]:
        return {
            "occurrence_id": occurrence.id,
            "child_id": child_id,
            "status": status,
            "method": method,
            "walk_in": False,
            "note": "",
            "marked_by_id": user.id,
            "updated_at": now,
        }

    try:
        with session.begin_nested():
            session.execute(insert(Attendance), [values(child_id) for child_id in unmarked])
        return unmarked
    except IntegrityError:
        created = []
        for child_id in unmarked:
            _row, new = _insert_once(session, Attendance(**values(child_id)))
            if new:
                created.append(child_id)
        return created


def _walk_in_candidates(
    session: Session, user: User, occurrence: Occurrence, child_ids: Collection[int]
) -> set[int]:
    """Of ``child_ids``, those the user may add as walk-ins: visible to them, or registered in
    the group's municipality; never an erased child."""
    if not child_ids:
        return set()
    group = occurrence.group
    municipality = Child.municipality_id == group.municipality_id if group else false()
    return set(
        session.scalars(
            select(Child.id).where(
                Child.id.in_(list(child_ids)),
                or_(child_scope(user), municipality),
                exclude_erased(),
            )
        )
    )
