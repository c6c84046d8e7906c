"""Clubs: practice schedules, excursions and their guardian consents, and interest demand."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from activities.clubs import (
    NewExcursion,
    PracticeSlot,
    create_club,
    excursion_roster,
    interest_demand,
    list_clubs,
    record_excursion_consent,
    schedule_excursion,
    set_practice_schedule,
    withdraw_excursion_consent,
)
from parliament_app.core.clock import LOCAL_TIMEZONE, local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.groups.services import NewGroup
from parliament_app.models import (
    AuditEntry,
    Child,
    ChildGuardian,
    ChildInterest,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    Guardian,
    InterestKind,
    Municipality,
    Venue,
    utcnow,
)
from parliament_app.models.clubs import ExcursionConsent
from parliament_app.models.meetings import (
    ExcursionKind,
    Occurrence,
    OccurrenceStatus,
    Series,
    SessionKind,
)
from tests.factories import World, make_child

YEAR = local_today().year + 1
MONDAY = date(YEAR, 3, 1) + timedelta(days=(7 - date(YEAR, 3, 1).weekday()) % 7)
TUESDAY, THURSDAY = 1, 3
TABLES = (Group, Series, Occurrence, ExcursionConsent, AuditEntry)


@pytest.fixture
def gym(db: Session, world: World) -> Venue:
    venue = Venue(name="School gym", municipality_id=world.municipality.id)
    db.add(venue)
    db.flush()
    return venue


@pytest.fixture
def club(db: Session, world: World) -> Group:
    club = create_club(
        db,
        world.facilitator,
        NewGroup(kind=GroupKind.SPORT_CLUB, name="Basketball", min_age=9, max_age=15),
    )
    db.add(Enrolment(group_id=club.id, child_id=world.own_pupil.id, status=EnrolmentStatus.ACTIVE))
    db.flush()
    return club


def _counts(db: Session) -> dict[str, int]:
    return {table.__name__: db.scalar(select(func.count()).select_from(table)) for table in TABLES}


def _local_date(occurrence: Occurrence) -> date:
    return occurrence.starts_at.astimezone(LOCAL_TIMEZONE).date()


def _practices(db: Session, club: Group) -> list[Occurrence]:
    return list(
        db.scalars(
            select(Occurrence)
            .where(Occurrence.group_id == club.id, Occurrence.kind == SessionKind.CLUB_PRACTICE)
            .order_by(Occurrence.starts_at)
        )
    )


# --- clubs ------------------------------------------------------------------------------------


def test_a_club_is_a_group_of_a_club_kind(db: Session, world: World, club: Group):
    assert club.kind == GroupKind.SPORT_CLUB
    assert [leader.user_id for leader in club.leaders] == [world.facilitator.id]
    assert [c.name for c in list_clubs(db, world.facilitator)] == ["Basketball"]
    assert [c.name for c in list_clubs(db, world.coordinator)] == ["Basketball"]

    before = _counts(db)
    with pytest.raises(ValidationError):
        create_club(db, world.admin, NewGroup(kind=GroupKind.PARLIAMENT, name="Not a club"))
    assert _counts(db) == before


# --- practice schedule ------------------------------------------------------------------------


def test_weekly_slots_generate_practices(db: Session, world: World, club: Group, gym: Venue):
    created, found = set_practice_schedule(
        db,
        world.facilitator,
        club.id,
        [(TUESDAY, time(17, 0), 90, gym.id), PracticeSlot(THURSDAY, time(17, 0), 90, gym.id)],
        MONDAY,
        MONDAY + timedelta(weeks=4) - timedelta(days=1),
    )

    assert found == []
    assert len(created) == 8
    assert {_local_date(o).weekday() for o in created} == {TUESDAY, THURSDAY}
    assert all(o.kind == SessionKind.CLUB_PRACTICE for o in created)
    assert all(o.starts_at.astimezone(LOCAL_TIMEZONE).time() == time(17) for o in created)
    assert all((o.min_age, o.max_age) == (9, 15) for o in created)  # the club's band
    series = db.scalars(select(Series).where(Series.group_id == club.id)).all()
    assert len(series) == 2


def test_replacing_the_schedule_cancels_the_old_future_and_keeps_the_past(
    db: Session, world: World, club: Group, gym: Venue
):
    first, _ = set_practice_schedule(
        db,
        world.facilitator,
        club.id,
        [(TUESDAY, time(17, 0), 90, gym.id)],
        MONDAY,
        MONDAY + timedelta(weeks=6),
    )
    # The first practice took place last week (moved into the past to stand for history).
    past = first[0]
    past.starts_at = utcnow() - timedelta(days=7)
    past.status = OccurrenceStatus.CLOSED
    kept_before_new_start = first[1]  # before the new schedule's first date
    db.flush()
    total_before = db.scalar(select(func.count()).select_from(Occurrence))

    new_start = MONDAY + timedelta(weeks=2)
    created, found = set_practice_schedule(
        db,
        world.facilitator,
        club.id,
        [(TUESDAY, time(17, 30), 60, gym.id)],  # the same gym, at overlapping hours
        new_start,
        MONDAY + timedelta(weeks=6),
    )

    for occurrence in first:
        db.refresh(occurrence)
    assert past.status == OccurrenceStatus.CLOSED  # the past is never touched
    assert kept_before_new_start.status == OccurrenceStatus.SCHEDULED
    replaced = [o for o in first if _local_date(o) >= new_start]
    assert replaced and all(o.status == OccurrenceStatus.CANCELLED for o in replaced)
    assert all(o.cancel_reason for o in replaced)
    assert len(created) == len(replaced)
    assert all(_local_date(o) >= new_start for o in created)
    assert found == []  # the cancelled practices no longer hold the gym
    # Nothing was deleted.
    assert db.scalar(select(func.count()).select_from(Occurrence)) == total_before + len(created)
    scheduled = [o for o in _practices(db, club) if o.status == OccurrenceStatus.SCHEDULED]
    assert {
        o.starts_at.astimezone(LOCAL_TIMEZONE).time()
        for o in scheduled
        if _local_date(o) >= new_start
    } == {time(17, 30)}


def test_an_empty_schedule_stops_practice(db: Session, world: World, club: Group, gym: Venue):
    first, _ = set_practice_schedule(
        db, world.admin, club.id, [(TUESDAY, time(17), 90, gym.id)], MONDAY, MONDAY + timedelta(28)
    )
    created, _ = set_practice_schedule(db, world.admin, club.id, [], MONDAY, MONDAY + timedelta(28))
    assert created == []
    assert all(o.status == OccurrenceStatus.CANCELLED for o in first)


@pytest.mark.parametrize(
    "case",
    [
        "overlapping slots",
        "unknown venue",
        "too short",
        "bad weekday",
        "ends before it starts",
        "starts in the past",
        "more than two years",
    ],
)
def test_bad_schedule_writes_nothing(db: Session, world: World, club: Group, gym: Venue, case: str):
    first, _ = set_practice_schedule(
        db, world.admin, club.id, [(TUESDAY, time(17), 90, gym.id)], MONDAY, MONDAY + timedelta(28)
    )
    slots = [(TUESDAY, time(17), 90, gym.id)]
    from_date, to_date = MONDAY, MONDAY + timedelta(days=28)
    match case:
        case "overlapping slots":
            slots = [(THURSDAY, time(17), 90, gym.id), (THURSDAY, time(18), 60, None)]
        case "unknown venue":
            slots = [(THURSDAY, time(17), 90, gym.id + 1000)]
        case "too short":
            slots = [(THURSDAY, time(17), 10, gym.id)]
        case "bad weekday":
            slots = [(7, time(17), 90, gym.id)]
        case "ends before it starts":
            to_date = from_date - timedelta(days=1)
        case "starts in the past":
            from_date = local_today() - timedelta(days=3)
        case "more than two years":
            to_date = date(YEAR + 2, 12, 31)
    before = _counts(db)

    with pytest.raises(ValidationError) as error:
        set_practice_schedule(db, world.admin, club.id, slots, from_date, to_date)

    assert error.value.message
    assert _counts(db) == before
    for occurrence in first:
        db.refresh(occurrence)
    assert all(o.status == OccurrenceStatus.SCHEDULED for o in first)  # old schedule intact


@pytest.mark.parametrize("role", ["other_facilitator", "coordinator", "social_worker"])
def test_only_leaders_set_the_schedule(
    db: Session, world: World, club: Group, gym: Venue, role: str
):
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        set_practice_schedule(
            db,
            getattr(world, role),
            club.id,
            [(TUESDAY, time(17), 90, gym.id)],
            MONDAY,
            MONDAY + timedelta(28),
        )
    with pytest.raises(PermissionDenied):
        schedule_excursion(
            db, getattr(world, role), club.id, _excursion(ExcursionKind.RADIO_TV, gym.id)
        )
    assert _counts(db) == before


def test_a_parliament_has_no_practice_schedule(db: Session, world: World, gym: Venue):
    with pytest.raises(ValidationError):
        set_practice_schedule(
            db,
            world.admin,
            world.group.id,
            [(TUESDAY, time(17), 90, gym.id)],
            MONDAY,
            MONDAY + timedelta(28),
        )


# --- excursions -------------------------------------------------------------------------------


def _excursion(kind: ExcursionKind, venue_id: int | None = None, description: str = ""):
    return NewExcursion(
        excursion_kind=kind,
        on_date=date(YEAR, 4, 10),
        start_time=time(10, 0),
        duration_minutes=180,
        venue_id=venue_id,
        description=description,
    )


@pytest.fixture
def excursion(db: Session, world: World, club: Group) -> Occurrence:
    occurrence, _ = schedule_excursion(
        db,
        world.facilitator,
        club.id,
        _excursion(ExcursionKind.TEAM_TRAINING, description="Training of the city team, arena"),
    )
    return occurrence


def _guardian_of(db: Session, child: Child) -> Guardian:
    return db.scalar(
        select(Guardian)
        .join(ChildGuardian, ChildGuardian.guardian_id == Guardian.id)
        .where(ChildGuardian.child_id == child.id)
    )


def test_schedule_excursion(db: Session, world: World, club: Group, gym: Venue):
    occurrence, _ = schedule_excursion(
        db, world.facilitator, club.id, _excursion(ExcursionKind.RADIO_TV, venue_id=gym.id)
    )
    assert occurrence.kind == SessionKind.EXCURSION
    assert occurrence.excursion_kind == ExcursionKind.RADIO_TV
    assert occurrence.series_id is None

    before = _counts(db)
    with pytest.raises(ValidationError) as error:
        schedule_excursion(db, world.facilitator, club.id, _excursion(ExcursionKind.OTHER))
    assert error.value.field == "venue"
    assert _counts(db) == before


def test_excursion_consent_rules(db: Session, world: World, club: Group, excursion: Occurrence):
    guardian = _guardian_of(db, world.own_pupil)

    consent = record_excursion_consent(
        db, world.facilitator, excursion.id, world.own_pupil.id, guardian.id
    )
    assert consent.withdrawn_at is None and consent.recorded_by_id == world.facilitator.id
    again = record_excursion_consent(
        db, world.facilitator, excursion.id, world.own_pupil.id, guardian.id
    )
    assert again.id == consent.id  # the live consent, not a second one

    withdrawn = withdraw_excursion_consent(db, world.facilitator, consent.id)
    assert withdrawn.withdrawn_at is not None
    renewed = record_excursion_consent(
        db, world.facilitator, excursion.id, world.own_pupil.id, guardian.id
    )
    assert renewed.id != consent.id
    rows = db.scalars(select(ExcursionConsent).order_by(ExcursionConsent.id)).all()
    assert [row.withdrawn_at is None for row in rows] == [False, True]


def test_consent_needs_the_childs_own_guardian(db: Session, world: World, excursion: Occurrence):
    stranger = _guardian_of(db, world.other_pupil)
    before = _counts(db)
    with pytest.raises(ValidationError) as error:
        record_excursion_consent(db, world.admin, excursion.id, world.own_pupil.id, stranger.id)
    assert error.value.field == "guardian"
    assert _counts(db) == before


@pytest.mark.parametrize("status", [None, EnrolmentStatus.WAITING, EnrolmentStatus.ENDED])
def test_consent_needs_an_active_member(
    db: Session, world: World, excursion: Occurrence, status: EnrolmentStatus | None
):
    child = world.other_pupil
    if status is not None:
        db.add(Enrolment(group_id=excursion.group_id, child_id=child.id, status=status))
        db.flush()
    before = _counts(db)
    with pytest.raises(ValidationError) as error:
        record_excursion_consent(
            db, world.admin, excursion.id, child.id, _guardian_of(db, child).id
        )
    assert error.value.field == "child"
    assert _counts(db) == before


def test_consent_only_for_a_scheduled_excursion(
    db: Session, world: World, club: Group, excursion: Occurrence, gym: Venue
):
    guardian = _guardian_of(db, world.own_pupil)
    practice, _ = set_practice_schedule(
        db, world.admin, club.id, [(TUESDAY, time(17), 90, gym.id)], MONDAY, MONDAY + timedelta(6)
    )
    with pytest.raises(ValidationError):
        record_excursion_consent(db, world.admin, practice[0].id, world.own_pupil.id, guardian.id)
    excursion.status = OccurrenceStatus.CANCELLED
    with pytest.raises(ValidationError):
        record_excursion_consent(db, world.admin, excursion.id, world.own_pupil.id, guardian.id)


def test_who_records_excursion_consent(db: Session, world: World, excursion: Occurrence):
    guardian = _guardian_of(db, world.own_pupil)
    for user in (world.other_facilitator, world.other_coordinator, world.social_worker):
        with pytest.raises((PermissionDenied, NotFound)):
            record_excursion_consent(db, user, excursion.id, world.own_pupil.id, guardian.id)
    # The child's school records the signed form too.
    consent = record_excursion_consent(
        db, world.coordinator, excursion.id, world.own_pupil.id, guardian.id
    )
    with pytest.raises(PermissionDenied):
        withdraw_excursion_consent(db, world.other_facilitator, consent.id)
    assert consent.withdrawn_at is None


def test_database_allows_one_live_consent(db: Session, world: World, excursion: Occurrence):
    guardian = _guardian_of(db, world.own_pupil)
    record_excursion_consent(db, world.admin, excursion.id, world.own_pupil.id, guardian.id)
    db.add(
        ExcursionConsent(
            occurrence_id=excursion.id, child_id=world.own_pupil.id, guardian_id=guardian.id
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()


def test_roster_shows_first_names_and_consent(db: Session, world: World, excursion: Occurrence):
    second = make_child(db, "Luka", "Stojanović", world.school, world.municipality)
    waiting = make_child(db, "Mira", "Waiting", world.school, world.municipality)
    db.add_all(
        [
            Enrolment(
                group_id=excursion.group_id, child_id=second.id, status=EnrolmentStatus.ACTIVE
            ),
            Enrolment(
                group_id=excursion.group_id, child_id=waiting.id, status=EnrolmentStatus.WAITING
            ),
        ]
    )
    db.flush()
    record_excursion_consent(db, world.admin, excursion.id, second.id, _guardian_of(db, second).id)

    roster = excursion_roster(db, world.facilitator, excursion.id)

    assert [(r.child_id, r.given_name, r.has_consent) for r in roster] == [
        (world.own_pupil.id, "Ana", False),
        (second.id, "Luka", True),
    ]
    assert "Stojanović" not in repr(roster) and "Petrović" not in repr(roster)
    for user in (world.other_facilitator, world.coordinator):
        with pytest.raises(PermissionDenied):
            excursion_roster(db, user, excursion.id)


# --- interest demand --------------------------------------------------------------------------


def _children_asking(
    db: Session,
    world: World,
    labels: list[list[tuple[InterestKind, str]]],
    municipality: Municipality | None = None,
) -> None:
    for number, interests in enumerate(labels):
        child = make_child(db, "Child", f"Asking{number}", None, municipality or world.municipality)
        db.add_all(ChildInterest(child_id=child.id, kind=k, label=label) for k, label in interests)
    db.flush()


def test_interest_demand_is_aggregated_and_small_counts_suppressed(db: Session, world: World):
    football = (InterestKind.SPORT, "Football")
    _children_asking(
        db,
        world,
        [
            [football, (InterestKind.SPORT, " football ")],  # one child, counted once
            [(InterestKind.SPORT, "FOOTBALL"), (InterestKind.MUSIC, "Guitar")],
            [(InterestKind.SPORT, "football")],
            [(InterestKind.SPORT, "Football"), (InterestKind.TOPIC, "Safe  online")],
            [(InterestKind.SPORT, "Football"), (InterestKind.MUSIC, "guitar")],
            [(InterestKind.SPORT, "Šah")],
            [(InterestKind.SPORT, "ŠAH")],
        ],
    )

    demand = interest_demand(db, world.facilitator)

    shown = {(d.kind, d.label): d.shown for d in demand}
    assert shown == {
        (InterestKind.SPORT, "football"): "5",
        (InterestKind.MUSIC, "guitar"): "<5",
        (InterestKind.TOPIC, "safe online"): "<5",
        (InterestKind.SPORT, "šah"): "<5",
    }
    assert demand[0].label == "football" and demand[0].count == 5
    assert all(d.count is None for d in demand[1:])
    assert not any("Asking" in repr(d) or "Child" in repr(d) for d in demand)


def test_interest_demand_by_municipality_and_permission(db: Session, world: World):
    elsewhere = Municipality(country_code="RS", name="Elsewhere")
    db.add(elsewhere)
    db.flush()
    _children_asking(db, world, [[(InterestKind.MUSIC, "Drums")]] * 5)
    _children_asking(db, world, [[(InterestKind.MUSIC, "Violin")]] * 6, elsewhere)

    here = interest_demand(db, world.admin, world.municipality.id)
    assert [(d.label, d.count) for d in here] == [("drums", 5)]
    everywhere = interest_demand(db, world.admin)
    assert [(d.label, d.count) for d in everywhere] == [("violin", 6), ("drums", 5)]

    for user in (world.coordinator, world.social_worker):
        with pytest.raises(PermissionDenied):
            interest_demand(db, user)
