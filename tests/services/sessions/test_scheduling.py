"""Scheduling: series and one-offs, local time across the clock changes, changes and
cancellations, the calendar, conflicts, and bad input that writes nothing."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core.clock import LOCAL_TIMEZONE, local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import using_language
from parliament_app.groups.services import NewGroup, create_group
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    Venue,
)
from parliament_app.models.meetings import (
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
from sessions.conflicts import ConflictKind, conflicts
from sessions.scheduling import (
    NewOccurrence,
    NewSeries,
    NewSpecialist,
    OccurrenceChange,
    cancel_occurrence,
    cancel_series_from,
    candidate_for,
    change_occurrence,
    create_series,
    create_specialist,
    extend_series,
    list_occurrences,
    list_specialists,
    schedule_occurrence,
)
from tests.factories import World, make_child

YEAR = local_today().year + 1  # every date below is in the future
TABLES = (
    Series,
    SeriesStaff,
    SeriesSpecialist,
    Occurrence,
    OccurrenceStaff,
    OccurrenceSpecialist,
    Specialist,
    AuditEntry,
)


@pytest.fixture
def hall(db: Session, world: World) -> Venue:
    return _venue(db, world, "Youth centre hall")


def _venue(db: Session, world: World, name: str) -> Venue:
    venue = Venue(name=name, municipality_id=world.municipality.id, capacity=40)
    db.add(venue)
    db.flush()
    return venue


def _specialist(db: Session, world: World, name: str = "Dr Ivana Marković") -> Specialist:
    return create_specialist(
        db, world.admin, NewSpecialist(name=name, profession=Profession.PSYCHOLOGIST)
    )


def _counts(db: Session) -> dict[str, int]:
    return {table.__name__: db.scalar(select(func.count()).select_from(table)) for table in TABLES}


def _series(world: World, **changes) -> NewSeries:
    fields = {
        "group_id": world.group.id,
        "kind": SessionKind.PARLIAMENT_SITTING,
        "topic": "Who can help: SOS lines and social workers",
        "first_date": date(YEAR, 3, 2),
        "last_date": date(YEAR, 3, 30),
        "recurrence": Recurrence.WEEKLY,
        "start_time": time(18, 0),
        "duration_minutes": 90,
        "languages": ("sr", "sq"),
    }
    return NewSeries(**{**fields, **changes})


def _one_off(world: World, **changes) -> NewOccurrence:
    fields = {
        "group_id": world.group.id,
        "kind": SessionKind.SPECIALIST_WORKSHOP,
        "topic": "Job offers that hide exploitation",
        "on_date": date(YEAR, 5, 12),
        "start_time": time(17, 0),
        "duration_minutes": 90,
    }
    return NewOccurrence(**{**fields, **changes})


def _second_group(db: Session, world: World, **changes) -> Group:
    fields = {
        "kind": GroupKind.WORKSHOP_SERIES,
        "name": "Peer learning",
        "organisation_id": world.ngo.id,
        "leader_ids": (world.other_facilitator.id,),
    }
    return create_group(db, world.admin, NewGroup(**{**fields, **changes}))


def _local(occurrence: Occurrence) -> datetime:
    return occurrence.starts_at.astimezone(LOCAL_TIMEZONE)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


# --- generating series ------------------------------------------------------------------------


def test_weekly_series_numbers_its_occurrences(db: Session, world: World, hall: Venue):
    occurrences, found = create_series(
        db,
        world.facilitator,
        _series(world, venue_id=hall.id, facilitator_ids=(world.facilitator.id,)),
    )

    assert [_local(o).date() for o in occurrences] == [
        date(YEAR, 3, 2) + timedelta(weeks=n) for n in range(5)
    ]
    assert [o.sequence for o in occurrences] == [1, 2, 3, 4, 5]
    assert len({o.series_id for o in occurrences}) == 1
    assert all(o.status == OccurrenceStatus.SCHEDULED for o in occurrences)
    assert all([s.user_id for s in o.staff] == [world.facilitator.id] for o in occurrences)
    assert all(o.min_age == 7 and o.max_age == 18 for o in occurrences)  # the group's band
    assert found == []
    series = db.get(Series, occurrences[0].series_id)
    assert series.recurrence == Recurrence.WEEKLY
    entry = db.scalar(select(AuditEntry).where(AuditEntry.record_type == "series"))
    assert entry.detail["occurrences"] == 5


def test_every_two_weeks(db: Session, world: World):
    occurrences, _ = create_series(
        db,
        world.admin,
        _series(world, recurrence=Recurrence.BIWEEKLY, last_date=date(YEAR, 4, 13)),
    )
    assert [_local(o).date() for o in occurrences] == [
        date(YEAR, 3, 2),
        date(YEAR, 3, 16),
        date(YEAR, 3, 30),
        date(YEAR, 4, 13),
    ]


def test_monthly_keeps_the_day_and_clamps_to_the_month_end(db: Session, world: World):
    occurrences, _ = create_series(
        db,
        world.admin,
        _series(
            world,
            recurrence=Recurrence.MONTHLY,
            first_date=date(YEAR, 1, 31),
            last_date=date(YEAR, 6, 30),
        ),
    )
    february_end = 29 if calendar.isleap(YEAR) else 28
    assert [_local(o).date() for o in occurrences] == [
        date(YEAR, 1, 31),
        date(YEAR, 2, february_end),
        date(YEAR, 3, 31),  # back to the 31st, not stuck on the 28th
        date(YEAR, 4, 30),
        date(YEAR, 5, 31),
        date(YEAR, 6, 30),
    ]
    assert [o.sequence for o in occurrences] == [1, 2, 3, 4, 5, 6]


def test_local_time_holds_across_the_october_clock_change(db: Session, world: World):
    change = _last_sunday(YEAR, 10)
    occurrences, _ = create_series(
        db,
        world.admin,
        _series(
            world,
            first_date=change - timedelta(days=17),
            last_date=change + timedelta(days=18),
        ),
    )
    db.expire_all()  # read back what the database stored
    stored = [db.get(Occurrence, o.id) for o in occurrences]

    assert len(stored) == 6
    assert {_local(o).time() for o in stored} == {time(18, 0)}
    before = [o for o in stored if _local(o).date() < change]
    after = [o for o in stored if _local(o).date() > change]
    assert {o.starts_at.astimezone(UTC).hour for o in before} == {16}  # summer time, UTC+2
    assert {o.starts_at.astimezone(UTC).hour for o in after} == {17}  # winter time, UTC+1


def test_one_off_through_create_series_has_no_series(db: Session, world: World):
    occurrences, _ = create_series(db, world.admin, _series(world, recurrence=None))
    assert len(occurrences) == 1
    assert occurrences[0].series_id is None and occurrences[0].sequence is None
    assert db.scalar(select(func.count()).select_from(Series)) == 0


def test_schedule_one_off(db: Session, world: World, hall: Venue):
    specialist = _specialist(db, world)
    occurrence, found = schedule_occurrence(
        db,
        world.facilitator,
        _one_off(
            world,
            venue_id=hall.id,
            specialist_ids=(specialist.id,),
            min_age=10,
            max_age=16,
            capacity=25,
            languages=(" sr ", "sr", "rom"),
        ),
    )
    assert _local(occurrence) == datetime(YEAR, 5, 12, 17, 0, tzinfo=LOCAL_TIMEZONE)
    assert occurrence.venue_id == hall.id
    assert [s.specialist_id for s in occurrence.specialists] == [specialist.id]
    assert occurrence.languages == ["sr", "rom"]
    assert (occurrence.min_age, occurrence.max_age, occurrence.capacity) == (10, 16, 25)
    assert found == []


def test_extending_or_regenerating_never_duplicates(db: Session, world: World):
    occurrences, _ = create_series(db, world.admin, _series(world))
    series_id = occurrences[0].series_id
    cancel_occurrence(db, world.admin, occurrences[2].id, "School holiday")

    added, _ = extend_series(db, world.admin, series_id)  # regenerate: nothing is missing
    assert added == []

    added, _ = extend_series(db, world.admin, series_id, date(YEAR, 4, 20))
    assert [o.sequence for o in added] == [6, 7, 8]
    assert [_local(o).date() for o in added] == [
        date(YEAR, 4, 6),
        date(YEAR, 4, 13),
        date(YEAR, 4, 20),
    ]
    again, _ = extend_series(db, world.admin, series_id, date(YEAR, 4, 20))
    assert again == []

    rows = db.execute(
        select(Occurrence.sequence, Occurrence.status)
        .where(Occurrence.series_id == series_id)
        .order_by(Occurrence.sequence)
    ).all()
    assert [sequence for sequence, _ in rows] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rows[2].status == OccurrenceStatus.CANCELLED  # the cancelled one did not come back
    assert db.get(Series, series_id).last_date == date(YEAR, 4, 20)


def test_a_series_cannot_be_shortened_by_extending(db: Session, world: World):
    occurrences, _ = create_series(db, world.admin, _series(world))
    with pytest.raises(ValidationError):
        extend_series(db, world.admin, occurrences[0].series_id, date(YEAR, 3, 10))


# --- changing and cancelling ------------------------------------------------------------------


def test_changing_one_occurrence_marks_it_and_leaves_the_rest(
    db: Session, world: World, hall: Venue
):
    occurrences, _ = create_series(db, world.admin, _series(world))
    second = occurrences[1]
    specialist = _specialist(db, world)

    changed, _ = change_occurrence(
        db,
        world.facilitator,
        second.id,
        OccurrenceChange(
            start_time=time(19, 30),
            duration_minutes=60,
            venue_id=hall.id,
            topic="Lover boys: how recruiters use trust",
            facilitator_ids=(world.facilitator.id, world.other_facilitator.id),
            specialist_ids=(specialist.id,),
        ),
    )

    assert _local(changed) == datetime(YEAR, 3, 9, 19, 30, tzinfo=LOCAL_TIMEZONE)
    assert changed.duration_minutes == 60 and changed.venue_id == hall.id
    assert changed.changed_from_series
    assert {s.user_id for s in changed.staff} == {world.facilitator.id, world.other_facilitator.id}
    assert [s.specialist_id for s in changed.specialists] == [specialist.id]
    others = [o for o in occurrences if o.id != second.id]
    assert all(not o.changed_from_series and _local(o).time() == time(18) for o in others)
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.record_type == "occurrence", AuditEntry.action == AuditAction.UPDATE
        )
    )
    assert entry.detail["changed"] == [
        "duration_minutes",
        "facilitators",
        "specialists",
        "starts_at",
        "topic",
        "venue_id",
    ]

    # Generating the series again keeps the change.
    extend_series(db, world.admin, second.series_id)
    db.refresh(second)
    assert _local(second).time() == time(19, 30)


def test_moving_an_occurrence_into_the_past_is_refused(db: Session, world: World):
    occurrence, _ = schedule_occurrence(db, world.admin, _one_off(world))
    before = _counts(db)
    with pytest.raises(ValidationError):
        change_occurrence(
            db, world.admin, occurrence.id, OccurrenceChange(on_date=local_today() - timedelta(2))
        )
    assert _counts(db) == before
    db.refresh(occurrence)
    assert _local(occurrence).date() == date(YEAR, 5, 12)


def test_cancelling_an_occurrence(db: Session, world: World):
    occurrence, _ = schedule_occurrence(db, world.admin, _one_off(world))

    before = _counts(db)
    with pytest.raises(ValidationError):
        cancel_occurrence(db, world.facilitator, occurrence.id, "   ")
    assert _counts(db) == before

    cancel_occurrence(db, world.facilitator, occurrence.id, "Venue flooded")
    assert occurrence.status == OccurrenceStatus.CANCELLED
    assert occurrence.cancel_reason == "Venue flooded"
    with pytest.raises(ValidationError):
        change_occurrence(db, world.admin, occurrence.id, OccurrenceChange(topic="New"))


def test_cancelling_a_series_from_a_date(db: Session, world: World):
    occurrences, _ = create_series(db, world.admin, _series(world))
    series_id = occurrences[0].series_id

    cancelled = cancel_series_from(db, world.facilitator, series_id, date(YEAR, 3, 16), "Summer")

    assert [o.sequence for o in cancelled] == [3, 4, 5]
    assert [o.status for o in occurrences] == [OccurrenceStatus.SCHEDULED] * 2 + [
        OccurrenceStatus.CANCELLED
    ] * 3
    assert all(o.cancel_reason == "Summer" for o in cancelled)
    assert db.get(Series, series_id).last_date == date(YEAR, 3, 15)
    assert extend_series(db, world.admin, series_id)[0] == []


# --- the calendar -----------------------------------------------------------------------------


def test_calendar_lists_a_period_for_those_who_see_the_group(db: Session, world: World):
    occurrences, _ = create_series(db, world.admin, _series(world))
    cancel_occurrence(db, world.admin, occurrences[1].id, "Holiday")
    start, end = date(YEAR, 3, 9), date(YEAR, 3, 23)

    shown = list_occurrences(db, world.facilitator, start, end)
    assert [o.id for o in shown] == [o.id for o in occurrences[1:4]]
    assert [
        o.id for o in list_occurrences(db, world.facilitator, start, end, include_cancelled=False)
    ] == [
        occurrences[2].id,
        occurrences[3].id,
    ]
    assert len(list_occurrences(db, world.coordinator, start, end)) == 3
    assert len(list_occurrences(db, world.admin, start, end, group_id=world.group.id)) == 3
    assert list_occurrences(db, world.other_facilitator, start, end) == []
    with pytest.raises(ValidationError):
        list_occurrences(db, world.admin, end, start)


def test_calendar_shows_a_facilitator_the_sessions_they_help_run(db: Session, world: World):
    occurrence, _ = schedule_occurrence(
        db, world.facilitator, _one_off(world, facilitator_ids=(world.other_facilitator.id,))
    )
    day = date(YEAR, 5, 12)
    assert [o.id for o in list_occurrences(db, world.other_facilitator, day, day)] == [
        occurrence.id
    ]


# --- conflicts --------------------------------------------------------------------------------


def test_double_booked_venue_is_reported_and_the_neighbour_is_not(
    db: Session, world: World, hall: Venue
):
    booked, _ = schedule_occurrence(db, world.admin, _one_off(world, venue_id=hall.id))
    other_group = _second_group(db, world)
    # 17:00-18:30 is taken; 18:30-20:00 touches it without overlapping.
    neighbour, found = schedule_occurrence(
        db,
        world.admin,
        _one_off(world, group_id=other_group.id, venue_id=hall.id, start_time=time(18, 30)),
    )
    assert found == []
    clash, found = schedule_occurrence(
        db,
        world.admin,
        _one_off(world, group_id=other_group.id, venue_id=hall.id, start_time=time(18, 0)),
    )

    assert [c.kind for c in found] == [ConflictKind.VENUE, ConflictKind.VENUE]
    assert {c.other_occurrence_id for c in found} == {booked.id, neighbour.id}
    first = next(c for c in found if c.other_occurrence_id == booked.id)
    assert first.kind == "venue"
    assert first.other_starts_at == booked.starts_at
    assert first.occurrence_id == clash.id
    assert "Youth centre hall" in first.message and "Parliament A" in first.message
    # The first one now sees the clash too, and never itself.
    assert [c.other_occurrence_id for c in conflicts(db, booked)] == [clash.id]


def test_double_booked_facilitator_and_specialist(db: Session, world: World, hall: Venue):
    specialist = _specialist(db, world)
    first, _ = schedule_occurrence(
        db,
        world.facilitator,
        _one_off(
            world,
            venue_id=hall.id,
            facilitator_ids=(world.facilitator.id,),
            specialist_ids=(specialist.id,),
        ),
    )
    other_group = _second_group(db, world)
    elsewhere = _venue(db, world, "School gym")

    _, found = schedule_occurrence(
        db,
        world.admin,
        _one_off(
            world,
            group_id=other_group.id,
            venue_id=elsewhere.id,
            start_time=time(18, 0),
            facilitator_ids=(world.facilitator.id, world.other_facilitator.id),
            specialist_ids=(specialist.id,),
        ),
    )

    assert sorted(c.kind for c in found) == ["facilitator", "specialist"]
    assert all(c.other_occurrence_id == first.id for c in found)
    by_kind = {c.kind: c for c in found}
    assert "Facilitator" in by_kind[ConflictKind.FACILITATOR].message
    assert "Dr Ivana Marković" in by_kind[ConflictKind.SPECIALIST].message


def test_cancelled_occurrences_do_not_conflict(db: Session, world: World, hall: Venue):
    first, _ = schedule_occurrence(db, world.admin, _one_off(world, venue_id=hall.id))
    second, found = schedule_occurrence(db, world.admin, _one_off(world, venue_id=hall.id))
    assert len(found) == 1

    cancel_occurrence(db, world.admin, first.id, "Moved online")
    assert conflicts(db, second) == []
    assert conflicts(db, first) == []


def test_conflicts_before_saving(db: Session, world: World, hall: Venue):
    booked, _ = schedule_occurrence(db, world.admin, _one_off(world, venue_id=hall.id))
    before = _counts(db)
    found = conflicts(db, candidate_for(db, _one_off(world, venue_id=hall.id)))
    assert [(c.kind, c.occurrence_id, c.other_occurrence_id) for c in found] == [
        (ConflictKind.VENUE, None, booked.id)
    ]
    assert _counts(db) == before


def test_a_series_reports_each_clashing_occurrence(db: Session, world: World, hall: Venue):
    booked, _ = schedule_occurrence(
        db,
        world.admin,
        _one_off(world, venue_id=hall.id, on_date=date(YEAR, 3, 16), start_time=time(18, 30)),
    )
    occurrences, found = create_series(db, world.admin, _series(world, venue_id=hall.id))
    assert [(c.occurrence_id, c.other_occurrence_id) for c in found] == [
        (occurrences[2].id, booked.id)
    ]


def test_members_outside_the_age_band_are_counted_never_named(db: Session, world: World):
    day = date(YEAR, 5, 12)

    def born(age: int, days_later: int = 0) -> date:
        return date(day.year - age, day.month, day.day) + timedelta(days=days_later)

    for number, (birth, status) in enumerate(
        [
            (born(9), EnrolmentStatus.ACTIVE),  # too young
            (born(10, days_later=1), EnrolmentStatus.ACTIVE),  # turns 10 the day after: 9
            (born(10), EnrolmentStatus.ACTIVE),  # turns 10 that day: inside
            (born(15), EnrolmentStatus.ACTIVE),  # too old
            (born(17), EnrolmentStatus.WAITING),  # not an active member
            (born(18), EnrolmentStatus.ENDED),
        ]
    ):
        child = make_child(
            db, "Jovana", f"Family{number}", world.school, world.municipality, birth_date=birth
        )
        db.add(Enrolment(group_id=world.group.id, child_id=child.id, status=status))
    db.flush()
    # own_pupil (born in 2014) is also an active member.
    own_age = day.year - 2014 - ((day.month, day.day) < (3, 15))
    expected = 3 + (not 10 <= own_age <= 14)

    occurrence, found = schedule_occurrence(
        db, world.admin, _one_off(world, min_age=10, max_age=14)
    )

    assert [c.kind for c in found] == [ConflictKind.AGE_BAND]
    assert found[0].count == expected
    assert found[0].other_occurrence_id is None
    assert f"{expected} active members" in found[0].message
    assert "Jovana" not in found[0].message and "Family" not in found[0].message
    assert "Ana" not in found[0].message

    change_occurrence(db, world.admin, occurrence.id, OccurrenceChange(min_age=7, max_age=18))
    assert conflicts(db, occurrence) == []


# --- bad input --------------------------------------------------------------------------------


def _bad_series(world: World, hall: Venue, case: str) -> NewSeries:
    spring_gap = _last_sunday(YEAR, 3)
    cases = {
        "too short": {"duration_minutes": 14},
        "too long": {"duration_minutes": 601},
        "last before first": {"last_date": date(YEAR, 3, 1)},
        "more than two years": {"last_date": date(YEAR + 2, 3, 3)},
        "no last date": {"last_date": None},
        "in the past": {"first_date": local_today() - timedelta(days=7)},
        "clocks skip the time": {
            "first_date": spring_gap,
            "last_date": spring_gap,
            "start_time": time(2, 30),
        },
        "unknown venue": {"venue_id": hall.id + 1000},
        "unknown group": {"group_id": 999_999},
        "unknown facilitator": {"facilitator_ids": (999_999,)},
        "a coordinator as facilitator": {"facilitator_ids": (world.coordinator.id,)},
        "unknown specialist": {"specialist_ids": (999_999,)},
        "band upside down": {"min_age": 14, "max_age": 10},
        "too young a band": {"min_age": 4},
        "too old a band": {"max_age": 20},
        "no capacity": {"capacity": 0},
        "no topic": {"topic": "  "},
        "excursion series": {"kind": SessionKind.EXCURSION},
    }
    return _series(world, **{"venue_id": hall.id, **cases[case]})


BAD_CASES = [
    "too short",
    "too long",
    "last before first",
    "more than two years",
    "no last date",
    "in the past",
    "clocks skip the time",
    "unknown venue",
    "unknown group",
    "unknown facilitator",
    "a coordinator as facilitator",
    "unknown specialist",
    "band upside down",
    "too young a band",
    "too old a band",
    "no capacity",
    "no topic",
    "excursion series",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_series_input_writes_nothing(db: Session, world: World, hall: Venue, case: str):
    _specialist(db, world)
    before = _counts(db)
    with pytest.raises(ValidationError) as error:
        create_series(db, world.facilitator, _bad_series(world, hall, case))
    assert error.value.message  # a sentence to show, already translated
    assert _counts(db) == before


def test_one_off_excursion_needs_its_kind(db: Session, world: World):
    before = _counts(db)
    with pytest.raises(ValidationError):
        schedule_occurrence(db, world.admin, _one_off(world, kind=SessionKind.EXCURSION))
    assert _counts(db) == before


def test_messages_name_the_limits(db: Session, world: World):
    with using_language("sr"), pytest.raises(ValidationError) as serbian:
        create_series(db, world.admin, _series(world, duration_minutes=5))
    with pytest.raises(ValidationError) as english:
        create_series(db, world.admin, _series(world, duration_minutes=5))
    assert english.value.message == "A session lasts from 15 to 600 minutes."
    assert english.value.field == "duration"
    assert "{" not in serbian.value.message and "600" in serbian.value.message


def test_closed_group_takes_no_new_sessions(db: Session, world: World):
    world.group.active = False
    before = _counts(db)
    with pytest.raises(ValidationError):
        create_series(db, world.admin, _series(world))
    assert _counts(db) == before


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["other_facilitator", "coordinator", "social_worker"])
def test_only_leaders_and_administrators_schedule(db: Session, world: World, role: str):
    occurrences, _ = create_series(db, world.facilitator, _series(world))
    user = getattr(world, role)
    before = _counts(db)

    with pytest.raises(PermissionDenied):
        create_series(db, user, _series(world))
    with pytest.raises(PermissionDenied):
        schedule_occurrence(db, user, _one_off(world))
    with pytest.raises(PermissionDenied):
        change_occurrence(db, user, occurrences[0].id, OccurrenceChange(topic="Mine"))
    with pytest.raises(PermissionDenied):
        cancel_occurrence(db, user, occurrences[0].id, "No")
    with pytest.raises(PermissionDenied):
        cancel_series_from(db, user, occurrences[0].series_id, date(YEAR, 3, 1), "No")
    with pytest.raises(PermissionDenied):
        extend_series(db, user, occurrences[0].series_id, date(YEAR, 5, 1))

    assert _counts(db) == before
    assert occurrences[0].topic == "Who can help: SOS lines and social workers"
    assert occurrences[0].status == OccurrenceStatus.SCHEDULED


def test_missing_occurrence_is_not_found(db: Session, world: World):
    with pytest.raises(NotFound):
        cancel_occurrence(db, world.admin, 999_999, "Gone")


# --- specialists ------------------------------------------------------------------------------


def test_specialists_are_kept_by_administrators_and_facilitators(db: Session, world: World):
    specialist = create_specialist(
        db,
        world.facilitator,
        NewSpecialist(
            name=" Marko  Ilić ", profession=Profession.SOCIAL_WORKER, organisation_id=world.csw.id
        ),
    )
    assert specialist.name == "Marko Ilić"
    assert [s.id for s in list_specialists(db, world.admin)] == [specialist.id]

    before = _counts(db)
    for user in (world.coordinator, world.social_worker):
        with pytest.raises(PermissionDenied):
            create_specialist(
                db, user, NewSpecialist(name="Someone", profession=Profession.TEACHER)
            )
        with pytest.raises(PermissionDenied):
            list_specialists(db, user)
    with pytest.raises(ValidationError):
        create_specialist(db, world.admin, NewSpecialist(name=" ", profession=Profession.OTHER))
    assert _counts(db) == before
