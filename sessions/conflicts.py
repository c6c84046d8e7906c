"""Conflicts shown before saving: a venue, facilitator or specialist booked twice at once, and a
session outside its group's age band."""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from parliament_app.core.i18n import _, format_date, format_datetime, ngettext
from parliament_app.models import (
    Child,
    Enrolment,
    EnrolmentStatus,
    User,
    Venue,
)
from parliament_app.models.meetings import (
    Occurrence,
    OccurrenceSpecialist,
    OccurrenceStaff,
    OccurrenceStatus,
    Specialist,
)
from sessions.times import (
    MAX_DURATION,
    local,
)


class ConflictKind(enum.StrEnum):
    VENUE = "venue"
    FACILITATOR = "facilitator"
    SPECIALIST = "specialist"
    AGE_BAND = "age_band"


@dataclass(frozen=True)
class Candidate:
    """An occurrence to check for conflicts, saved (``id``) or not yet."""

    group_id: int
    starts_at: datetime  # aware
    duration_minutes: int
    venue_id: int | None = None
    facilitator_ids: tuple[int, ...] = ()
    specialist_ids: tuple[int, ...] = ()
    min_age: int = 7
    max_age: int = 18
    id: int | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @classmethod
    def of(cls, occurrence: Occurrence) -> Candidate:
        return cls(
            group_id=occurrence.group_id,
            starts_at=occurrence.starts_at,
            duration_minutes=occurrence.duration_minutes,
            venue_id=occurrence.venue_id,
            facilitator_ids=tuple(link.user_id for link in occurrence.staff),
            specialist_ids=tuple(link.specialist_id for link in occurrence.specialists),
            min_age=occurrence.min_age,
            max_age=occurrence.max_age,
            id=occurrence.id,
        )


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    starts_at: datetime  # of the occurrence checked
    occurrence_id: int | None  # the occurrence checked (None: not saved yet)
    other_occurrence_id: int | None  # the one it clashes with (None for the age band)
    other_starts_at: datetime | None
    message: str  # translated; never names a child
    count: int = 0  # age band: how many active members are outside it


def conflicts(session: Session, item: Occurrence | Candidate) -> list[Conflict]:
    """What to warn about for one occurrence (saved or not); a cancelled one has none."""
    return conflicts_for(session, [item])


def conflicts_for(session: Session, items: Sequence[Occurrence | Candidate]) -> list[Conflict]:
    """Conflicts of many occurrences at once (a whole series): a few queries, not a few each."""
    candidates = [
        Candidate.of(item) if isinstance(item, Occurrence) else item
        for item in items
        if not (isinstance(item, Occurrence) and item.status == OccurrenceStatus.CANCELLED)
    ]
    if not candidates:
        return []
    found = _overlap_conflicts(session, candidates) + _age_band_conflicts(session, candidates)
    order = list(ConflictKind)
    return sorted(
        found, key=lambda c: (c.starts_at, order.index(c.kind), c.other_starts_at or c.starts_at)
    )


def _overlap_conflicts(session: Session, candidates: list[Candidate]) -> list[Conflict]:
    venue_ids = {c.venue_id for c in candidates if c.venue_id is not None}
    facilitator_ids = {i for c in candidates for i in c.facilitator_ids}
    specialist_ids = {i for c in candidates for i in c.specialist_ids}
    shares = []
    if venue_ids:
        shares.append(Occurrence.venue_id.in_(venue_ids))
    if facilitator_ids:
        shares.append(
            Occurrence.id.in_(
                select(OccurrenceStaff.occurrence_id).where(
                    OccurrenceStaff.user_id.in_(facilitator_ids)
                )
            )
        )
    if specialist_ids:
        shares.append(
            Occurrence.id.in_(
                select(OccurrenceSpecialist.occurrence_id).where(
                    OccurrenceSpecialist.specialist_id.in_(specialist_ids)
                )
            )
        )
    if not shares:
        return []
    window_start = min(c.starts_at for c in candidates) - timedelta(minutes=MAX_DURATION)
    window_end = max(c.ends_at for c in candidates)
    others = list(
        session.scalars(
            select(Occurrence)
            .where(
                Occurrence.status != OccurrenceStatus.CANCELLED,
                Occurrence.starts_at >= window_start,
                Occurrence.starts_at < window_end,
                or_(*shares),
            )
            .options(
                selectinload(Occurrence.group),
                selectinload(Occurrence.staff),
                selectinload(Occurrence.specialists),
            )
            .order_by(Occurrence.starts_at, Occurrence.id)
        )
    )
    if not others:
        return []
    names = _Names(session, venue_ids, facilitator_ids, specialist_ids)
    starts = [other.starts_at for other in others]
    found: list[Conflict] = []
    for candidate in candidates:
        lowest = bisect_left(starts, candidate.starts_at - timedelta(minutes=MAX_DURATION))
        for other in others[lowest:]:
            if other.starts_at >= candidate.ends_at:
                break
            other_end = other.starts_at + timedelta(minutes=other.duration_minutes)
            if other.id == candidate.id or other_end <= candidate.starts_at:
                continue
            found += _clashes(candidate, other, names)
    return found


