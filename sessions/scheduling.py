# Not split: planning, writing and changing occurrences share one set of checks and one plan
#   type (times are in sessions.times, clashes in sessions.conflicts).
"""Scheduling sessions: one-off occurrences and recurring series, their changes and
cancellations, the calendar, specialists, and the conflicts a planner should be warned about.

Times are entered as Europe/Belgrade wall-clock (a date and a time) and stored in UTC, so a
weekly session at 18:00 stays at 18:00 local time across the clock changes. A series numbers its
occurrences (``sequence``); generating it again only adds the numbers that are missing, so it
never duplicates one, nor brings back one that was changed or cancelled.

Conflicts never block scheduling: creating or changing returns them beside the result so the
page can warn (a venue, facilitator or specialist booked twice; members outside the age band).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from parliament_app.children.services import UNCHANGED, Unchanged
from parliament_app.core import audit
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _
from parliament_app.groups.services import check_age_band, check_capacity
from parliament_app.models import (
    AuditAction,
    Group,
    Organisation,
    Role,
    User,
    Venue,
    utcnow,
)
from parliament_app.models.meetings import (
    ExcursionKind,
    Occurrence,
    OccurrenceSpecialist,
    OccurrenceStaff,
    OccurrenceStatus,
    Profession,
    Recurrence,
    Series,
    SeriesSpecialist,
    SeriesStaff,
    SessionKind,
    Specialist,
)
from parliament_app.policy.groups import require_group_manager, require_planner
from parliament_app.policy.meetings import occurrence_scope
from sessions.conflicts import (
    Candidate,
    Conflict,
    conflicts_for,
)
from sessions.times import (
    MAX_DURATION,
    MAX_OCCURRENCES,
    MIN_DURATION,
    add_months,
    local,
    local_midnight,
    series_dates,
    to_utc,
)

MAX_SPAN_MONTHS = 24  # a series covers at most two years...
MAX_CALENDAR_DAYS = 400
TOPIC_MAX_LENGTH = 200
REASON_MAX_LENGTH = 300
LANGUAGE_MAX_LENGTH = 16


@dataclass(frozen=True)
class NewSeries:
    """A recurring series; ``recurrence`` None schedules a one-off on ``first_date``."""

    group_id: int
    kind: SessionKind
    topic: str
    first_date: date
    start_time: time
    duration_minutes: int
    recurrence: Recurrence | None = None
    last_date: date | None = None
    description: str = ""
    venue_id: int | None = None
    capacity: int | None = None
    min_age: int | None = None  # None: the group's age band
    max_age: int | None = None
    languages: tuple[str, ...] = ()
    facilitator_ids: tuple[int, ...] = ()
    specialist_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class NewOccurrence:
    group_id: int
    kind: SessionKind
    topic: str
    on_date: date
    start_time: time
    duration_minutes: int
    description: str = ""
    venue_id: int | None = None
    capacity: int | None = None
    min_age: int | None = None  # None: the group's age band
    max_age: int | None = None
    languages: tuple[str, ...] = ()
    facilitator_ids: tuple[int, ...] = ()
    specialist_ids: tuple[int, ...] = ()
    excursion_kind: ExcursionKind | None = None  # required for (and only for) excursions


@dataclass(frozen=True)
class OccurrenceChange:
    """What to change in one occurrence; fields left UNCHANGED keep their value."""

    on_date: date | Unchanged = UNCHANGED
    start_time: time | Unchanged = UNCHANGED
    duration_minutes: int | Unchanged = UNCHANGED
    venue_id: int | Unchanged | None = UNCHANGED
    topic: str | Unchanged = UNCHANGED
    description: str | Unchanged = UNCHANGED
    capacity: int | Unchanged | None = UNCHANGED
    min_age: int | Unchanged = UNCHANGED
    max_age: int | Unchanged = UNCHANGED
    languages: tuple[str, ...] | Unchanged = UNCHANGED
    facilitator_ids: tuple[int, ...] | Unchanged = UNCHANGED
    specialist_ids: tuple[int, ...] | Unchanged = UNCHANGED


@dataclass(frozen=True)
class NewSpecialist:
    name: str
    profession: Profession
    organisation_id: int | None = None
    phone: str = ""


@dataclass(frozen=True)
class SessionDetails:
    """Checked and cleaned fields every occurrence of a plan shares."""

    group: Group
    kind: SessionKind
    excursion_kind: ExcursionKind | None
    topic: str
    description: str
    duration_minutes: int
    venue_id: int | None
    capacity: int | None
    min_age: int
    max_age: int
    languages: tuple[str, ...]
    facilitator_ids: tuple[int, ...]
    specialist_ids: tuple[int, ...]


@dataclass(frozen=True)
class SchedulePlan:
    """A checked series (or one-off) ready to be written: nothing is in the database yet."""

    details: SessionDetails
    recurrence: Recurrence | None
    first_date: date
    last_date: date
    start_time: time
    slots: tuple[tuple[int | None, datetime], ...]  # (sequence, UTC start)


# --- local time -------------------------------------------------------------------------------


# --- checks -----------------------------------------------------------------------------------


def schedulable_group(session: Session, user: User, group_id: int) -> Group:
    """The group to schedule for: it must exist, be active, and be this user's to manage."""
    group = session.get(Group, group_id) if group_id else None
    if group is None:
        raise ValidationError(_("Please choose a group."), "group")
    require_group_manager(session, user, group)
    if not group.active:
        raise ValidationError(_("This group is closed: it takes no new sessions."), "group")
    return group


