# Not split: the dashboard and a child's timeline share the participation queries and the
#   consent gate that decides what a centre may see.
"""The caseload dashboard: the children a centre for social work follows, with their participation.

Who sees what: a social worker sees the children of their own centre whose participation the
centre may see (``parliament_app.policy.access.participation_visible_to_csw``: an open
at-risk record of the centre AND a referral by the centre or a live sharing consent); administrators
see a centre's dashboard when they name the centre. Schools and facilitators never see it: the
dashboard sits next
to risk records, and a caseload is itself special-category data.

Participation, per child (``participation_metrics``):

- an occurrence *counts* for a child when it is not cancelled and the child has an attendance
  record for it, or it is closed and the child was enrolled in its group when it started but has no
  record (unmarked: counted as absent);
- *attended* = present, late or left early; absent, excused and unmarked count as not attended;
- rates over the last 4 and 12 weeks (28 and 84 days ending with ``today``, local days);
- trend: the 4-week rate against the 4 weeks before it, "up"/"down" when it moved by more than
  ``TREND_MARGIN``, else "steady" (also when either period has nothing to count);
- consecutive absences: absences (absent or unmarked) since the last attendance; an excused
  absence neither counts nor breaks the run (the family told the group in advance).

Everything is aggregated in SQL with GROUP BY over one set of events (a CTE), so a caseload of 200
children costs the same handful of queries as one of 5. Every dashboard read is audited once
(``AuditAction.READ_SPECIAL``) with the children's ids and the basis of each read (referral or
consent); the audit entry never carries a name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    CTE,
    ColumnElement,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.clock import LOCAL_TIMEZONE, local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _
from parliament_app.groups.enrolment import EVENT_NOTE_LABELS
from parliament_app.models import (
    AuditAction,
    Child,
    ChildGuardian,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Group,
    Organisation,
    OrganisationKind,
    RiskRecord,
    Role,
    User,
)
from parliament_app.models.attendance import Attendance, AttendanceStatus, GuardianInvolvement
from parliament_app.models.meetings import Occurrence, OccurrenceStatus
from parliament_app.models.monitoring import Alert, AlertRule, AlertStatus
from parliament_app.models.quizzes import QuizAnswer, QuizPlayer, QuizRun
from parliament_app.monitoring import ALERT_STATUS_LABELS, RULE_LABELS
from parliament_app.policy.access import (
    exclude_erased,
    participation_basis,
    participation_visible_to_csw,
)
from sessions.attendance.roster import STATUS_LABELS
from sessions.involvement import ROLE_LABELS

__all__ = [
    "SORTS",
    "TREND_MARGIN",
    "CaseloadRow",
    "Metrics",
    "ParticipationTimeline",
    "TimelineEvent",
    "caseload",
    "caseload_rows",
    "centre_for",
    "local_today",
    "participation_metrics",
    "participation_timeline",
]

TREND_MARGIN = 0.10
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
# The outcome of one counted occurrence for one child (the events CTE's ``outcome`` column).
ATTENDED, ABSENT, EXCUSED, UNMARKED = "attended", "absent", "excused", "unmarked"
RUN_BREAKERS = (ATTENDED,)
RUN_COUNTS = (ABSENT, UNMARKED)
SORTS = ("risk", "name", "rate_4w", "rate_12w", "last_attended", "absences", "alerts")
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class Metrics:
    """One child's participation numbers (no permission check, no audit: see callers)."""

    attended_4w: int = 0
    scheduled_4w: int = 0
    attended_prev_4w: int = 0
    scheduled_prev_4w: int = 0
    attended_12w: int = 0
    scheduled_12w: int = 0
    attended_month: int = 0
    scheduled_month: int = 0
    last_attended_at: datetime | None = None
    consecutive_absences: int = 0
    run_started_at: datetime | None = None  # the first absence of the current run

    @property
    def rate_4w(self) -> float | None:
        return _rate(self.attended_4w, self.scheduled_4w)

    @property
    def rate_prev_4w(self) -> float | None:
        return _rate(self.attended_prev_4w, self.scheduled_prev_4w)

    @property
    def rate_12w(self) -> float | None:
        return _rate(self.attended_12w, self.scheduled_12w)

    @property
    def trend(self) -> str:
        now, before = self.rate_4w, self.rate_prev_4w
        if now is None or before is None:
            return "steady"
        if now - before > TREND_MARGIN:
            return "up"
        if before - now > TREND_MARGIN:
            return "down"
        return "steady"


