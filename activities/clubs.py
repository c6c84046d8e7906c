"""Sport, music and other clubs: practice schedules, excursions and their guardian consents, and
what children ask for.

A club is a group (``parliament_app.groups.services``) of kind sport, music or other club;
who may manage it is decided there. A practice schedule is one weekly series of kind
``club_practice`` per weekly slot; setting a new schedule cancels the old schedule's practices still
to come and never touches past
ones. An excursion (radio or TV, a team's training, meeting an athlete or musician) is a one-off
occurrence and needs its own guardian consent for each child going.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import pairwise
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _, format_number
from parliament_app.groups.services import NewGroup, create_group, list_groups
from parliament_app.models import (
    AuditAction,
    Child,
    ChildGuardian,
    ChildInterest,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    InterestKind,
    User,
    utcnow,
)
from parliament_app.models.clubs import ExcursionConsent
from parliament_app.models.meetings import (
    ExcursionKind,
    Occurrence,
    OccurrenceStatus,
    Recurrence,
    Series,
    SessionKind,
)
from parliament_app.policy.access import Action, exclude_erased, may
from parliament_app.policy.clubs import require_excursion_consent_recorder
from parliament_app.policy.groups import may_manage_group, require_group_manager, require_planner
from sessions.conflicts import Conflict, conflicts_for
from sessions.scheduling import (
    NewOccurrence,
    NewSeries,
    cancel_scheduled_from,
    check_span,
    plan_series,
    schedulable_group,
    schedule_occurrence,
    write_plan,
)
from sessions.times import local, to_utc

CLUB_KINDS = frozenset({GroupKind.SPORT_CLUB, GroupKind.MUSIC_CLUB, GroupKind.OTHER_CLUB})
SUPPRESS_BELOW = 5  # interest counts under this are shown as "<5"


class PracticeSlot(NamedTuple):
    """One weekly practice: ``weekday`` 0 is Monday."""

    weekday: int
    start_time: time
    duration_minutes: int
    venue_id: int | None


@dataclass(frozen=True)
class NewExcursion:
    excursion_kind: ExcursionKind
    on_date: date
    start_time: time
    duration_minutes: int
    venue_id: int | None = None
    description: str = ""  # where and what, when the place is not one of the venues
    topic: str = ""
    capacity: int | None = None
    languages: tuple[str, ...] = ()
    facilitator_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RosterEntry:
    child_id: int
    given_name: str
    has_consent: bool


@dataclass(frozen=True)
class InterestDemand:
    kind: InterestKind
    label: str  # normalised: trimmed, single spaces, case-folded
    count: int | None  # None when suppressed (fewer than SUPPRESS_BELOW children)
    shown: str  # what to display: the number, or "<5"


# --- clubs ------------------------------------------------------------------------------------


def create_club(session: Session, user: User, new: NewGroup) -> Group:
    if new.kind not in CLUB_KINDS:
        raise ValidationError(_("Please choose the kind of club."), "kind")
    return create_group(session, user, new)


def list_clubs(session: Session, user: User) -> list[Group]:
    return [group for group in list_groups(session, user) if group.kind in CLUB_KINDS]


def _club(session: Session, user: User, club_id: int) -> Group:
    club = schedulable_group(session, user, club_id)
    if club.kind not in CLUB_KINDS:
        raise ValidationError(_("This group is not a club."), "club")
    return club


def set_practice_schedule(
    session: Session,
    user: User,
    club_id: int,
    slots: Iterable[PracticeSlot | tuple[int, time, int, int | None]],
    from_date: date,
    to_date: date,
    facilitator_ids: tuple[int, ...] = (),
) -> tuple[list[Occurrence], list[Conflict]]:
    """Replace the club's weekly practices from ``from_date`` to ``to_date``.

    The old schedule's practices from ``from_date`` on that have not begun are cancelled (past
    ones stay as they were); each slot becomes a weekly series. An empty list of slots stops
    practice from ``from_date``. Returns the new practices and the conflicts to warn about.
    """
    club = _club(session, user, club_id)
    slots = [PracticeSlot(*slot) for slot in slots]
    if from_date < _today():
        raise ValidationError(_("A new schedule cannot start in the past."), "from_date")
    check_span(from_date, to_date)
    _check_slots(slots)
    now = utcnow()
    plans = []
    for slot in slots:
        first = _first_practice(slot, from_date, to_date, now)
        if first is None:
            continue  # this weekday does not come round before the end date
        plans.append(
            plan_series(
                session,
                club,
                NewSeries(
                    group_id=club.id,
                    kind=SessionKind.CLUB_PRACTICE,
                    topic=club.name,
                    first_date=first,
                    last_date=to_date,
                    recurrence=Recurrence.WEEKLY,
                    start_time=slot.start_time,
                    duration_minutes=slot.duration_minutes,
                    venue_id=slot.venue_id,
                    capacity=club.capacity,
                    facilitator_ids=facilitator_ids,
                ),
            )
        )
    if slots and not plans:
        raise ValidationError(
            _("None of these weekdays falls between the first and the last date."), "to_date"
        )

    # Everything is checked: now replace the old schedule, then write the new one.
    reason = _("The practice schedule was replaced.")
    cancelled = 0
    for series in session.scalars(
        select(Series).where(
            Series.group_id == club.id,
            Series.kind == SessionKind.CLUB_PRACTICE,
            Series.last_date >= from_date,
        )
    ):
        cancelled += len(cancel_scheduled_from(session, series, from_date, reason))
        series.last_date = max(series.first_date, from_date - timedelta(1))
    created = []
    for plan in plans:
        created += write_plan(session, user, plan)[1]
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "practice_schedule",
        club.id,
        from_date=from_date.isoformat(),
        to_date=to_date.isoformat(),
        slots=len(slots),
        cancelled=cancelled,
        created=len(created),
    )
    return created, conflicts_for(session, created)


def _check_slots(slots: list[PracticeSlot]) -> None:
    for slot in slots:
        if not 0 <= slot.weekday <= 6:
            raise ValidationError(_("Please choose a day of the week."), "weekday")
    by_day = sorted(slots, key=lambda slot: (slot.weekday, slot.start_time))
    for earlier, later in pairwise(by_day):
        if earlier.weekday != later.weekday:
            continue
        earlier_end = _minutes(earlier.start_time) + earlier.duration_minutes
        if _minutes(later.start_time) < earlier_end:
            raise ValidationError(
                _("Two practices on the same day overlap. Please change one of them."), "slots"
            )


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _first_practice(slot: PracticeSlot, from_date: date, to_date: date, now) -> date | None:
    """The slot's first date on or after ``from_date`` that has not begun yet."""
    day = from_date + timedelta((slot.weekday - from_date.weekday()) % 7)
    if to_utc(day, slot.start_time) <= now:
        day += timedelta(weeks=1)
    return day if day <= to_date else None


