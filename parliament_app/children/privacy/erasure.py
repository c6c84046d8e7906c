"""Erasure and retention review: the child's identity goes, anonymous participation stays; every
child-linked table is treated as ``registry.CHILD_TABLES`` declares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select, union_all
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from parliament_app.children.privacy.access import _aware
from parliament_app.children.privacy.registry import CHILD_TABLES, Erasure
from parliament_app.core import audit
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _
from parliament_app.groups.enrolment import promote_waiting
from parliament_app.models import (
    AuditAction,
    CareSituation,
    Child,
    ChildGuardian,
    EndReason,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Guardian,
    RiskRecord,
    User,
    utcnow,
)
from parliament_app.models.attendance import Attendance
from parliament_app.models.meetings import Occurrence
from parliament_app.models.quizzes import QuizPlayer
from parliament_app.policy.access import (
    exclude_erased,
    require_data_protection_administrator,
)

REASON_MAX_LENGTH = 500


MIN_INACTIVE_DAYS = 30


@dataclass(frozen=True)
class RetentionCandidate:
    child_id: int
    given_name: str
    family_name: str
    registered_on: date
    last_activity: date  # local date of the latest enrolment, attendance or quiz activity


def erase_child(session: Session, user: User, child_id: int, reason: str) -> Child:
    """Erase the child's identity, keeping anonymous participation (see the module docstring)."""
    require_data_protection_administrator(user)
    reason = _check_reason(reason)
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    if child.erased_at is not None:
        raise ValidationError(_("This child's record has already been erased."), "child")

    guardian_ids = list(
        session.scalars(select(ChildGuardian.guardian_id).where(ChildGuardian.child_id == child.id))
    )
    guardian_names = [
        name
        for given, family in session.execute(
            select(Guardian.given_name, Guardian.family_name).where(Guardian.id.in_(guardian_ids))
        )
        for name in (given, family)
    ]
    scrubbed = _scrub(reason, [child.given_name, child.family_name, *guardian_names])
    removed = _erase_rows(session, child.id, guardian_ids)
    removed.update(_leave_groups(session, user, child.id))

    child.given_name = ""
    child.family_name = ""
    child.birth_date = date(child.birth_date.year, 1, 1)
    child.school_class = ""
    child.care_situation = CareSituation.UNKNOWN
    child.erased_at = utcnow()
    session.flush()
    session.expire(child, ["interests", "guardian_links"])
    audit.record(
        session,
        user,
        AuditAction.DELETE,
        "child",
        child.id,
        erasure=True,
        reason=scrubbed,
        removed=removed,
    )
    return child


def erase_many(session: Session, user: User, child_ids: Iterable[int], reason: str) -> int:
    """Erase several children (a retention review); already erased ones are skipped. Returns
    how many were erased. Each erasure is audited on its own."""
    require_data_protection_administrator(user)
    reason = _check_reason(reason)
    erased = 0
    for child_id in sorted(set(child_ids)):
        child = session.get(Child, child_id)
        if child is None or child.erased_at is not None:
            continue
        erase_child(session, user, child_id, reason)
        erased += 1
    return erased