@dataclass(frozen=True)
class CaseloadRow:
    child_id: int
    given_name: str
    family_name: str
    groups: tuple[str, ...]
    rate_4w: float | None  # None: nothing to count in the period
    rate_12w: float | None
    attended_4w: int
    scheduled_4w: int
    attended_12w: int
    scheduled_12w: int
    last_attended: date | None  # local date
    consecutive_absences: int
    trend: str  # "up" | "down" | "steady" (labels: parliament_app.monitoring.TREND_LABELS)
    guardian_involvements_12w: int
    quiz_runs: int  # quiz runs the child joined (a count only, never answers)
    open_alerts: int
    basis: str  # why the centre sees the participation: "referral" or "consent"
    legal_basis: str  # of the centre's open at-risk record(s)
    group_ids: tuple[int, ...] = ()
    attended_month: int = 0  # only filled for a month (the task-force pack)
    scheduled_month: int = 0

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime  # UTC
    kind: str  # "enrolment", "attendance", "involvement", "quiz", "alert"
    code: str  # a status, role, rule or note code
    label: str  # the code, translated
    group: str = ""
    topic: str = ""
    count: int | None = None  # quiz: questions answered (how many, never which or how)


@dataclass(frozen=True)
class ParticipationTimeline:
    child_id: int
    given_name: str
    family_name: str
    basis: str  # "referral", "consent" or "administrator"
    legal_basis: str
    events: list[TimelineEvent] = field(default_factory=list)


# --- the dashboard ---------------------------------------------------------------------------


def caseload(
    session: Session,
    user: User,
    *,
    today: date | None = None,
    search: str = "",
    sort: str = "risk",
    group_id: int | None = None,
    with_open_alerts: bool = False,
    csw_id: int | None = None,
) -> list[CaseloadRow]:
    """The centre's children with their participation, sorted (``SORTS``) and filtered.

    ``search`` matches given or family name (any case); ``group_id`` keeps children enrolled in
    that group; ``with_open_alerts`` keeps children with unresolved alerts. Social workers see
    their own centre (``csw_id`` is ignored for them); administrators name the centre. Audited
    once per call.
    """
    if sort not in SORTS:
        raise ValidationError(_("Unknown sort order."), "sort")
    centre = centre_for(session, user, csw_id)
    rows = caseload_rows(session, centre, today=today)
    needle = search.strip().casefold()
    if needle:
        rows = [
            row
            for row in rows
            if needle in row.given_name.casefold()
            or needle in row.family_name.casefold()
            or needle in row.name.casefold()
        ]
    if group_id is not None:
        rows = [row for row in rows if group_id in row.group_ids]
    if with_open_alerts:
        rows = [row for row in rows if row.open_alerts]
    rows = _sorted(rows, sort)
    audit.record(
        session,
        user,
        AuditAction.READ_SPECIAL,
        "caseload",
        centre,
        purpose="caseload_dashboard",
        children=len(rows),
        child_ids=[row.child_id for row in rows],
        bases={str(row.child_id): row.basis for row in rows},
        filtered=bool(needle or group_id is not None or with_open_alerts),
    )
    return rows


