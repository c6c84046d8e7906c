# Not split: the five rules, their settings and the inbox share the episode bookkeeping that
#   raises an alert once per episode.
"""Early warning: five rules per centre for social work, an inbox for caseworkers and a neutral
prompt for facilitators.

Rules (thresholds per centre in ``AlertSettings``; a centre without a row uses ``DEFAULTS``),
evaluated for the children whose participation the centre may see
(``participation_visible_to_csw``, erased children left out); ``episode`` names what one alert is
about, and the unique constraint on (child, centre, rule, episode) makes a second evaluation of
the same episode — the same day, the next day — raise nothing new:

- consecutive absences: at least ``consecutive_absences`` absences (absent or unmarked, see
  ``caseload``) since the last attendance; episode: the local date of the run's first absence;
- low attendance: the 4-week rate below ``low_attendance_share`` with at least
  ``LOW_ATTENDANCE_MIN_SESSIONS`` sessions counted; episode: the ISO week of the first day of the
  current stretch below the threshold (days looked back: ``LOOKBACK_DAYS``);
- no attendance: an active enrolment, ``days_without_attendance`` days since the last attendance
  (never attended: since the enrolment began) and at least one session of the child's groups held
  since; episode: that date;
- wants to talk: a quiz "I would like to talk to someone" by a player linked to the child, in the
  last ``RECENT_DAYS`` days; episode: the request's id;
- consent withdrawn: an enrolment ended because consent was withdrawn, in the last
  ``RECENT_DAYS`` days; episode: the enrolment's id.

For every new alert the facilitators of each group the child is active in get one neutral
``FamilyCheckPrompt`` ("please check in with this child's family"): no rule, no reason, no risk
data. While an earlier prompt for the same child and group is still open no second one is added,
so the number of prompts does not hint at the number (or kind) of alerts either.

``evaluate`` is the scheduled job (``parliament alerts evaluate`` from cron); it runs as the
operator and writes one audit entry per evaluation that raised something.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _
from parliament_app.models import (
    AuditAction,
    Child,
    EndReason,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupLeader,
    Organisation,
    OrganisationKind,
    Role,
    User,
    utcnow,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus
from parliament_app.models.monitoring import (
    Alert,
    AlertNote,
    AlertRule,
    AlertSettings,
    AlertStatus,
    FamilyCheckPrompt,
)
from parliament_app.models.quizzes import QuizPlayer, TalkRequest
from parliament_app.monitoring import ALERT_STATUS_LABELS, LOCAL_TIMEZONE, RULE_LABELS
from parliament_app.monitoring.caseload import (
    ATTENDED,
    aware,
    local_date,
    local_midnight,
    local_today,
    participation_events,
    participation_metrics,
)
from parliament_app.policy.access import exclude_erased, participation_visible_to_csw
from parliament_app.policy.groups import led_group_ids
from parliament_app.policy.monitoring import require_centre_member

__all__ = [
    "DEFAULTS",
    "STATUS_FILTERS",
    "AlertView",
    "EvaluationResult",
    "NoteView",
    "PromptView",
    "RuleSettings",
    "acknowledge",
    "add_note",
    "alerts_json",
    "evaluate",
    "family_prompts",
    "inbox",
    "mark_prompt_done",
    "resolve",
    "settings_for",
    "update_settings",
]

LOW_ATTENDANCE_MIN_SESSIONS = 3
LOOKBACK_DAYS = 84
RECENT_DAYS = 28
NOTE_MAX_LENGTH = 2000
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
# "open": everything not resolved yet (acknowledged alerts still need work).
STATUS_FILTERS: dict[str, tuple[AlertStatus, ...]] = {
    "open": UNRESOLVED,
    "acknowledged": (AlertStatus.ACKNOWLEDGED,),
    "resolved": (AlertStatus.RESOLVED,),
    "all": tuple(AlertStatus),
}


@dataclass(frozen=True)
class RuleSettings:
    csw_id: int
    consecutive_absences: int = 2
    low_attendance_share: float = 0.5  # 0 turns the rule off
    days_without_attendance: int = 21
    wants_to_talk: bool = True
    consent_withdrawn: bool = True
    updated_at: datetime | None = None  # None: the defaults, never changed


DEFAULTS = RuleSettings(csw_id=0)
_LIMITS = {"consecutive_absences": (1, 20), "days_without_attendance": (7, 365)}


@dataclass
class EvaluationResult:
    raised: int = 0
    per_rule: dict[str, int] = field(default_factory=lambda: {rule.value: 0 for rule in AlertRule})
    prompts: int = 0


@dataclass(frozen=True)
class NoteView:
    id: int
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class AlertView:
    id: int
    child_id: int
    given_name: str
    family_name: str
    csw_id: int
    rule: AlertRule
    rule_label: str
    episode: str
    status: AlertStatus
    status_label: str
    raised_at: datetime
    detail: dict[str, Any]
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    notes: tuple[NoteView, ...] = ()


@dataclass(frozen=True)
class PromptView:
    """All a facilitator learns of an alert: which child to check in on, in which group."""

    id: int
    child_id: int
    child_given_name: str
    group_id: int
    group_name: str
    created_at: datetime
    done_at: datetime | None


# --- settings --------------------------------------------------------------------------------


def settings_for(session: Session, csw_id: int) -> RuleSettings:
    """The centre's thresholds (the defaults when it never changed them)."""
    row = session.get(AlertSettings, csw_id)
    if row is None:
        return RuleSettings(csw_id=csw_id)
    return RuleSettings(
        csw_id=csw_id,
        consecutive_absences=row.consecutive_absences,
        low_attendance_share=row.low_attendance_share,
        days_without_attendance=row.days_without_attendance,
        wants_to_talk=row.wants_to_talk,
        consent_withdrawn=row.consent_withdrawn,
        updated_at=aware(row.updated_at),
    )