def _clean_topic(topic: str, kind: SessionKind) -> str:
    topic = " ".join(topic.split())
    if not topic and kind != SessionKind.EXCURSION:
        raise ValidationError(_("Please enter the session's topic."), "topic")
    if len(topic) > TOPIC_MAX_LENGTH:
        raise ValidationError(
            _("A topic has at most {count} characters.").format(count=TOPIC_MAX_LENGTH), "topic"
        )
    return topic


def _check_duration(minutes: int) -> None:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise ValidationError(
            _("A session lasts from {low} to {high} minutes.").format(
                low=MIN_DURATION, high=MAX_DURATION
            ),
            "duration",
        )


def _check_venue(session: Session, venue_id: int | None) -> None:
    if venue_id is not None and session.get(Venue, venue_id) is None:
        raise ValidationError(_("This venue is unknown: please choose one from the list."), "venue")


def _clean_languages(languages: Iterable[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(code.strip() for code in languages if code.strip()))
    if any(len(code) > LANGUAGE_MAX_LENGTH for code in cleaned):
        raise ValidationError(_("Please choose the languages from the list."), "languages")
    return cleaned


def _check_facilitators(session: Session, user_ids: Iterable[int]) -> tuple[int, ...]:
    ids = tuple(dict.fromkeys(user_ids))
    if ids:
        found = set(
            session.scalars(
                select(User.id).where(
                    User.id.in_(ids), User.active.is_(True), User.role == Role.FACILITATOR
                )
            )
        )
        if found != set(ids):
            raise ValidationError(
                _("A chosen facilitator is unknown or no longer active."), "facilitators"
            )
    return ids


def _check_specialists(session: Session, specialist_ids: Iterable[int]) -> tuple[int, ...]:
    ids = tuple(dict.fromkeys(specialist_ids))
    if ids:
        found = set(
            session.scalars(
                select(Specialist.id).where(Specialist.id.in_(ids), Specialist.active.is_(True))
            )
        )
        if found != set(ids):
            raise ValidationError(
                _("A chosen specialist is unknown or no longer active."), "specialists"
            )
    return ids


def _check_details(
    session: Session,
    group: Group,
    *,
    kind: SessionKind,
    topic: str,
    description: str,
    duration_minutes: int,
    venue_id: int | None,
    capacity: int | None,
    min_age: int | None,
    max_age: int | None,
    languages: Iterable[str],
    facilitator_ids: Iterable[int],
    specialist_ids: Iterable[int],
    excursion_kind: ExcursionKind | None = None,
) -> SessionDetails:
    if (kind == SessionKind.EXCURSION) != (excursion_kind is not None):
        raise ValidationError(_("Please choose the kind of excursion."), "excursion_kind")
    topic = _clean_topic(topic, kind)
    _check_duration(duration_minutes)
    _check_venue(session, venue_id)
    check_capacity(capacity)
    min_age = group.min_age if min_age is None else min_age
    max_age = group.max_age if max_age is None else max_age
    check_age_band(min_age, max_age)
    return SessionDetails(
        group=group,
        kind=kind,
        excursion_kind=excursion_kind,
        topic=topic,
        description=description.strip(),
        duration_minutes=duration_minutes,
        venue_id=venue_id,
        capacity=capacity,
        min_age=min_age,
        max_age=max_age,
        languages=_clean_languages(languages),
        facilitator_ids=_check_facilitators(session, facilitator_ids),
        specialist_ids=_check_specialists(session, specialist_ids),
    )


def _check_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise ValidationError(_("A new session cannot start in the past."), "first_date")


def check_span(first_date: date, last_date: date) -> None:
    if last_date < first_date:
        raise ValidationError(_("The last date cannot be before the first."), "last_date")
    if last_date > add_months(first_date, MAX_SPAN_MONTHS):
        raise ValidationError(
            _("A series covers at most two years; please start a new one after that."),
            "last_date",
        )


def plan_series(session: Session, group: Group, new: NewSeries) -> SchedulePlan:
    """Check a new series (or one-off) for ``group``. Writes nothing; asks no permission."""
    details = _check_details(
        session,
        group,
        kind=new.kind,
        topic=new.topic,
        description=new.description,
        duration_minutes=new.duration_minutes,
        venue_id=new.venue_id,
        capacity=new.capacity,
        min_age=new.min_age,
        max_age=new.max_age,
        languages=new.languages,
        facilitator_ids=new.facilitator_ids,
        specialist_ids=new.specialist_ids,
    )
    if new.recurrence is None:
        last_date = new.first_date
        slots: tuple[tuple[int | None, datetime], ...] = (
            (None, to_utc(new.first_date, new.start_time)),
        )
    else:
        if new.kind == SessionKind.EXCURSION:
            raise ValidationError(
                _("An excursion is scheduled on its own date, not as a series."), "recurrence"
            )
        if new.last_date is None:
            raise ValidationError(_("Please choose the series' last date."), "last_date")
        last_date = new.last_date
        check_span(new.first_date, last_date)
        dates = series_dates(new.recurrence, new.first_date, last_date)
        if len(dates) > MAX_OCCURRENCES:
            raise ValidationError(
                _("A series has at most {count} sessions.").format(count=MAX_OCCURRENCES),
                "last_date",
            )
        slots = tuple(
            (sequence, to_utc(day, new.start_time)) for sequence, day in enumerate(dates, 1)
        )
    _check_future(slots[0][1], utcnow())
    return SchedulePlan(details, new.recurrence, new.first_date, last_date, new.start_time, slots)


def plan_occurrence(session: Session, group: Group, new: NewOccurrence) -> SchedulePlan:
    """Check a one-off occurrence for ``group``. Writes nothing; asks no permission."""
    details = _check_details(
        session,
        group,
        kind=new.kind,
        topic=new.topic,
        description=new.description,
        duration_minutes=new.duration_minutes,
        venue_id=new.venue_id,
        capacity=new.capacity,
        min_age=new.min_age,
        max_age=new.max_age,
        languages=new.languages,
        facilitator_ids=new.facilitator_ids,
        specialist_ids=new.specialist_ids,
        excursion_kind=new.excursion_kind,
    )
    starts_at = to_utc(new.on_date, new.start_time)
    _check_future(starts_at, utcnow())
    return SchedulePlan(
        details, None, new.on_date, new.on_date, new.start_time, ((None, starts_at),)
    )


# --- writing ----------------------------------------------------------------------------------


def write_plan(
    session: Session, user: User, plan: SchedulePlan
) -> tuple[Series | None, list[Occurrence]]:
    """Write a checked plan: the series (if it recurs) and its occurrences, audited."""
    details = plan.details
    series = None
    if plan.recurrence is not None:
        series = Series(
            group_id=details.group.id,
            kind=details.kind,
            topic=details.topic,
            description=details.description,
            recurrence=plan.recurrence,
            first_date=plan.first_date,
            last_date=plan.last_date,
            start_time=plan.start_time,
            duration_minutes=details.duration_minutes,
            venue_id=details.venue_id,
            capacity=details.capacity,
            min_age=details.min_age,
            max_age=details.max_age,
            languages=list(details.languages),
            created_by_id=user.id,
        )
        session.add(series)
        session.flush()
        session.add_all(
            SeriesStaff(series_id=series.id, user_id=i) for i in details.facilitator_ids
        )
        session.add_all(
            SeriesSpecialist(series_id=series.id, specialist_id=i) for i in details.specialist_ids
        )
    occurrences = [
        _new_occurrence(details, starts_at, series, sequence) for sequence, starts_at in plan.slots
    ]
    session.add_all(occurrences)
    session.flush()
    if series is not None:
        audit.record(
            session,
            user,
            AuditAction.CREATE,
            "series",
            series.id,
            group_id=details.group.id,
            recurrence=series.recurrence.value,
            occurrences=len(occurrences),
        )
    else:
        audit.record(
            session,
            user,
            AuditAction.CREATE,
            "occurrence",
            occurrences[0].id,
            group_id=details.group.id,
            kind=details.kind.value,
        )
    return series, occurrences


def _new_occurrence(
    details: SessionDetails, starts_at: datetime, series: Series | None, sequence: int | None
) -> Occurrence:
    occurrence = Occurrence(
        group_id=details.group.id,
        series_id=series.id if series else None,
        sequence=sequence,
        kind=details.kind,
        excursion_kind=details.excursion_kind,
        topic=details.topic,
        description=details.description,
        starts_at=starts_at,
        duration_minutes=details.duration_minutes,
        venue_id=details.venue_id,
        capacity=details.capacity,
        min_age=details.min_age,
        max_age=details.max_age,
        languages=list(details.languages),
        status=OccurrenceStatus.SCHEDULED,
        changed_from_series=False,
    )
    occurrence.staff = [OccurrenceStaff(user_id=i) for i in details.facilitator_ids]
    occurrence.specialists = [OccurrenceSpecialist(specialist_id=i) for i in details.specialist_ids]
    return occurrence


def create_series(
    session: Session, user: User, new: NewSeries
) -> tuple[list[Occurrence], list[Conflict]]:
    """Schedule a series (or a one-off when ``recurrence`` is None): the occurrences created
    (each knows its ``series_id`` and ``sequence``) and the conflicts to warn about."""
    group = schedulable_group(session, user, new.group_id)
    _series, occurrences = write_plan(session, user, plan_series(session, group, new))
    return occurrences, conflicts_for(session, occurrences)


def schedule_occurrence(
    session: Session, user: User, new: NewOccurrence
) -> tuple[Occurrence, list[Conflict]]:
    group = schedulable_group(session, user, new.group_id)
    _series, (occurrence,) = write_plan(session, user, plan_occurrence(session, group, new))
    return occurrence, conflicts_for(session, [occurrence])


def extend_series(
    session: Session, user: User, series_id: int, last_date: date | None = None
) -> tuple[list[Occurrence], list[Conflict]]:
    """Generate the series' missing occurrences up to ``last_date`` (default: its own last date).

    Occurrences that exist, changed or cancelled, are kept as they are; dates already past are
    skipped. Calling it again creates nothing new.
    """
    series = _managed_series(session, user, series_id)
    last_date = series.last_date if last_date is None else last_date
    if last_date < series.last_date:
        raise ValidationError(
            _("To end a series earlier, cancel it from a date instead."), "last_date"
        )
    check_span(series.first_date, last_date)
    dates = series_dates(series.recurrence, series.first_date, last_date)
    if len(dates) > MAX_OCCURRENCES:
        raise ValidationError(
            _("A series has at most {count} sessions.").format(count=MAX_OCCURRENCES), "last_date"
        )
    existing = set(
        session.scalars(select(Occurrence.sequence).where(Occurrence.series_id == series.id))
    )
    now = utcnow()
    slots = [
        (sequence, starts_at)
        for sequence, day in enumerate(dates, 1)
        if sequence not in existing and (starts_at := to_utc(day, series.start_time)) > now
    ]
    if not slots and last_date == series.last_date:
        return [], []  # nothing is missing
    details = _series_details(session, series)
    occurrences = [_new_occurrence(details, starts_at, series, seq) for seq, starts_at in slots]
    try:
        with session.begin_nested():
            series.last_date = last_date
            session.add_all(occurrences)
            session.flush()
    except IntegrityError as exc:  # a concurrent request generated the same numbers meanwhile
        raise ValidationError(
            _("Someone else changed this series at the same time. Please try again.")
        ) from exc
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "series",
        series.id,
        last_date=last_date.isoformat(),
        added=len(occurrences),
    )
    return occurrences, conflicts_for(session, occurrences)


