"""Parental involvement: guardians taking part, with a role, in an occurrence.

One record per guardian, occurrence and role (``GuardianInvolvement``, unique on
``(guardian_id, occurrence_id, role)``); recording it twice, or from two devices at once, leaves
one row (SAVEPOINT + IntegrityError → the existing row).

- ``record_involvement`` / ``remove_involvement``: those who may take the occurrence's
  attendance (``parliament_app.policy.meetings.may_take_attendance``), for a guardian of a child
  on its roster or visible to them.
- ``family_timeline``: a guardian's involvements and their children's attendance, by date; for
  users who see at least one of the guardian's children (``child_scope``); facilitators only the
  sessions they lead or staff; social workers only children whose guardian consented to sharing
  participation with the centre for social work.
- ``involvement_indicator``: per child, group, school or municipality, how many children (enrolled
  in the period) have a guardian involved in the period, the share, and how many involvements;
  computed with GROUP BY. For everyone but administrators, and in every export, aggregated rows
  with fewer than ``SMALL_CELL`` children are suppressed, and so is a count of involved children
  under ``SMALL_CELL`` (with its share and involvement count). The child level lists children the
  user already sees by name, so it is not suppressed; its export is for administrators.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.actors import Actor, is_operator
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import N_, _
from parliament_app.groups.diversity.report import SMALL_CELL, school_terms
from parliament_app.models import (
    AuditAction,
    Child,
    ChildGuardian,
    Enrolment,
    EnrolmentStatus,
    Group,
    Guardian,
    Municipality,
    Organisation,
    Role,
    User,
)
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    GuardianInvolvement,
    InvolvementRole,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus
from parliament_app.policy.access import child_scope, exclude_erased
from parliament_app.policy.meetings import (
    family_timeline_child_scope,
    family_timeline_occurrence_scope,
    involvement_indicator_scope,
)
from sessions.attendance.roster import (
    LOCAL_TIMEZONE,
    STATUS_LABELS,
    enrolled_child_ids,
    spreadsheet_safe,
    taken_occurrence,
)

__all__ = [
    "LEVELS",
    "ROLE_LABELS",
    "IndicatorRow",
    "TimelineEntry",
    "chart_data",
    "export_indicator_csv",
    "family_timeline",
    "involvement_indicator",
    "record_involvement",
    "remove_involvement",
]

Level = Literal["child", "group", "school", "municipality"]
LEVELS: dict[str, str] = {
    "child": N_("Child"),
    "group": N_("Group"),
    "school": N_("School"),
    "municipality": N_("Municipality"),
}
ROLE_LABELS: dict[InvolvementRole, str] = {
    InvolvementRole.ACCOMPANIED: N_("Accompanied the child"),
    InvolvementRole.FAMILY_WORKSHOP: N_("Took part in a family workshop"),
    InvolvementRole.VOLUNTEERED: N_("Volunteered"),
    InvolvementRole.MET_SPECIALIST: N_("Met a specialist"),
    InvolvementRole.OTHER: N_("Other"),
}
INDICATOR_COLUMNS = (
    "level",
    "key",
    "label",
    "children",
    "children_with_involved_guardian",
    "share",
    "involvements",
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # the occurrence's start (UTC)
    kind: Literal["involvement", "attendance"]
    occurrence_id: int
    topic: str
    group: str
    child_id: int | None
    child_given_name: str  # "" for an involvement not tied to one child
    role: InvolvementRole | None  # involvements
    status: AttendanceStatus | None  # attendance
    label: str  # the role or status, translated


@dataclass(frozen=True)
class IndicatorRow:
    key: int | None  # child, group, school or municipality id (None: children with no school)
    label: str
    children: int | None  # None: suppressed
    children_with_involved_guardian: int | None
    share: float | None
    involvements: int | None
    suppressed: bool = False


# --- recording -------------------------------------------------------------------------------


def record_involvement(
    session: Session,
    user: User,
    occurrence_id: int,
    guardian_id: int,
    role: InvolvementRole | str,
    child_id: int | None = None,
    method: AttendanceMethod | str = AttendanceMethod.ROSTER,
) -> GuardianInvolvement:
    """Record that a guardian took part in the occurrence in ``role`` (optionally for one of
    their children). Recording it again returns the existing record."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled."), "occurrence")
    role = _role(role)
    try:
        method = AttendanceMethod(method)
    except ValueError:
        raise ValidationError(_("Unknown attendance method."), "method") from None
    if method == AttendanceMethod.AUTOMATIC:
        raise ValidationError(_("Unknown attendance method."), "method")
    _require_reachable_guardian(session, user, occurrence, guardian_id)
    if child_id is not None and session.get(ChildGuardian, (child_id, guardian_id)) is None:
        raise ValidationError(_("This guardian is not linked to that child."), "child")

    existing = _involvement(session, guardian_id, occurrence.id, role)
    if existing is not None:
        return existing
    row = GuardianInvolvement(
        guardian_id=guardian_id,
        occurrence_id=occurrence.id,
        role=role,
        child_id=child_id,
        method=method,
        recorded_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = _involvement(session, guardian_id, occurrence.id, role)
        if existing is None:
            raise
        return existing
    audit.record(
        session,
        user,
        AuditAction.CREATE,
        "guardian_involvement",
        row.id,
        occurrence_id=occurrence.id,
        guardian_id=guardian_id,
        role=role.value,
        child_id=child_id,
        method=method.value,
    )
    return row


def remove_involvement(
    session: Session,
    user: User,
    occurrence_id: int,
    guardian_id: int,
    role: InvolvementRole | str,
) -> bool:
    """Remove a recorded involvement (recorded by mistake). Returns whether there was one."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    role = _role(role)
    row = _involvement(session, guardian_id, occurrence.id, role)
    if row is None:
        return False
    audit.record(
        session,
        user,
        AuditAction.DELETE,
        "guardian_involvement",
        row.id,
        occurrence_id=occurrence.id,
        guardian_id=guardian_id,
        role=role.value,
    )
    session.delete(row)
    session.flush()
    return True


# --- the family timeline ---------------------------------------------------------------------


def family_timeline(session: Session, user: User, guardian_id: int) -> list[TimelineEntry]:
    """The guardian's involvements and their children's attendance, oldest first."""
    if not user.active or session.get(Guardian, guardian_id) is None:
        raise NotFound(_("No such guardian."))
    children = dict(
        session.execute(
            select(Child.id, Child.given_name)
            .join(ChildGuardian, ChildGuardian.child_id == Child.id)
            .where(ChildGuardian.guardian_id == guardian_id, family_timeline_child_scope(user))
        ).all()
    )
    if not children and user.role != Role.ADMINISTRATOR:
        raise NotFound(_("No such guardian."))
    sessions_seen = family_timeline_occurrence_scope(user)

    involvements = session.execute(
        select(
            Occurrence.starts_at,
            Occurrence.id,
            Occurrence.topic,
            Group.name,
            GuardianInvolvement.child_id,
            GuardianInvolvement.role,
        )
        .join(Occurrence, Occurrence.id == GuardianInvolvement.occurrence_id)
        .join(Group, Group.id == Occurrence.group_id)
        .where(GuardianInvolvement.guardian_id == guardian_id, sessions_seen)
    ).all()
    attendance = (
        session.execute(
            select(
                Occurrence.starts_at,
                Occurrence.id,
                Occurrence.topic,
                Group.name,
                Attendance.child_id,
                Attendance.status,
            )
            .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
            .join(Group, Group.id == Occurrence.group_id)
            .where(Attendance.child_id.in_(list(children)), sessions_seen)
        ).all()
        if children
        else []
    )
    entries = [
        TimelineEntry(
            at=starts_at,
            kind="involvement",
            occurrence_id=occurrence_id,
            topic=topic,
            group=group,
            child_id=child_id if child_id in children else None,
            child_given_name=children.get(child_id, "") if child_id is not None else "",
            role=role,
            status=None,
            label=_(ROLE_LABELS[role]),
        )
        for starts_at, occurrence_id, topic, group, child_id, role in involvements
    ]
    entries += [
        TimelineEntry(
            at=starts_at,
            kind="attendance",
            occurrence_id=occurrence_id,
            topic=topic,
            group=group,
            child_id=child_id,
            child_given_name=children[child_id],
            role=None,
            status=status,
            label=_(STATUS_LABELS[status]),
        )
        for starts_at, occurrence_id, topic, group, child_id, status in attendance
    ]
    return sorted(
        entries,
        key=lambda entry: (
            entry.at,
            entry.occurrence_id,
            entry.kind != "involvement",
            entry.child_id or 0,
            entry.label,
        ),
    )


# --- the indicator ---------------------------------------------------------------------------


def involvement_indicator(
    session: Session,
    user: Actor,
    level: Level,
    start: date | None = None,
    end: date | None = None,
    *,
    suppress: bool | None = None,
) -> list[IndicatorRow]:
    """Per ``level`` unit: children enrolled in the period, those with a guardian involved in an
    occurrence in the period, the share, and the number of involvements of their guardians.

    Default period: the current school term. The operator at the command line sees everything,
    small cells suppressed. Administrators see every child, facilitators the
    children of the groups they lead, school coordinators their school's pupils.
    ``suppress`` None: suppress small aggregated cells for everyone but administrators.
    The child level (a list of individuals) leaves erased children out; group, school and
    municipality rows still count them, so aggregates do not change with an erasure.
    """
    if level not in LEVELS:
        raise ValidationError(_("Unknown level."), "level")
    if start is None or end is None:
        _label, term_start, term_end = school_terms(local_today(), 1)[0]
        start, end = start or term_start, end or term_end
    if end < start:
        raise ValidationError(_("The period ends before it starts."), "period")
    scope = involvement_indicator_scope(user)
    if suppress is None:
        suppress = is_operator(user) or user.role != Role.ADMINISTRATOR
    suppress = suppress and level != "child"

    period_start = datetime.combine(start, time.min, LOCAL_TIMEZONE)
    period_end = datetime.combine(end + timedelta(days=1), time.min, LOCAL_TIMEZONE)
    key, label, joins = _level_columns(level)
    members_query = (
        select(key.label("key"), label.label("label"), Enrolment.child_id.label("child_id"))
        .select_from(Enrolment)
        .join(Child, Child.id == Enrolment.child_id)
        .join(Group, Group.id == Enrolment.group_id)
        .where(
            scope,
            Enrolment.status != EnrolmentStatus.WAITING,
            Enrolment.created_at < period_end,
            or_(Enrolment.ended_at.is_(None), Enrolment.ended_at >= period_start),
        )
        .distinct()
    )
    if level == "child":
        members_query = members_query.where(exclude_erased())
    for target, condition in joins:
        members_query = members_query.outerjoin(target, condition)
    members = members_query.subquery("members")
    in_period = and_(
        Occurrence.starts_at >= period_start,
        Occurrence.starts_at < period_end,
        Occurrence.status != OccurrenceStatus.CANCELLED,
    )
    involved_children = (
        select(ChildGuardian.child_id)
        .join(GuardianInvolvement, GuardianInvolvement.guardian_id == ChildGuardian.guardian_id)
        .join(Occurrence, Occurrence.id == GuardianInvolvement.occurrence_id)
        .where(in_period)
    )
    counts = session.execute(
        select(
            members.c.key,
            members.c.label,
            func.count(func.distinct(members.c.child_id)),
            func.count(
                func.distinct(
                    case(
                        (members.c.child_id.in_(involved_children), members.c.child_id),
                        else_=None,
                    )
                )
            ),
        ).group_by(members.c.key, members.c.label)
    ).all()
    involvements = dict(
        session.execute(
            select(members.c.key, func.count(func.distinct(GuardianInvolvement.id)))
            .select_from(members)
            .join(ChildGuardian, ChildGuardian.child_id == members.c.child_id)
            .join(GuardianInvolvement, GuardianInvolvement.guardian_id == ChildGuardian.guardian_id)
            .join(Occurrence, Occurrence.id == GuardianInvolvement.occurrence_id)
            .where(in_period)
            .group_by(members.c.key)
        ).all()
    )
    rows = [
        _indicator_row(
            key_value,
            label_value if label_value else _("No school"),
            children,
            involved,
            involvements.get(key_value, 0),
            suppress,
        )
        for key_value, label_value, children, involved in counts
    ]
    return sorted(rows, key=lambda row: (row.label.casefold(), row.key or 0))


def chart_data(rows: Sequence[IndicatorRow]) -> list[dict[str, object]]:
    """Rows for a bar chart of the share (suppressed rows left out)."""
    return [
        {"label": row.label, "share": row.share, "involvements": row.involvements}
        for row in rows
        if row.share is not None
    ]


def export_indicator_csv(
    session: Session,
    user: Actor,
    level: Level,
    start: date | None = None,
    end: date | None = None,
) -> str:
    """The indicator as CSV; aggregated levels always with small cells suppressed ("<5"). The
    child level (names) is exported for administrators and operators only."""
    if level == "child" and not is_operator(user) and user.role != Role.ADMINISTRATOR:
        raise PermissionDenied(_("You do not have permission to do this."))
    rows = involvement_indicator(session, user, level, start, end, suppress=True)
    hidden = f"<{SMALL_CELL}"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(INDICATOR_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                level,
                "" if row.key is None else row.key,
                spreadsheet_safe(row.label),
                hidden if row.children is None else row.children,
                hidden
                if row.children_with_involved_guardian is None
                else row.children_with_involved_guardian,
                "" if row.share is None else f"{row.share:.3f}",
                "" if row.involvements is None else row.involvements,
            ]
        )
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "involvement_indicator",
        None,
        format="csv",
        level=level,
        start=start.isoformat() if start else None,
        end=end.isoformat() if end else None,
        rows=len(rows),
    )
    return buffer.getvalue()


# --- internals -------------------------------------------------------------------------------


def _role(role: InvolvementRole | str) -> InvolvementRole:
    try:
        return InvolvementRole(role)
    except ValueError:
        raise ValidationError(_("Unknown involvement role."), "role") from None


def _involvement(
    session: Session, guardian_id: int, occurrence_id: int, role: InvolvementRole
) -> GuardianInvolvement | None:
    return session.scalar(
        select(GuardianInvolvement)
        .where(
            GuardianInvolvement.guardian_id == guardian_id,
            GuardianInvolvement.occurrence_id == occurrence_id,
            GuardianInvolvement.role == role,
        )
        .execution_options(populate_existing=True)
    )


def _require_reachable_guardian(
    session: Session, user: User, occurrence: Occurrence, guardian_id: int
) -> None:
    """The guardian of a child on the occurrence's roster, or of a child the user sees."""
    recorded = select(Attendance.child_id).where(Attendance.occurrence_id == occurrence.id)
    reachable = (
        select(ChildGuardian.child_id)
        .join(Child, Child.id == ChildGuardian.child_id)
        .where(
            ChildGuardian.guardian_id == guardian_id,
            or_(
                Child.id.in_(enrolled_child_ids(occurrence)),
                Child.id.in_(recorded),
                child_scope(user),
            ),
        )
        .exists()
    )
    if not session.scalar(select(reachable)):
        raise NotFound(_("No such guardian."))


def _level_columns(level: str):
    """The unit key, its label, and the outer joins the label needs."""
    if level == "child":
        return Child.id, Child.family_name + ", " + Child.given_name, []
    if level == "group":
        return Group.id, Group.name, []
    if level == "school":
        return (
            Child.school_id,
            Organisation.name,
            [(Organisation, Organisation.id == Child.school_id)],
        )
    return (
        Child.municipality_id,
        Municipality.name,
        [(Municipality, Municipality.id == Child.municipality_id)],
    )


def _indicator_row(
    key: int | None, label: str, children: int, involved: int, involvements: int, suppress: bool
) -> IndicatorRow:
    if suppress and children < SMALL_CELL:
        return IndicatorRow(key, label, None, None, None, None, suppressed=True)
    if suppress and involved < SMALL_CELL:
        return IndicatorRow(key, label, children, None, None, None, suppressed=True)
    share = involved / children if children else None
    return IndicatorRow(key, label, children, involved, share, involvements)