def _today() -> date:
    return local(utcnow()).date()


# --- excursions -------------------------------------------------------------------------------


def schedule_excursion(
    session: Session, user: User, club_id: int, new: NewExcursion
) -> tuple[Occurrence, list[Conflict]]:
    """An excursion of the club; it goes to a known venue, or its description says where."""
    club = _club(session, user, club_id)
    if new.venue_id is None and not new.description.strip():
        raise ValidationError(
            _("Please choose a venue or describe where the excursion goes."), "venue"
        )
    return schedule_occurrence(
        session,
        user,
        NewOccurrence(
            group_id=club.id,
            kind=SessionKind.EXCURSION,
            excursion_kind=new.excursion_kind,
            topic=new.topic,
            description=new.description,
            on_date=new.on_date,
            start_time=new.start_time,
            duration_minutes=new.duration_minutes,
            venue_id=new.venue_id,
            capacity=new.capacity,
            languages=new.languages,
            facilitator_ids=new.facilitator_ids,
        ),
    )


def _excursion(session: Session, occurrence_id: int) -> Occurrence:
    occurrence = session.get(Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound(_("No such session."))
    if occurrence.kind != SessionKind.EXCURSION:
        raise ValidationError(_("This session is not an excursion."), "occurrence")
    return occurrence


def record_excursion_consent(
    session: Session, user: User, occurrence_id: int, child_id: int, guardian_id: int
) -> ExcursionConsent:
    """A guardian's consent for one child to go on one excursion (given again: the live one)."""
    excursion = _excursion(session, occurrence_id)
    child = session.get(Child, child_id)
    if child is None or not (
        may(session, user, Action.VIEW_CHILD, child)
        or may_manage_group(session, user, excursion.group)
    ):
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    require_excursion_consent_recorder(session, user, excursion.group, child)
    if excursion.status != OccurrenceStatus.SCHEDULED:
        raise ValidationError(_("This excursion is cancelled or already closed."), "occurrence")
    if not _is_active_member(session, excursion.group_id, child_id):
        raise ValidationError(_("The child is not an active member of this club."), "child")
    if session.get(ChildGuardian, (child_id, guardian_id)) is None:
        raise ValidationError(_("This guardian is not linked to the child."), "guardian")
    live = _live_consent(session, occurrence_id, child_id)
    if live is not None:
        return live
    consent = ExcursionConsent(
        occurrence_id=occurrence_id,
        child_id=child_id,
        guardian_id=guardian_id,
        recorded_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(consent)
            session.flush()
    except IntegrityError:  # recorded by someone else at the same moment: that one stands
        live = _live_consent(session, occurrence_id, child_id)
        if live is None:
            raise
        return live
    audit.record(
        session,
        user,
        AuditAction.CREATE,
        "excursion_consent",
        consent.id,
        occurrence_id=occurrence_id,
    )
    return consent


def withdraw_excursion_consent(session: Session, user: User, consent_id: int) -> ExcursionConsent:
    consent = session.get(ExcursionConsent, consent_id)
    excursion = session.get(Occurrence, consent.occurrence_id) if consent else None
    child = session.get(Child, consent.child_id) if consent else None
    if consent is None or excursion is None or child is None:
        raise NotFound(_("No such consent."))
    require_excursion_consent_recorder(session, user, excursion.group, child)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        session.flush()
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "excursion_consent",
            consent.id,
            withdrawn=True,
        )
    return consent


def excursion_roster(session: Session, user: User, occurrence_id: int) -> list[RosterEntry]:
    """The club's active members, first names only, and whether a guardian consented (erased
    children left out)."""
    excursion = _excursion(session, occurrence_id)
    require_group_manager(session, user, excursion.group)
    consented = set(
        session.scalars(
            select(ExcursionConsent.child_id).where(
                ExcursionConsent.occurrence_id == excursion.id,
                ExcursionConsent.withdrawn_at.is_(None),
            )
        )
    )
    members = session.execute(
        select(Child.id, Child.given_name)
        .join(Enrolment, Enrolment.child_id == Child.id)
        .where(
            Enrolment.group_id == excursion.group_id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            exclude_erased(),
        )
        .order_by(Child.given_name, Child.id)
    ).all()
    return [RosterEntry(child_id, name, child_id in consented) for child_id, name in members]


def _is_active_member(session: Session, group_id: int, child_id: int) -> bool:
    return bool(
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.group_id == group_id,
                Enrolment.child_id == child_id,
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
        )
    )