def update_settings(
    session: Session,
    user: User,
    csw_id: int,
    *,
    consecutive_absences: int | None = None,
    low_attendance_share: float | None = None,
    days_without_attendance: int | None = None,
    wants_to_talk: bool | None = None,
    consent_withdrawn: bool | None = None,
) -> RuleSettings:
    """Change a centre's thresholds (None: leave as it is). Social workers of that centre and
    administrators. Audited with the values before and after."""
    require_centre_member(session, user, csw_id)
    changes = {
        "consecutive_absences": consecutive_absences,
        "low_attendance_share": low_attendance_share,
        "days_without_attendance": days_without_attendance,
        "wants_to_talk": wants_to_talk,
        "consent_withdrawn": consent_withdrawn,
    }
    changes = {name: value for name, value in changes.items() if value is not None}
    for name, (low, high) in _LIMITS.items():
        value = changes.get(name)
        if name in changes and not (
            isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        ):
            raise ValidationError(
                _("Please give a whole number from {low} to {high}.").format(low=low, high=high),
                name,
            )
    for name in ("wants_to_talk", "consent_withdrawn"):
        if name in changes and not isinstance(changes[name], bool):
            raise ValidationError(_("Please choose yes or no."), name)
    if "low_attendance_share" in changes:
        share = changes["low_attendance_share"]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValidationError(
                _("The attendance share must be between 0 and 1 (0 turns the rule off)."),
                "low_attendance_share",
            )
        changes["low_attendance_share"] = float(share)
    before = settings_for(session, csw_id)
    row = session.get(AlertSettings, csw_id)
    if row is None:
        row = AlertSettings(
            csw_id=csw_id,
            **{
                item.name: getattr(DEFAULTS, item.name)
                for item in fields(RuleSettings)
                if item.name not in ("csw_id", "updated_at")
            },
        )
        session.add(row)
    changed = {}
    for name, value in changes.items():
        if getattr(before, name) != value:
            changed[name] = [getattr(before, name), value]
            setattr(row, name, value)
    row.updated_at = utcnow()
    row.updated_by_id = user.id
    session.flush()
    audit.record(session, user, AuditAction.UPDATE, "alert_settings", csw_id, changed=changed)
    return settings_for(session, csw_id)


# --- evaluation ------------------------------------------------------------------------------