def _clashes(candidate: Candidate, other: Occurrence, names: _Names) -> list[Conflict]:
    when = format_datetime(other.starts_at, "short")
    group = other.group.name

    def conflict(kind: ConflictKind, message: str) -> Conflict:
        return Conflict(kind, candidate.starts_at, candidate.id, other.id, other.starts_at, message)

    found = []
    if candidate.venue_id is not None and other.venue_id == candidate.venue_id:
        found.append(
            conflict(
                ConflictKind.VENUE,
                _("{venue} is already booked at that time: {group}, {when}.").format(
                    venue=names.venues.get(candidate.venue_id, ""), group=group, when=when
                ),
            )
        )
    for user_id in sorted(set(candidate.facilitator_ids) & {s.user_id for s in other.staff}):
        found.append(
            conflict(
                ConflictKind.FACILITATOR,
                _(
                    "{person} is already running another session at that time: {group}, {when}."
                ).format(person=names.facilitators.get(user_id, ""), group=group, when=when),
            )
        )
    other_specialists = {s.specialist_id for s in other.specialists}
    for specialist_id in sorted(set(candidate.specialist_ids) & other_specialists):
        found.append(
            conflict(
                ConflictKind.SPECIALIST,
                _(
                    "{person} is already booked for another session at that time: {group}, {when}."
                ).format(person=names.specialists.get(specialist_id, ""), group=group, when=when),
            )
        )
    return found


class _Names:
    """Display names of the venues and people a batch of conflicts may mention (staff only)."""

    def __init__(
        self,
        session: Session,
        venue_ids: set[int],
        facilitator_ids: set[int],
        specialist_ids: set[int],
    ) -> None:
        self.venues = dict(
            session.execute(select(Venue.id, Venue.name).where(Venue.id.in_(venue_ids))).all()
        )
        self.facilitators = dict(
            session.execute(
                select(User.id, User.display_name).where(User.id.in_(facilitator_ids))
            ).all()
        )
        self.specialists = dict(
            session.execute(
                select(Specialist.id, Specialist.name).where(Specialist.id.in_(specialist_ids))
            ).all()
        )


def _age_band_conflicts(session: Session, candidates: list[Candidate]) -> list[Conflict]:
    """Active members whose age on the day is outside the band: a count, never who."""
    group_ids = {c.group_id for c in candidates}
    birth_dates: dict[int, list[date]] = {group_id: [] for group_id in group_ids}
    for group_id, birth_date in session.execute(
        select(Enrolment.group_id, Child.birth_date)
        .join(Child, Child.id == Enrolment.child_id)
        .where(Enrolment.group_id.in_(group_ids), Enrolment.status == EnrolmentStatus.ACTIVE)
    ).all():
        birth_dates[group_id].append(birth_date)
    found = []
    for candidate in candidates:
        day = local(candidate.starts_at).date()
        count = sum(
            not candidate.min_age <= age_on(born, day) <= candidate.max_age
            for born in birth_dates[candidate.group_id]
        )
        if count:
            message = ngettext(
                "{count} active member of the group is outside the age band {low}–{high} on {day}.",
                "{count} active members of the group are outside the age band {low}–{high} "
                "on {day}.",
                count,
            ).format(
                count=count, low=candidate.min_age, high=candidate.max_age, day=format_date(day)
            )
            found.append(
                Conflict(
                    ConflictKind.AGE_BAND,
                    candidate.starts_at,
                    candidate.id,
                    None,
                    None,
                    message,
                    count,
                )
            )
    return found


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