def _series_details(session: Session, series: Series) -> SessionDetails:
    return SessionDetails(
        group=series.group,
        kind=series.kind,
        excursion_kind=None,
        topic=series.topic,
        description=series.description,
        duration_minutes=series.duration_minutes,
        venue_id=series.venue_id,
        capacity=series.capacity,
        min_age=series.min_age,
        max_age=series.max_age,
        languages=tuple(series.languages or ()),
        facilitator_ids=tuple(
            session.scalars(select(SeriesStaff.user_id).where(SeriesStaff.series_id == series.id))
        ),
        specialist_ids=tuple(
            session.scalars(
                select(SeriesSpecialist.specialist_id).where(
                    SeriesSpecialist.series_id == series.id
                )
            )
        ),
    )


def change_occurrence(
    session: Session, user: User, occurrence_id: int, change: OccurrenceChange
) -> tuple[Occurrence, list[Conflict]]:
    """Change one occurrence (of a series or not); a series' occurrence is marked as changed."""
    occurrence = _managed_occurrence(session, user, occurrence_id)
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be changed."), "status")

    def given(name: str, current):
        value = getattr(change, name)
        return current if value is UNCHANGED else value

    current_local = local(occurrence.starts_at)
    on_date = given("on_date", current_local.date())
    start_time = given("start_time", current_local.time().replace(tzinfo=None))
    duration = given("duration_minutes", occurrence.duration_minutes)
    venue_id = given("venue_id", occurrence.venue_id)
    capacity = given("capacity", occurrence.capacity)
    min_age = given("min_age", occurrence.min_age)
    max_age = given("max_age", occurrence.max_age)
    topic = _clean_topic(given("topic", occurrence.topic), occurrence.kind)
    description = given("description", occurrence.description).strip()
    _check_duration(duration)
    if venue_id != occurrence.venue_id:
        _check_venue(session, venue_id)
    check_capacity(capacity)
    check_age_band(min_age, max_age)
    languages = (
        list(_clean_languages(change.languages))
        if change.languages is not UNCHANGED
        else occurrence.languages
    )
    staff_ids = (
        _check_facilitators(session, change.facilitator_ids)
        if change.facilitator_ids is not UNCHANGED
        else None
    )
    specialist_ids = (
        _check_specialists(session, change.specialist_ids)
        if change.specialist_ids is not UNCHANGED
        else None
    )
    starts_at = to_utc(on_date, start_time)
    if starts_at != occurrence.starts_at:
        _check_future(starts_at, utcnow())

    new_values = {
        "starts_at": starts_at,
        "duration_minutes": duration,
        "venue_id": venue_id,
        "capacity": capacity,
        "min_age": min_age,
        "max_age": max_age,
        "topic": topic,
        "description": description,
        "languages": languages,
    }
    changed = [name for name, value in new_values.items() if getattr(occurrence, name) != value]
    for name in changed:
        setattr(occurrence, name, new_values[name])
    if staff_ids is not None and set(staff_ids) != {s.user_id for s in occurrence.staff}:
        kept = {s.user_id: s for s in occurrence.staff}
        occurrence.staff = [kept.get(i) or OccurrenceStaff(user_id=i) for i in staff_ids]
        changed.append("facilitators")
    if specialist_ids is not None and set(specialist_ids) != {
        s.specialist_id for s in occurrence.specialists
    }:
        kept_specialists = {s.specialist_id: s for s in occurrence.specialists}
        occurrence.specialists = [
            kept_specialists.get(i) or OccurrenceSpecialist(specialist_id=i) for i in specialist_ids
        ]
        changed.append("specialists")
    if changed:
        if occurrence.series_id is not None:
            occurrence.changed_from_series = True
        session.flush()
        audit.record(
            session, user, AuditAction.UPDATE, "occurrence", occurrence.id, changed=sorted(changed)
        )
    return occurrence, conflicts_for(session, [occurrence])