def evaluate(
    session: Session, *, today: date | None = None, csw_id: int | None = None
) -> EvaluationResult:
    """Apply every centre's rules (or one centre's) as of the end of ``today`` (local) and raise
    the alerts of new episodes. Safe to run again, and concurrently: an episode already raised is
    refused by the database's unique constraint inside a SAVEPOINT."""
    today = today or local_today()
    now = utcnow() if today == local_today() else _noon(today)
    result = EvaluationResult()
    centres = select(Organisation.id).where(
        Organisation.kind == OrganisationKind.CSW, Organisation.active
    )
    if csw_id is not None:
        centres = centres.where(Organisation.id == csw_id)
    raised: list[tuple[int, int]] = []  # (alert id, child id)
    for centre in list(session.scalars(centres.order_by(Organisation.id))):
        raised += _evaluate_centre(session, centre, today, now, result)
    if raised:
        audit.record(
            session,
            None,
            AuditAction.CREATE,
            "alert_evaluation",
            None,
            today=today.isoformat(),
            raised=result.raised,
            per_rule={rule: count for rule, count in result.per_rule.items() if count},
            alert_ids=[alert_id for alert_id, _child in raised],
            child_ids=sorted({child_id for _alert, child_id in raised}),
            prompts=result.prompts,
        )
    session.flush()
    return result


def _evaluate_centre(
    session: Session, csw_id: int, today: date, now: datetime, result: EvaluationResult
) -> list[tuple[int, int]]:
    rules = settings_for(session, csw_id)
    ids = list(
        session.scalars(
            select(Child.id).where(participation_visible_to_csw(csw_id), exclude_erased())
        )
    )
    if not ids:
        return []
    until = local_midnight(today + timedelta(days=1))
    metrics = participation_metrics(session, ids, today)
    active = session.execute(
        select(Enrolment.child_id, Enrolment.group_id, Enrolment.created_at).where(
            Enrolment.child_id.in_(ids), Enrolment.status == EnrolmentStatus.ACTIVE
        )
    ).all()
    active_groups: dict[int, list[int]] = defaultdict(list)
    enrolled_since: dict[int, datetime] = {}
    for child_id, group_id, created_at in active:
        active_groups[child_id].append(group_id)
        created_at = aware(created_at)
        if child_id not in enrolled_since or created_at < enrolled_since[child_id]:
            enrolled_since[child_id] = created_at

    candidates: list[tuple[int, AlertRule, str, dict[str, Any]]] = []
    # Consecutive absences.
    for child_id, numbers in metrics.items():
        if numbers.consecutive_absences >= rules.consecutive_absences and numbers.run_started_at:
            candidates.append(
                (
                    child_id,
                    AlertRule.CONSECUTIVE_ABSENCES,
                    local_date(numbers.run_started_at).isoformat(),
                    {"absences": numbers.consecutive_absences},
                )
            )
    # Low attendance over 4 weeks.
    if rules.low_attendance_share > 0:
        low = [
            child_id
            for child_id, numbers in metrics.items()
            if numbers.scheduled_4w >= LOW_ATTENDANCE_MIN_SESSIONS
            and numbers.rate_4w is not None
            and numbers.rate_4w < rules.low_attendance_share
        ]
        for child_id, first_day in _low_stretch_starts(
            session, low, today, rules.low_attendance_share
        ).items():
            numbers = metrics[child_id]
            year, week, _weekday = first_day.isocalendar()
            candidates.append(
                (
                    child_id,
                    AlertRule.LOW_ATTENDANCE,
                    f"{year}-W{week:02d}",
                    {
                        "rate_4w": round(numbers.rate_4w or 0.0, 3),
                        "attended": numbers.attended_4w,
                        "counted": numbers.scheduled_4w,
                    },
                )
            )
    # No attendance for a long time.
    sessions_by_group = _held_sessions(session, active_groups, until)
    for child_id, groups in active_groups.items():
        numbers = metrics.get(child_id)
        last = numbers.last_attended_at if numbers else None
        since = local_date(last) if last else local_date(enrolled_since[child_id])
        days = (today - since).days
        if days < rules.days_without_attendance:
            continue
        held_after = local_midnight(since + timedelta(days=1))
        if any(
            starts_at >= held_after for group in groups for starts_at in sessions_by_group[group]
        ):
            candidates.append(
                (child_id, AlertRule.NO_ATTENDANCE, since.isoformat(), {"days": days})
            )
    recent = local_midnight(today - timedelta(days=RECENT_DAYS - 1))
    # Wants to talk.
    if rules.wants_to_talk:
        for request_id, child_id, run_id in session.execute(
            select(TalkRequest.id, QuizPlayer.child_id, TalkRequest.run_id)
            .join(QuizPlayer, QuizPlayer.id == TalkRequest.player_id)
            .where(
                QuizPlayer.child_id.in_(ids),
                TalkRequest.created_at >= recent,
                TalkRequest.created_at < until,
            )
        ):
            candidates.append(
                (child_id, AlertRule.WANTS_TO_TALK, str(request_id), {"run_id": run_id})
            )
    # Enrolment ended by consent withdrawal.
    if rules.consent_withdrawn:
        for enrolment_id, child_id, group_id in session.execute(
            select(Enrolment.id, Enrolment.child_id, Enrolment.group_id).where(
                Enrolment.child_id.in_(ids),
                Enrolment.end_reason == EndReason.CONSENT_WITHDRAWN,
                Enrolment.ended_at >= recent,
                Enrolment.ended_at < until,
            )
        ):
            candidates.append(
                (child_id, AlertRule.CONSENT_WITHDRAWN, str(enrolment_id), {"group_id": group_id})
            )
    return _raise(session, csw_id, candidates, active_groups, now, result)