def retention_candidates(
    session: Session, user: User, inactive_days: int = 730, today: date | None = None
) -> list[RetentionCandidate]:
    """Children without activity for ``inactive_days`` (registration, enrolment and its history,
    attendance, quizzes), not enrolled or waiting anywhere, not followed by a centre, not erased;
    the longest inactive first. Names and dates only: no special-category data."""
    require_data_protection_administrator(user)
    if inactive_days < MIN_INACTIVE_DAYS:
        raise ValidationError(
            _("The period without activity must be at least {days} days.").format(
                days=MIN_INACTIVE_DAYS
            ),
            "inactive_days",
        )

    today = today or local_today()
    cutoff = datetime.combine(today - timedelta(days=inactive_days), time.min, UTC)
    activity = union_all(
        select(Child.id.label("child_id"), Child.created_at.label("at")),
        select(Enrolment.child_id, Enrolment.created_at),
        select(Enrolment.child_id, Enrolment.ended_at).where(Enrolment.ended_at.is_not(None)),
        select(Enrolment.child_id, EnrolmentEvent.at).join(
            Enrolment, Enrolment.id == EnrolmentEvent.enrolment_id
        ),
        select(Attendance.child_id, Occurrence.starts_at).join(
            Occurrence, Occurrence.id == Attendance.occurrence_id
        ),
        select(QuizPlayer.child_id, QuizPlayer.joined_at).where(QuizPlayer.child_id.is_not(None)),
    ).subquery("activity")
    last = (
        select(activity.c.child_id, func.max(activity.c.at).label("last_at"))
        .group_by(activity.c.child_id)
        .having(func.max(activity.c.at) < cutoff)
        .subquery("last_activity")
    )
    open_enrolment = select(Enrolment.child_id).where(
        Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING))
    )
    followed = select(RiskRecord.child_id).where(RiskRecord.closed_on.is_(None))
    rows = session.execute(
        select(Child.id, Child.given_name, Child.family_name, Child.created_at, last.c.last_at)
        .join(last, last.c.child_id == Child.id)
        .where(exclude_erased(), Child.id.not_in(open_enrolment), Child.id.not_in(followed))
        .order_by(last.c.last_at, Child.id)
    ).all()
    return [
        RetentionCandidate(
            child_id, given, family, _aware(created_at).date(), _aware(last_at).date()
        )
        for child_id, given, family, created_at, last_at in rows
    ]


def _check_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Please give the reason for the erasure."), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(_("Please shorten the reason."), "reason")
    return reason


def _scrub(text: str, names: Iterable[str]) -> str:
    """The text with every given name blotted out (no name ever reaches the audit log)."""
    for name in sorted({name.strip() for name in names if name and name.strip()}, key=len)[::-1]:
        text = re.sub(re.escape(name), "…", text, flags=re.IGNORECASE)
    return text


def _erase_rows(session: Session, child_id: int, guardian_ids: list[int]) -> dict[str, int]:
    removed: dict[str, int] = {}
    for table in CHILD_TABLES:
        if table.erasure == Erasure.KEEP:
            continue
        if table.erasure == Erasure.DELETE:
            statement = delete(table.model)
        else:
            statement = sql_update(table.model).values(table.cleared)
        rows = int(session.execute(statement.where(table.model.child_id == child_id)).rowcount or 0)
        if table.counted_as:
            removed[table.counted_as] = rows
    still_linked = select(ChildGuardian.guardian_id).where(
        ChildGuardian.guardian_id.in_(guardian_ids)
    )
    removed["guardians"] = int(
        session.execute(
            delete(Guardian).where(Guardian.id.in_(guardian_ids), Guardian.id.not_in(still_linked))
        ).rowcount
        or 0
    )
    session.flush()
    return removed


def _leave_groups(session: Session, user: User, child_id: int) -> dict[str, int]:
    """Active enrolments end (removed; the history says so) and their places go to the children
    waiting; places on a waiting list are given up (deleted: waiting is not participation, and an
    ended enrolment would count as membership in past reports)."""

    now = utcnow()
    waiting = int(
        session.execute(
            delete(Enrolment).where(
                Enrolment.child_id == child_id, Enrolment.status == EnrolmentStatus.WAITING
            )
        ).rowcount
        or 0
    )
    active = list(
        session.scalars(
            select(Enrolment).where(
                Enrolment.child_id == child_id, Enrolment.status == EnrolmentStatus.ACTIVE
            )
        )
    )
    for enrolment in active:
        enrolment.status = EnrolmentStatus.ENDED
        enrolment.ended_at = now
        enrolment.end_reason = EndReason.REMOVED
        session.add(
            EnrolmentEvent(
                enrolment_id=enrolment.id,
                status=EnrolmentStatus.ENDED,
                at=now,
                by_user_id=user.id,
                note=EndReason.REMOVED.value,
            )
        )
    session.flush()
    for group_id in sorted({enrolment.group_id for enrolment in active}):
        promote_waiting(session, group_id, user)
    return {"enrolments_ended": len(active), "waiting_places_given_up": waiting}