def _live_consent(session: Session, occurrence_id: int, child_id: int) -> ExcursionConsent | None:
    return session.scalar(
        select(ExcursionConsent).where(
            ExcursionConsent.occurrence_id == occurrence_id,
            ExcursionConsent.child_id == child_id,
            ExcursionConsent.withdrawn_at.is_(None),
        )
    )


# --- what children ask for ----------------------------------------------------------------------


def normalise_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def interest_demand(
    session: Session, user: User, municipality_id: int | None = None
) -> list[InterestDemand]:
    """How many children asked for each interest (clubs, sports, instruments, topics), most asked
    first. Counts under five are shown as "<5"; nothing says which children asked."""
    require_planner(user)
    query = select(ChildInterest.child_id, ChildInterest.kind, ChildInterest.label)
    if municipality_id is not None:
        query = query.join(Child, Child.id == ChildInterest.child_id).where(
            Child.municipality_id == municipality_id
        )
    children: dict[tuple[InterestKind, str], set[int]] = defaultdict(set)
    for child_id, kind, label in session.execute(query).all():
        normalised = normalise_label(label)
        if normalised:
            children[(kind, normalised)].add(child_id)
    demand = []
    for (kind, label), asking in children.items():
        count = len(asking)
        suppressed = count < SUPPRESS_BELOW
        demand.append(
            InterestDemand(
                kind=kind,
                label=label,
                count=None if suppressed else count,
                shown=f"<{SUPPRESS_BELOW}" if suppressed else format_number(count),
            )
        )
    return sorted(demand, key=lambda d: (-(d.count or 0), d.kind.value, d.label))