def _raise(
    session: Session,
    csw_id: int,
    candidates: list[tuple[int, AlertRule, str, dict[str, Any]]],
    active_groups: dict[int, list[int]],
    now: datetime,
    result: EvaluationResult,
) -> list[tuple[int, int]]:
    if not candidates:
        return []
    child_ids = sorted({child_id for child_id, *_rest in candidates})
    existing = _existing_episodes(session, csw_id, child_ids)
    prompted = {
        (child_id, group_id)
        for child_id, group_id in session.execute(
            select(FamilyCheckPrompt.child_id, FamilyCheckPrompt.group_id).where(
                FamilyCheckPrompt.child_id.in_(child_ids), FamilyCheckPrompt.done_at.is_(None)
            )
        )
    }
    raised: list[tuple[int, int]] = []
    for child_id, rule, episode, detail in candidates:
        if (child_id, rule, episode) in existing:
            continue
        existing.add((child_id, rule, episode))
        alert = Alert(
            child_id=child_id,
            csw_id=csw_id,
            rule=rule,
            episode=episode,
            status=AlertStatus.OPEN,
            raised_at=now,
            detail=detail,
        )
        try:
            with session.begin_nested():
                session.add(alert)
                session.flush()
        except IntegrityError:
            continue  # raised meanwhile by a concurrent evaluation: one alert per episode
        raised.append((alert.id, child_id))
        result.raised += 1
        result.per_rule[rule.value] += 1
        for group_id in sorted(set(active_groups.get(child_id, []))):
            if (child_id, group_id) in prompted:
                continue
            prompted.add((child_id, group_id))
            session.add(
                FamilyCheckPrompt(
                    alert_id=alert.id, child_id=child_id, group_id=group_id, created_at=now
                )
            )
            result.prompts += 1
    session.flush()
    return raised


def _existing_episodes(
    session: Session, csw_id: int, child_ids: Sequence[int]
) -> set[tuple[int, AlertRule, str]]:
    """The episodes already raised (a pre-check: the unique constraint has the last word)."""
    return {
        (child_id, AlertRule(rule), episode)
        for child_id, rule, episode in session.execute(
            select(Alert.child_id, Alert.rule, Alert.episode).where(
                Alert.csw_id == csw_id, Alert.child_id.in_(child_ids)
            )
        )
    }