def cancel_occurrence(session: Session, user: User, occurrence_id: int, reason: str) -> Occurrence:
    occurrence = _managed_occurrence(session, user, occurrence_id)
    reason = _clean_reason(reason)
    if occurrence.status == OccurrenceStatus.CLOSED:
        raise ValidationError(
            _("This session has taken place and was closed; it cannot be cancelled."), "status"
        )
    if occurrence.status == OccurrenceStatus.SCHEDULED:
        _cancel(occurrence, reason)
        audit.record(session, user, AuditAction.UPDATE, "occurrence", occurrence.id, cancelled=True)
    return occurrence


def cancel_series_from(
    session: Session, user: User, series_id: int, from_date: date, reason: str
) -> list[Occurrence]:
    """Cancel the series' scheduled occurrences from ``from_date`` on (those still to come: the
    past stays as it was) and end the series before that date. Returns those cancelled."""
    series = _managed_series(session, user, series_id)
    reason = _clean_reason(reason)
    cancelled = cancel_scheduled_from(session, series, from_date, reason)
    series.last_date = max(series.first_date, min(series.last_date, from_date - timedelta(1)))
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "series",
        series.id,
        cancelled_from=from_date.isoformat(),
        cancelled=len(cancelled),
    )
    return cancelled


def cancel_scheduled_from(
    session: Session, series: Series, from_date: date, reason: str
) -> list[Occurrence]:
    """Cancel a series' scheduled occurrences starting from ``from_date`` and not yet begun."""
    cutoff = max(local_midnight(from_date), utcnow())
    occurrences = list(
        session.scalars(
            select(Occurrence)
            .where(
                Occurrence.series_id == series.id,
                Occurrence.status == OccurrenceStatus.SCHEDULED,
                Occurrence.starts_at >= cutoff,
            )
            .order_by(Occurrence.starts_at)
        )
    )
    for occurrence in occurrences:
        _cancel(occurrence, reason)
    return occurrences