def caseload_rows(
    session: Session,
    csw_id: int,
    *,
    today: date | None = None,
    month: tuple[date, date] | None = None,
) -> list[CaseloadRow]:
    """The dashboard rows of a centre, by family name (no permission check, no audit: callers
    in this package check and audit). ``month`` (first and last day) also fills the month's
    counts."""
    today = today or local_today()
    children = session.execute(
        select(Child.id, Child.given_name, Child.family_name, participation_basis(csw_id))
        .where(participation_visible_to_csw(csw_id), exclude_erased())
        .order_by(Child.family_name, Child.given_name, Child.id)
    ).all()
    ids = [child_id for child_id, *_rest in children]
    if not ids:
        return []
    metrics = participation_metrics(session, ids, today, month=month)
    groups = _groups(session, ids)
    involvements = _involvements(session, ids, today)
    quiz_runs = _quiz_runs(session, ids)
    alerts = _open_alerts(session, ids, csw_id)
    legal = _legal_bases(session, ids, csw_id)
    rows = []
    for child_id, given, family, basis in children:
        numbers = metrics.get(child_id, Metrics())
        child_groups = groups.get(child_id, [])
        rows.append(
            CaseloadRow(
                child_id=child_id,
                given_name=given,
                family_name=family,
                groups=tuple(name for _id, name in child_groups),
                group_ids=tuple(group for group, _name in child_groups),
                rate_4w=numbers.rate_4w,
                rate_12w=numbers.rate_12w,
                attended_4w=numbers.attended_4w,
                scheduled_4w=numbers.scheduled_4w,
                attended_12w=numbers.attended_12w,
                scheduled_12w=numbers.scheduled_12w,
                last_attended=local_date(numbers.last_attended_at),
                consecutive_absences=numbers.consecutive_absences,
                trend=numbers.trend,
                guardian_involvements_12w=involvements.get(child_id, 0),
                quiz_runs=quiz_runs.get(child_id, 0),
                open_alerts=alerts.get(child_id, 0),
                basis=basis or "consent",
                legal_basis="; ".join(legal.get(child_id, [])),
                attended_month=numbers.attended_month,
                scheduled_month=numbers.scheduled_month,
            )
        )
    return rows


def centre_for(session: Session, user: User, csw_id: int | None) -> int:
    """The centre whose monitoring data ``user`` works with: a social worker's own centre, or the
    centre an administrator names. Everyone else is refused."""
    if not user.active:
        raise PermissionDenied(_("You do not have permission to do this."))
    if user.role == Role.SOCIAL_WORKER and user.organisation_id is not None:
        return user.organisation_id
    if user.role == Role.ADMINISTRATOR:
        if csw_id is None:
            raise ValidationError(_("Please choose a centre for social work."), "csw")
        centre = session.get(Organisation, csw_id)
        if centre is None or centre.kind != OrganisationKind.CSW:
            raise ValidationError(_("Please choose a centre for social work."), "csw")
        return centre.id
    raise PermissionDenied(_("You do not have permission to do this."))


# --- one child's timeline --------------------------------------------------------------------


def participation_timeline(
    session: Session, user: User, child_id: int, *, today: date | None = None
) -> ParticipationTimeline:
    """A child's participation on one page, oldest first: enrolments and their history,
    attendance (unmarked closed sessions included), guardians' involvement, quizzes joined (with
    how many questions were answered, never the answers) and the alerts raised.

    Social workers: children whose participation their centre may see (the centre's alerts only);
    administrators: any child (every alert). Audited.
    """
    today = today or local_today()
    child = session.get(Child, child_id)
    basis, csw_id = None, None
    if child is not None and child.erased_at is None and user.active:
        if user.role == Role.ADMINISTRATOR:
            basis = "administrator"
        elif user.role == Role.SOCIAL_WORKER and user.organisation_id is not None:
            csw_id = user.organisation_id
            basis = session.scalar(
                select(participation_basis(csw_id)).where(
                    Child.id == child_id, participation_visible_to_csw(csw_id)
                )
            )
    if child is None or basis is None:
        raise NotFound(_("This child's record does not exist or is not visible to you."))

    events: list[TimelineEvent] = []
    events += _enrolment_events(session, child_id)
    events += _attendance_events(session, child_id, today)
    events += _involvement_events(session, child_id)
    events += _quiz_events(session, child_id)
    events += _alert_events(session, child_id, csw_id)
    events.sort(key=lambda event: (event.at, event.kind, event.code))
    legal_query = select(RiskRecord.legal_basis).where(
        RiskRecord.child_id == child_id, RiskRecord.closed_on.is_(None)
    )
    if csw_id is not None:
        legal_query = legal_query.where(RiskRecord.csw_id == csw_id)
    legal = list(dict.fromkeys(session.scalars(legal_query.order_by(RiskRecord.opened_on))))
    audit.record(
        session,
        user,
        AuditAction.READ_SPECIAL,
        "child",
        child_id,
        purpose="participation_timeline",
        basis=basis,
        events=len(events),
    )
    return ParticipationTimeline(
        child_id, child.given_name, child.family_name, basis, "; ".join(legal), events
    )