def _low_stretch_starts(
    session: Session, child_ids: Sequence[int], today: date, share: float
) -> dict[int, date]:
    """For each child below ``share`` today: the first day of the current stretch of days on
    which the 4-week rate was below it (looking back at most ``LOOKBACK_DAYS``)."""
    if not child_ids:
        return {}
    until = local_midnight(today + timedelta(days=1))
    since = local_midnight(today - timedelta(days=LOOKBACK_DAYS + 27))
    events = participation_events(session, child_ids, until)
    per_child: dict[int, list[tuple[date, bool]]] = defaultdict(list)
    for child_id, starts_at, outcome in session.execute(
        select(events.c.child_id, events.c.starts_at, events.c.outcome).where(
            events.c.starts_at >= since
        )
    ):
        per_child[child_id].append((local_date(starts_at), outcome == ATTENDED))
    starts: dict[int, date] = {}
    for child_id in child_ids:
        records = per_child.get(child_id, [])
        first = today
        for back in range(LOOKBACK_DAYS + 1):
            day = today - timedelta(days=back)
            window = [ok for on, ok in records if day - timedelta(days=27) <= on <= day]
            below = len(window) >= LOW_ATTENDANCE_MIN_SESSIONS and sum(window) / len(window) < share
            if not below:
                break
            first = day
        starts[child_id] = first
    return starts


def _held_sessions(
    session: Session, active_groups: dict[int, list[int]], until: datetime
) -> dict[int, list[datetime]]:
    group_ids = sorted({group for groups in active_groups.values() for group in groups})
    held: dict[int, list[datetime]] = defaultdict(list)
    if not group_ids:
        return held
    since = local_midnight(until.astimezone(LOCAL_TIMEZONE).date() - timedelta(days=366))
    for group_id, starts_at in session.execute(
        select(Occurrence.group_id, Occurrence.starts_at).where(
            Occurrence.group_id.in_(group_ids),
            Occurrence.status != OccurrenceStatus.CANCELLED,
            Occurrence.starts_at >= since,
            Occurrence.starts_at < until,
        )
    ):
        held[group_id].append(aware(starts_at))
    return held


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), LOCAL_TIMEZONE).astimezone(UTC)


# --- the caseworker's inbox ------------------------------------------------------------------


def inbox(
    session: Session, user: User, status: str = "open", *, csw_id: int | None = None
) -> list[AlertView]:
    """Alerts of the user's centre (administrators: every centre, or ``csw_id``), unresolved
    ones by default (``STATUS_FILTERS``), newest first, with their notes. Audited."""
    statuses = _statuses(status)
    query = (
        select(Alert, Child.given_name, Child.family_name)
        .join(Child, Child.id == Alert.child_id)
        .where(Alert.status.in_(statuses), exclude_erased())
        .order_by(Alert.raised_at.desc(), Alert.id.desc())
    )
    if user.active and user.role == Role.SOCIAL_WORKER and user.organisation_id is not None:
        centre = user.organisation_id
        query = query.where(Alert.csw_id == centre, participation_visible_to_csw(centre))
    elif user.active and user.role == Role.ADMINISTRATOR:
        if csw_id is not None:
            query = query.where(Alert.csw_id == csw_id)
    else:
        raise PermissionDenied(_("You do not have permission to do this."))
    rows = session.execute(query).all()
    notes = _notes(session, [alert.id for alert, *_rest in rows])
    views = [_view(alert, given, family, notes.get(alert.id, ())) for alert, given, family in rows]
    audit.record(
        session,
        user,
        AuditAction.READ_SPECIAL,
        "alert",
        None,
        purpose="alerts_inbox",
        status=status,
        alerts=len(views),
        child_ids=sorted({view.child_id for view in views}),
    )
    return views


def acknowledge(session: Session, user: User, alert_id: int) -> AlertView:
    """The caseworker has seen the alert and is on it. Audited."""
    alert = _own_alert(session, user, alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise ValidationError(_("This alert is already resolved."), "alert")
    if alert.status == AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by_id = user.id
        session.flush()
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "alert",
            alert.id,
            child_id=alert.child_id,
            before=AlertStatus.OPEN.value,
            after=AlertStatus.ACKNOWLEDGED.value,
        )
    return _single_view(session, alert)