def _cancel(occurrence: Occurrence, reason: str) -> None:
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.cancel_reason = reason


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Please give a reason for the cancellation."), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("A reason has at most {count} characters.").format(count=REASON_MAX_LENGTH),
            "reason",
        )
    return reason


def _managed_series(session: Session, user: User, series_id: int) -> Series:
    series = session.get(Series, series_id)
    if series is None:
        raise NotFound(_("No such series."))
    require_group_manager(session, user, series.group)
    return series


def _managed_occurrence(session: Session, user: User, occurrence_id: int) -> Occurrence:
    occurrence = session.get(Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound(_("No such session."))
    require_group_manager(session, user, occurrence.group)
    return occurrence


# --- reading ----------------------------------------------------------------------------------


def list_occurrences(
    session: Session,
    user: User,
    start: date,
    end: date,
    group_id: int | None = None,
    include_cancelled: bool = True,
) -> list[Occurrence]:
    """The calendar from ``start`` to ``end`` (local dates, both included), by start time."""
    if end < start:
        raise ValidationError(_("The end of the period cannot be before its start."), "end")
    if (end - start).days > MAX_CALENDAR_DAYS:
        raise ValidationError(_("Please choose a period of at most a year."), "end")
    query = (
        select(Occurrence)
        .join(Group, Group.id == Occurrence.group_id)
        .where(
            occurrence_scope(user),
            Occurrence.starts_at >= local_midnight(start),
            Occurrence.starts_at < local_midnight(end + timedelta(1)),
        )
        .options(
            selectinload(Occurrence.venue),
            selectinload(Occurrence.group),
            selectinload(Occurrence.staff),
            selectinload(Occurrence.specialists),
        )
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if group_id is not None:
        query = query.where(Occurrence.group_id == group_id)
    if not include_cancelled:
        query = query.where(Occurrence.status != OccurrenceStatus.CANCELLED)
    return list(session.scalars(query))


def get_occurrence(session: Session, user: User, occurrence_id: int) -> Occurrence:
    occurrence = session.scalar(
        select(Occurrence)
        .join(Group, Group.id == Occurrence.group_id)
        .where(Occurrence.id == occurrence_id, occurrence_scope(user))
    )
    if occurrence is None:
        raise NotFound(_("No such session."))
    return occurrence


# --- conflicts --------------------------------------------------------------------------------


# --- specialists ------------------------------------------------------------------------------


def create_specialist(session: Session, user: User, new: NewSpecialist) -> Specialist:
    require_planner(user)
    name = " ".join(new.name.split())
    if not name:
        raise ValidationError(_("Please enter the specialist's name."), "name")
    if len(name) > 160:
        raise ValidationError(_("A name has at most {count} characters.").format(count=160), "name")
    if new.organisation_id is not None and session.get(Organisation, new.organisation_id) is None:
        raise ValidationError(_("Please choose an organisation."), "organisation")
    phone = new.phone.strip()
    if len(phone) > 40:
        raise ValidationError(_("This phone number does not look right."), "phone")
    specialist = Specialist(
        name=name,
        profession=Profession(new.profession),
        organisation_id=new.organisation_id,
        phone=phone,
        active=True,
    )
    session.add(specialist)
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.CREATE,
        "specialist",
        specialist.id,
        profession=specialist.profession.value,
    )
    return specialist


def list_specialists(
    session: Session, user: User, include_inactive: bool = False
) -> list[Specialist]:
    require_planner(user)
    query = select(Specialist).order_by(Specialist.name, Specialist.id)
    if not include_inactive:
        query = query.where(Specialist.active.is_(True))
    return list(session.scalars(query))


def candidate_for(session: Session, new: NewOccurrence) -> Candidate:
    """A not-yet-saved occurrence, to warn about conflicts before scheduling it."""
    group = session.get(Group, new.group_id)
    if group is None:
        raise ValidationError(_("Please choose a group."), "group")
    return Candidate(
        group_id=new.group_id,
        starts_at=to_utc(new.on_date, new.start_time),
        duration_minutes=new.duration_minutes,
        venue_id=new.venue_id,
        facilitator_ids=tuple(new.facilitator_ids),
        specialist_ids=tuple(new.specialist_ids),
        min_age=group.min_age if new.min_age is None else new.min_age,
        max_age=group.max_age if new.max_age is None else new.max_age,
    )