# --- participation numbers (shared with alerts and the task-force pack) ---------------------


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day, in UTC."""
    return datetime.combine(day, time.min, LOCAL_TIMEZONE).astimezone(UTC)


def local_date(moment: datetime | str | None) -> date | None:
    moment = aware(moment)
    return moment.astimezone(LOCAL_TIMEZONE).date() if moment is not None else None


def aware(value: datetime | str | None) -> datetime | None:
    """Aggregates can bypass the column type (SQLite may hand back naive UTC or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def participation_events(session: Session, child_ids: Sequence[int], until: datetime) -> CTE:
    """A CTE of counted occurrences before ``until``: ``child_id``, ``occurrence_id``,
    ``group_id``, ``starts_at``, ``outcome`` (attended / absent / excused / unmarked)."""
    outcome = case(
        (Attendance.status.in_(ATTENDED_STATUSES), literal(ATTENDED)),
        (Attendance.status == AttendanceStatus.EXCUSED, literal(EXCUSED)),
        else_=literal(ABSENT),
    )
    records = (
        select(
            Attendance.child_id.label("child_id"),
            Occurrence.id.label("occurrence_id"),
            Occurrence.group_id.label("group_id"),
            Occurrence.starts_at.label("starts_at"),
            outcome.label("outcome"),
        )
        .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
        .where(
            Attendance.child_id.in_(child_ids),
            Occurrence.status != OccurrenceStatus.CANCELLED,
            Occurrence.starts_at < until,
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        # Redundant, but it tells PostgreSQL how few occurrences these are: without it the
        # planner hash-joins every occurrence of the programme (27 -> 18 ms for a caseload of
        # 200 on the national dataset). SQLite finds the short way alone and is slowed by it.
        records = records.where(
            Occurrence.id.in_(
                select(Attendance.occurrence_id).where(Attendance.child_id.in_(child_ids))
            )
        )
    unmarked = (
        select(
            Enrolment.child_id,
            Occurrence.id,
            Occurrence.group_id,
            Occurrence.starts_at,
            literal(UNMARKED),
        )
        .join(Occurrence, Occurrence.group_id == Enrolment.group_id)
        .where(
            Enrolment.child_id.in_(child_ids),
            Occurrence.status == OccurrenceStatus.CLOSED,
            Occurrence.starts_at < until,
            _enrolled_when_it_started(),
            ~exists().where(
                Attendance.occurrence_id == Occurrence.id,
                Attendance.child_id == Enrolment.child_id,
            ),
        )
    )
    return union_all(records, unmarked).cte("participation_events")


def participation_metrics(
    session: Session,
    child_ids: Sequence[int],
    today: date,
    *,
    month: tuple[date, date] | None = None,
) -> dict[int, Metrics]:
    """``{child id: Metrics}`` as of the end of ``today`` (local).

    One query fetches the children's counted occurrences (tens per child); the windows, the last
    attendance and the current run of absences are counted here. (Two GROUP BY queries over the
    same events cost twice the join on PostgreSQL, which dominated a caseload's dashboard.)
    No permission check and no audit: for this package's services, which make both.
    """
    if not child_ids:
        return {}
    until = local_midnight(today + timedelta(days=1))
    from_4w = local_midnight(today - timedelta(days=27))
    from_prev = local_midnight(today - timedelta(days=55))
    from_12w = local_midnight(today - timedelta(days=83))
    month_window = (
        (local_midnight(month[0]), local_midnight(month[1] + timedelta(days=1)))
        if month
        else (until, until)
    )
    windows = ((from_4w, until), (from_prev, from_4w), (from_12w, until), month_window)
    events = participation_events(session, child_ids, until)
    by_child: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for child_id, starts_at, outcome in session.execute(
        select(events.c.child_id, events.c.starts_at, events.c.outcome)
    ):
        by_child[child_id].append((aware(starts_at), outcome))
    return {child_id: _metrics(history, windows) for child_id, history in by_child.items()}


def _metrics(
    history: list[tuple[datetime, str]], windows: tuple[tuple[datetime, datetime], ...]
) -> Metrics:
    """One child's numbers from their counted occurrences: ``(starts_at, outcome)`` pairs."""

    def counted(window: tuple[datetime, datetime]) -> tuple[int, int]:
        start, end = window
        inside = [outcome for at, outcome in history if start <= at < end]
        return inside.count(ATTENDED), len(inside)

    (a4, s4), (ap, sp), (a12, s12), (am, sm) = (counted(window) for window in windows)
    last_attended = max((at for at, outcome in history if outcome == ATTENDED), default=None)
    run = [
        at
        for at, outcome in history
        if outcome in RUN_COUNTS and (last_attended is None or at > last_attended)
    ]
    return Metrics(
        attended_4w=a4,
        scheduled_4w=s4,
        attended_prev_4w=ap,
        scheduled_prev_4w=sp,
        attended_12w=a12,
        scheduled_12w=s12,
        attended_month=am,
        scheduled_month=sm,
        last_attended_at=last_attended,
        consecutive_absences=len(run),
        run_started_at=min(run, default=None),
    )


# --- internals -------------------------------------------------------------------------------


def _rate(attended: int, scheduled: int) -> float | None:
    return attended / scheduled if scheduled else None


def _enrolled_when_it_started() -> ColumnElement[bool]:
    """The enrolment (correlated) was active when the occurrence (correlated) started: from its
    status history, or for enrolments without history from its current status and dates (as
    ``sessions.attendance.roster.enrolled_child_ids`` reads it)."""
    status_then = (
        select(EnrolmentEvent.status)
        .where(
            EnrolmentEvent.enrolment_id == Enrolment.id,
            EnrolmentEvent.at <= Occurrence.starts_at,
        )
        .order_by(EnrolmentEvent.at.desc(), EnrolmentEvent.id.desc())
        .limit(1)
        .correlate(Enrolment, Occurrence)
        .scalar_subquery()
    )
    has_history = exists().where(EnrolmentEvent.enrolment_id == Enrolment.id)
    without_history = and_(
        Enrolment.created_at <= Occurrence.starts_at,
        or_(
            Enrolment.status == EnrolmentStatus.ACTIVE,
            and_(
                Enrolment.status == EnrolmentStatus.ENDED,
                Enrolment.ended_at.is_not(None),
                Enrolment.ended_at > Occurrence.starts_at,
            ),
        ),
    )
    return or_(
        and_(has_history, status_then == EnrolmentStatus.ACTIVE),
        and_(~has_history, without_history),
    )


def _groups(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    groups: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for child_id, group_id, name in session.execute(
        select(Enrolment.child_id, Group.id, Group.name)
        .join(Group, Group.id == Enrolment.group_id)
        .where(
            Enrolment.child_id.in_(ids),
            Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING)),
        )
        .order_by(Group.name, Group.id)
    ):
        groups[child_id].append((group_id, name))
    return groups


def _involvements(session: Session, ids: Sequence[int], today: date) -> dict[int, int]:
    """Involvements of each child's guardians in the last 12 weeks."""
    start = local_midnight(today - timedelta(days=83))
    end = local_midnight(today + timedelta(days=1))
    return {
        child_id: int(count)
        for child_id, count in session.execute(
            select(ChildGuardian.child_id, func.count(func.distinct(GuardianInvolvement.id)))
            .join(GuardianInvolvement, GuardianInvolvement.guardian_id == ChildGuardian.guardian_id)
            .join(Occurrence, Occurrence.id == GuardianInvolvement.occurrence_id)
            .where(
                ChildGuardian.child_id.in_(ids),
                Occurrence.status != OccurrenceStatus.CANCELLED,
                Occurrence.starts_at >= start,
                Occurrence.starts_at < end,
            )
            .group_by(ChildGuardian.child_id)
        )
    }


def _quiz_runs(session: Session, ids: Sequence[int]) -> dict[int, int]:
    return {
        child_id: int(count)
        for child_id, count in session.execute(
            select(QuizPlayer.child_id, func.count(func.distinct(QuizPlayer.run_id)))
            .where(QuizPlayer.child_id.in_(ids))
            .group_by(QuizPlayer.child_id)
        )
    }


def _open_alerts(session: Session, ids: Sequence[int], csw_id: int) -> dict[int, int]:
    return {
        child_id: int(count)
        for child_id, count in session.execute(
            select(Alert.child_id, func.count())
            .where(Alert.child_id.in_(ids), Alert.csw_id == csw_id, Alert.status.in_(UNRESOLVED))
            .group_by(Alert.child_id)
        )
    }


def _legal_bases(session: Session, ids: Sequence[int], csw_id: int) -> dict[int, list[str]]:
    bases: dict[int, list[str]] = defaultdict(list)
    for child_id, basis in session.execute(
        select(RiskRecord.child_id, RiskRecord.legal_basis)
        .where(
            RiskRecord.child_id.in_(ids),
            RiskRecord.csw_id == csw_id,
            RiskRecord.closed_on.is_(None),
        )
        .order_by(RiskRecord.opened_on, RiskRecord.id)
    ):
        if basis not in bases[child_id]:
            bases[child_id].append(basis)
    return bases


def _sorted(rows: list[CaseloadRow], sort: str) -> list[CaseloadRow]:
    def name(row: CaseloadRow) -> tuple:
        return (row.family_name.casefold(), row.given_name.casefold(), row.child_id)

    def rate(value: float | None) -> float:
        return 2.0 if value is None else value  # nothing to count: after the lowest rates

    keys = {
        "risk": lambda row: (
            -row.open_alerts,
            -row.consecutive_absences,
            rate(row.rate_4w),
            *name(row),
        ),
        "name": name,
        "rate_4w": lambda row: (rate(row.rate_4w), *name(row)),
        "rate_12w": lambda row: (rate(row.rate_12w), *name(row)),
        "last_attended": lambda row: (row.last_attended or date.min, *name(row)),
        "absences": lambda row: (-row.consecutive_absences, *name(row)),
        "alerts": lambda row: (-row.open_alerts, *name(row)),
    }
    return sorted(rows, key=keys[sort])


def _enrolment_events(session: Session, child_id: int) -> list[TimelineEvent]:
    events = []
    with_history: set[int] = set()
    for enrolment_id, at, status, note, group in session.execute(
        select(
            EnrolmentEvent.enrolment_id,
            EnrolmentEvent.at,
            EnrolmentEvent.status,
            EnrolmentEvent.note,
            Group.name,
        )
        .join(Enrolment, Enrolment.id == EnrolmentEvent.enrolment_id)
        .join(Group, Group.id == Enrolment.group_id)
        .where(Enrolment.child_id == child_id)
    ):
        with_history.add(enrolment_id)
        code = note if note in EVENT_NOTE_LABELS else status.value
        label = _(EVENT_NOTE_LABELS[note]) if note in EVENT_NOTE_LABELS else _(status.value)
        events.append(TimelineEvent(aware(at), "enrolment", code, label, group))
    for enrolment, group in session.execute(
        select(Enrolment, Group.name)
        .join(Group, Group.id == Enrolment.group_id)
        .where(Enrolment.child_id == child_id)
    ):
        if enrolment.id in with_history:
            continue
        events.append(
            TimelineEvent(
                aware(enrolment.created_at), "enrolment", "enrolled", _("Enrolled"), group
            )
        )
        if enrolment.ended_at is not None:
            reason = enrolment.end_reason.value if enrolment.end_reason else "ended"
            label = (
                _(EVENT_NOTE_LABELS[reason])
                if reason in EVENT_NOTE_LABELS
                else _("Enrolment ended")
            )
            events.append(
                TimelineEvent(aware(enrolment.ended_at), "enrolment", reason, label, group)
            )
    return events


def _attendance_events(session: Session, child_id: int, today: date) -> list[TimelineEvent]:
    events_cte = participation_events(
        session, [child_id], local_midnight(today + timedelta(days=1))
    )
    records = dict(
        session.execute(
            select(Attendance.occurrence_id, Attendance.status).where(
                Attendance.child_id == child_id
            )
        ).all()
    )
    events = []
    for occurrence_id, starts_at, outcome, topic, group in session.execute(
        select(
            events_cte.c.occurrence_id,
            events_cte.c.starts_at,
            events_cte.c.outcome,
            Occurrence.topic,
            Group.name,
        )
        .join(Occurrence, Occurrence.id == events_cte.c.occurrence_id)
        .join(Group, Group.id == Occurrence.group_id)
    ):
        record = records.get(occurrence_id)
        if outcome == UNMARKED or record is None:
            code, label = UNMARKED, _("Not marked (counted as absent)")
        else:
            code, label = record.value, _(STATUS_LABELS[record])
        events.append(TimelineEvent(aware(starts_at), "attendance", code, label, group, topic))
    return events


def _involvement_events(session: Session, child_id: int) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            aware(starts_at), "involvement", role.value, _(ROLE_LABELS[role]), group, topic
        )
        for starts_at, role, topic, group in session.execute(
            select(Occurrence.starts_at, GuardianInvolvement.role, Occurrence.topic, Group.name)
            .join(ChildGuardian, ChildGuardian.guardian_id == GuardianInvolvement.guardian_id)
            .join(Occurrence, Occurrence.id == GuardianInvolvement.occurrence_id)
            .join(Group, Group.id == Occurrence.group_id)
            .where(
                ChildGuardian.child_id == child_id,
                Occurrence.status != OccurrenceStatus.CANCELLED,
            )
            .distinct()
        )
    ]