def add_note(session: Session, user: User, alert_id: int, text: str) -> NoteView:
    """A caseworker's note on the alert (what was done, who was called). Audited (never the
    text itself)."""
    alert = _own_alert(session, user, alert_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Please write the note."), "text")
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("A note can be at most {count} characters long.").format(count=NOTE_MAX_LENGTH),
            "text",
        )
    note = AlertNote(alert_id=alert.id, author_id=user.id, at=utcnow(), text=text)
    session.add(note)
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.CREATE,
        "alert_note",
        note.id,
        alert_id=alert.id,
        child_id=alert.child_id,
        length=len(text),
    )
    return NoteView(note.id, note.at, user.display_name, note.text)


def resolve(session: Session, user: User, alert_id: int, note: str = "") -> AlertView:
    """Close the alert (with an optional closing note). Audited."""
    alert = _own_alert(session, user, alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise ValidationError(_("This alert is already resolved."), "alert")
    if note.strip():
        add_note(session, user, alert_id, note)
    before = alert.status
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = utcnow()
    alert.resolved_by_id = user.id
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "alert",
        alert.id,
        child_id=alert.child_id,
        before=before.value,
        after=AlertStatus.RESOLVED.value,
    )
    return _single_view(session, alert)


# --- facilitators' prompts -------------------------------------------------------------------


def family_prompts(session: Session, user: User, *, include_done: bool = False) -> list[PromptView]:
    """ "Please check in with this child's family": the prompts of the groups a facilitator leads
    (administrators: all), for children still enrolled there, oldest first. No rule, no reason."""
    if not user.active or user.role not in (Role.FACILITATOR, Role.ADMINISTRATOR):
        raise PermissionDenied(_("You do not have permission to do this."))
    query = (
        select(
            FamilyCheckPrompt.id,
            FamilyCheckPrompt.child_id,
            Child.given_name,
            FamilyCheckPrompt.group_id,
            Group.name,
            FamilyCheckPrompt.created_at,
            FamilyCheckPrompt.done_at,
        )
        .join(Child, Child.id == FamilyCheckPrompt.child_id)
        .join(Group, Group.id == FamilyCheckPrompt.group_id)
        .join(
            Enrolment,
            (Enrolment.child_id == FamilyCheckPrompt.child_id)
            & (Enrolment.group_id == FamilyCheckPrompt.group_id),
        )
        .where(
            exclude_erased(),
            Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING)),
        )
        .order_by(FamilyCheckPrompt.created_at, FamilyCheckPrompt.id)
    )
    if user.role == Role.FACILITATOR:
        led = led_group_ids(user)
        query = query.where(FamilyCheckPrompt.group_id.in_(led))
    if not include_done:
        query = query.where(FamilyCheckPrompt.done_at.is_(None))
    return [
        PromptView(prompt_id, child_id, given, group_id, group, aware(created), aware(done))
        for prompt_id, child_id, given, group_id, group, created, done in session.execute(query)
    ]


def mark_prompt_done(session: Session, user: User, prompt_id: int) -> int:
    """The facilitator checked in with the family: the prompt (and any other open one for the
    same child and group) is done. Returns how many were marked. Audited."""
    prompt = session.get(FamilyCheckPrompt, prompt_id)
    allowed = (
        prompt is not None
        and user.active
        and (
            user.role == Role.ADMINISTRATOR
            or (
                user.role == Role.FACILITATOR
                and session.get(GroupLeader, (prompt.group_id, user.id)) is not None
            )
        )
    )
    if not allowed:
        raise NotFound(_("No such prompt."))
    now = utcnow()
    open_prompts = list(
        session.scalars(
            select(FamilyCheckPrompt).where(
                FamilyCheckPrompt.child_id == prompt.child_id,
                FamilyCheckPrompt.group_id == prompt.group_id,
                FamilyCheckPrompt.done_at.is_(None),
            )
        )
    )
    for row in open_prompts:
        row.done_at = now
        row.done_by_id = user.id
    session.flush()
    if open_prompts:
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "family_check_prompt",
            prompt.id,
            child_id=prompt.child_id,
            group_id=prompt.group_id,
            done=len(open_prompts),
        )
    return len(open_prompts)