def _quiz_events(session: Session, child_id: int) -> list[TimelineEvent]:
    answered = (
        select(func.count(QuizAnswer.id))
        .where(QuizAnswer.player_id == QuizPlayer.id)
        .correlate(QuizPlayer)
        .scalar_subquery()
    )
    return [
        TimelineEvent(
            aware(joined_at), "quiz", phase.value, _("Joined a quiz"), group or "", count=count
        )
        for joined_at, phase, group, count in session.execute(
            select(QuizPlayer.joined_at, QuizRun.phase, Group.name, answered)
            .join(QuizRun, QuizRun.id == QuizPlayer.run_id)
            .outerjoin(Group, Group.id == QuizRun.group_id)
            .where(QuizPlayer.child_id == child_id)
        )
    ]


def _alert_events(session: Session, child_id: int, csw_id: int | None) -> list[TimelineEvent]:
    query = select(Alert.raised_at, Alert.rule, Alert.status).where(Alert.child_id == child_id)
    if csw_id is not None:
        query = query.where(Alert.csw_id == csw_id)
    return [
        TimelineEvent(
            aware(raised_at),
            "alert",
            rule.value,
            f"{_(RULE_LABELS[AlertRule(rule)])} ({_(ALERT_STATUS_LABELS[AlertStatus(status)])})",
        )
        for raised_at, rule, status in session.execute(query)
    ]