# --- the command line ------------------------------------------------------------------------


def alerts_json(
    session: Session, org_id: int | None = None, status: str = "open"
) -> list[dict[str, Any]]:
    """For ``parliament alerts --format json`` (operator context): one object per alert, oldest
    first: ``id``, ``child_id``, ``rule``, ``raised_at`` (ISO 8601, UTC), ``status``. The read is
    audited (actor: the operator)."""
    query = (
        select(Alert.id, Alert.child_id, Alert.rule, Alert.raised_at, Alert.status)
        .join(Child, Child.id == Alert.child_id)
        .where(Alert.status.in_(_statuses(status)), exclude_erased())
        .order_by(Alert.raised_at, Alert.id)
    )
    if org_id is not None:
        query = query.where(Alert.csw_id == org_id)
    rows = [
        {
            "id": alert_id,
            "child_id": child_id,
            "rule": AlertRule(rule).value,
            "raised_at": aware(raised_at).isoformat(),
            "status": AlertStatus(state).value,
        }
        for alert_id, child_id, rule, raised_at, state in session.execute(query)
    ]
    audit.record(
        session,
        None,
        AuditAction.READ_SPECIAL,
        "alert",
        None,
        purpose="alerts_cli",
        csw_id=org_id,
        status=status,
        alerts=len(rows),
    )
    return rows


# --- internals -------------------------------------------------------------------------------


def _statuses(status: str) -> tuple[AlertStatus, ...]:
    if status not in STATUS_FILTERS:
        raise ValidationError(_("Unknown alert status."), "status")
    return STATUS_FILTERS[status]


def _own_alert(session: Session, user: User, alert_id: int) -> Alert:
    """The alert, if it belongs to the user's centre (administrators: any); else NotFound, so
    another centre cannot even learn that it exists."""
    alert = session.get(Alert, alert_id)
    child = session.get(Child, alert.child_id) if alert else None
    if alert is None or child is None or child.erased_at is not None or not user.active:
        raise NotFound(_("No such alert."))
    if user.role == Role.ADMINISTRATOR:
        return alert
    if (
        user.role == Role.SOCIAL_WORKER
        and alert.csw_id == user.organisation_id
        and session.scalar(
            select(Child.id).where(
                Child.id == alert.child_id, participation_visible_to_csw(alert.csw_id)
            )
        )
    ):
        return alert
    raise NotFound(_("No such alert."))


def _notes(session: Session, alert_ids: list[int]) -> dict[int, tuple[NoteView, ...]]:
    if not alert_ids:
        return {}
    notes: dict[int, list[NoteView]] = defaultdict(list)
    for note, author in session.execute(
        select(AlertNote, User.display_name)
        .outerjoin(User, User.id == AlertNote.author_id)
        .where(AlertNote.alert_id.in_(alert_ids))
        .order_by(AlertNote.at, AlertNote.id)
    ):
        notes[note.alert_id].append(NoteView(note.id, aware(note.at), author or "", note.text))
    return {alert_id: tuple(items) for alert_id, items in notes.items()}


def _view(alert: Alert, given: str, family: str, notes: tuple[NoteView, ...]) -> AlertView:
    rule, status = AlertRule(alert.rule), AlertStatus(alert.status)
    return AlertView(
        id=alert.id,
        child_id=alert.child_id,
        given_name=given,
        family_name=family,
        csw_id=alert.csw_id,
        rule=rule,
        rule_label=_(RULE_LABELS[rule]),
        episode=alert.episode,
        status=status,
        status_label=_(ALERT_STATUS_LABELS[status]),
        raised_at=aware(alert.raised_at),
        detail=dict(alert.detail or {}),
        acknowledged_at=aware(alert.acknowledged_at),
        resolved_at=aware(alert.resolved_at),
        notes=notes,
    )


def _single_view(session: Session, alert: Alert) -> AlertView:
    child = session.get(Child, alert.child_id)
    return _view(
        alert, child.given_name, child.family_name, _notes(session, [alert.id]).get(alert.id, ())
    )
