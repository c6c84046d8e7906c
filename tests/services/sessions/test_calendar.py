"""Calendars: who sees which occurrence, week and month grids, iCalendar feeds and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from parliament_app.cli.calendar import calendar_command
from parliament_app.core import runtime
from parliament_app.core.config import get_settings
from parliament_app.core.errors import NotFound
from parliament_app.core.i18n import current_language
from parliament_app.models import (
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Organisation,
    OrganisationKind,
    Role,
    Venue,
)
from parliament_app.models.meetings import (
    Occurrence,
    OccurrenceStaff,
    OccurrenceStatus,
    SessionKind,
)
from sessions.calendar import (
    PRODID,
    CalendarEntry,
    event_sequence,
    ical_for_group,
    ical_for_organisation,
    ical_for_user,
    ical_for_venue,
    monday_of,
    month_grid,
    month_range,
    visible_occurrences,
    week_grid,
)
from tests.factories import World, build_world, make_user

BELGRADE = ZoneInfo("Europe/Belgrade")
NOW = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
WINTER = datetime(2025, 1, 15, 18, 0, tzinfo=BELGRADE)  # a Wednesday, UTC+1
SUMMER = datetime(2025, 7, 16, 18, 0, tzinfo=BELGRADE)  # a Wednesday, UTC+2


@dataclass
class Scene:
    world: World
    other_group: Group  # run by the NGO, led by other_facilitator; School B pupil, followed child
    venue: Venue
    winter: Occurrence  # Parliament A, at the venue
    summer: Occurrence  # Parliament A, at the venue, changed on its own
    cancelled: Occurrence  # Parliament A, cancelled
    other: Occurrence  # other group, staffed by facilitator
    other_unstaffed: Occurrence  # other group, nobody from world.facilitator
    child_names: list[str]


def add_occurrence(
    db: Session,
    group: Group,
    starts: datetime,
    *,
    topic: str = "Children's rights",
    kind: SessionKind = SessionKind.PARLIAMENT_SITTING,
    venue: Venue | None = None,
    staff: tuple[int, ...] = (),
    status: OccurrenceStatus = OccurrenceStatus.SCHEDULED,
    changed: bool = False,
    languages: tuple[str, ...] = ("sr", "sq"),
    minutes: int = 90,
) -> Occurrence:
    occurrence = Occurrence(
        group_id=group.id,
        kind=kind,
        topic=topic,
        starts_at=starts.astimezone(UTC),
        duration_minutes=minutes,
        venue_id=venue.id if venue else None,
        languages=list(languages),
        status=status,
        changed_from_series=changed,
        # Free text staff wrote, naming a child: it must never reach a calendar.
        description="Ana Petrović brings the banner",
        cancel_reason="Ana Petrović is ill" if status == OccurrenceStatus.CANCELLED else "",
    )
    db.add(occurrence)
    db.flush()
    for user_id in staff:
        db.add(OccurrenceStaff(occurrence_id=occurrence.id, user_id=user_id))
    db.flush()
    return occurrence


@pytest.fixture
def scene(db: Session) -> Scene:
    world = build_world(db)
    venue = Venue(name="Youth Centre", municipality_id=world.municipality.id)
    other_group = Group(
        kind=GroupKind.SPORT_CLUB,
        name="Football Club",
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
    )
    db.add_all([venue, other_group])
    db.flush()
    db.add(GroupLeader(group_id=other_group.id, user_id=world.other_facilitator.id))
    db.add_all(
        [
            Enrolment(
                group_id=other_group.id,
                child_id=world.other_pupil.id,
                status=EnrolmentStatus.ACTIVE,
            ),
            Enrolment(
                group_id=other_group.id,
                child_id=world.followed_child.id,
                status=EnrolmentStatus.ACTIVE,
            ),
        ]
    )
    db.flush()
    group = world.group
    winter = add_occurrence(db, group, WINTER, venue=venue)
    summer = add_occurrence(db, group, SUMMER, venue=venue, topic="Voting", changed=True)
    cancelled = add_occurrence(
        db,
        group,
        WINTER + timedelta(days=1),
        topic="Budget",
        status=OccurrenceStatus.CANCELLED,
        languages=(),
    )
    other = add_occurrence(
        db,
        other_group,
        WINTER + timedelta(days=2),
        topic="Practice",
        kind=SessionKind.CLUB_PRACTICE,
        staff=(world.facilitator.id,),
        venue=venue,
    )
    other_unstaffed = add_occurrence(
        db,
        other_group,
        WINTER + timedelta(days=3),
        topic="Match",
        kind=SessionKind.EXCURSION,
        staff=(world.other_facilitator.id,),
    )
    children = [
        world.own_pupil,
        world.other_pupil,
        world.followed_child,
        world.other_followed_child,
    ]
    names = [name for child in children for name in (child.given_name, child.family_name)]
    return Scene(
        world, other_group, venue, winter, summer, cancelled, other, other_unstaffed, names
    )


def ids(entries: list[CalendarEntry]) -> set[int]:
    return {entry.occurrence_id for entry in entries}


YEAR = (date(2025, 1, 1), date(2025, 12, 31))


# --- visible_occurrences ------------------------------------------------------------------------


def test_facilitator_sees_groups_they_lead_and_occurrences_they_staff(
    db: Session, scene: Scene
) -> None:
    s = scene
    assert ids(visible_occurrences(db, s.world.facilitator, *YEAR)) == {
        s.winter.id,
        s.summer.id,
        s.cancelled.id,
        s.other.id,
    }
    assert ids(visible_occurrences(db, s.world.other_facilitator, *YEAR)) == {
        s.other.id,
        s.other_unstaffed.id,
    }


def test_school_coordinators_see_the_groups_their_pupils_attend(db: Session, scene: Scene) -> None:
    s = scene
    own = {s.winter.id, s.summer.id, s.cancelled.id}
    # School A: own_pupil in Parliament A, followed_child (also School A) in Football Club.
    assert ids(visible_occurrences(db, s.world.coordinator, *YEAR)) == own | {
        s.other.id,
        s.other_unstaffed.id,
    }
    # School B: only its pupil's Football Club, never Parliament A.
    assert ids(visible_occurrences(db, s.world.other_coordinator, *YEAR)) == {
        s.other.id,
        s.other_unstaffed.id,
    }


def test_only_active_enrolments_count_for_coordinators(db: Session, scene: Scene) -> None:
    s = scene
    for enrolment in db.query(Enrolment).filter(Enrolment.group_id == s.other_group.id):
        enrolment.status = EnrolmentStatus.WAITING
    db.flush()
    assert ids(visible_occurrences(db, s.world.other_coordinator, *YEAR)) == set()
    assert ids(visible_occurrences(db, s.world.coordinator, *YEAR)) == {
        s.winter.id,
        s.summer.id,
        s.cancelled.id,
    }


def test_social_workers_see_groups_of_children_their_centre_follows(
    db: Session, scene: Scene
) -> None:
    s = scene
    assert ids(visible_occurrences(db, s.world.social_worker, *YEAR)) == {
        s.other.id,
        s.other_unstaffed.id,
    }
    # CSW B follows a child enrolled nowhere.
    assert visible_occurrences(db, s.world.other_social_worker, *YEAR) == []


def test_administrators_see_everything_and_inactive_users_nothing(
    db: Session, scene: Scene
) -> None:
    s = scene
    everything = {s.winter.id, s.summer.id, s.cancelled.id, s.other.id, s.other_unstaffed.id}
    assert ids(visible_occurrences(db, s.world.admin, *YEAR)) == everything
    s.world.facilitator.active = False
    assert visible_occurrences(db, s.world.facilitator, *YEAR) == []
    orphan = make_user(db, "orphan", Role.SCHOOL_COORDINATOR, None)
    assert visible_occurrences(db, orphan, *YEAR) == []


def test_entries_are_local_labelled_without_child_data(db: Session, scene: Scene) -> None:
    s = scene
    entries = visible_occurrences(db, s.world.admin, *YEAR)
    assert [entry.occurrence_id for entry in entries] == [
        s.winter.id,
        s.cancelled.id,
        s.other.id,
        s.other_unstaffed.id,
        s.summer.id,
    ]
    winter, cancelled = entries[0], entries[1]
    assert winter.group_name == "Parliament A"
    assert winter.kind_label == "Parliament sitting"
    assert winter.topic == "Children's rights"
    assert winter.venue_name == "Youth Centre"
    assert winter.starts_local == WINTER and winter.starts_local.tzinfo == BELGRADE
    assert (winter.starts_local.hour, winter.ends_local.hour, winter.ends_local.minute) == (
        18,
        19,
        30,
    )
    assert entries[-1].starts_local.hour == 18  # summer: 16:00 UTC, still 18:00 local
    assert not winter.cancelled and winter.status_label == "Scheduled"
    assert cancelled.cancelled and cancelled.status_label == "Cancelled"
    assert cancelled.venue_name == ""
    assert {field.name for field in fields(CalendarEntry)} == {
        "occurrence_id",
        "group_name",
        "kind",
        "kind_label",
        "topic",
        "starts_local",
        "ends_local",
        "venue_name",
        "status",
        "status_label",
    }
    text = repr(entries)
    assert not [name for name in s.child_names if name in text]


def test_range_is_by_local_day_both_ends_included(db: Session, scene: Scene) -> None:
    s = scene
    group = s.world.group
    day = date(2025, 3, 10)
    just_after_midnight = add_occurrence(db, group, datetime(2025, 3, 10, 0, 30, tzinfo=BELGRADE))
    late_last_day = add_occurrence(db, group, datetime(2025, 3, 16, 23, 30, tzinfo=BELGRADE))
    add_occurrence(db, group, datetime(2025, 3, 9, 23, 30, tzinfo=BELGRADE))
    add_occurrence(db, group, datetime(2025, 3, 17, 0, 30, tzinfo=BELGRADE))
    week = visible_occurrences(db, s.world.admin, day, day + timedelta(days=6))
    assert ids(week) == {just_after_midnight.id, late_last_day.id}
    assert ids(visible_occurrences(db, s.world.admin, *month_range(2025, 1))) == {
        s.winter.id,
        s.cancelled.id,
        s.other.id,
        s.other_unstaffed.id,
    }
    with pytest.raises(ValueError):
        visible_occurrences(db, s.world.admin, day, day - timedelta(days=1))


# --- grids ---------------------------------------------------------------------------------------


def entry(occurrence_id: int, starts: datetime) -> CalendarEntry:
    return CalendarEntry(
        occurrence_id=occurrence_id,
        group_name="Parliament A",
        kind=SessionKind.PARLIAMENT_SITTING,
        kind_label="Parliament sitting",
        topic="Topic",
        starts_local=starts,
        ends_local=starts + timedelta(hours=1),
        venue_name="",
        status=OccurrenceStatus.SCHEDULED,
        status_label="Scheduled",
    )


def local(year: int, month: int, day: int, hour: int = 18) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BELGRADE)


def test_week_grid_places_entries_by_local_day_in_start_order() -> None:
    monday = date(2025, 1, 13)
    assert monday_of(date(2025, 1, 19)) == monday == monday_of(monday)
    entries = [
        entry(1, local(2025, 1, 15, 18)),
        entry(2, local(2025, 1, 15, 9)),
        entry(3, local(2025, 1, 13, 0)),
        entry(4, local(2025, 1, 19, 23)),
        entry(5, local(2025, 1, 12, 23)),  # the Sunday before
        entry(6, local(2025, 1, 20, 0)),  # the Monday after
    ]
    grid = week_grid(entries, monday)
    assert len(grid) == 7
    assert [[e.occurrence_id for e in day] for day in grid] == [[3], [], [2, 1], [], [], [], [4]]
    assert week_grid([], monday) == [[] for _day in range(7)]


def test_month_grid_of_a_month_starting_on_sunday() -> None:
    assert date(2024, 9, 1).weekday() == 6  # a Sunday
    entries = [
        entry(1, local(2024, 9, 1)),
        entry(2, local(2024, 9, 30)),
        entry(3, local(2024, 8, 31)),
        entry(4, local(2024, 10, 1)),
    ]
    weeks = month_grid(entries, 2024, 9)
    assert len(weeks) == 6 and all(len(week) == 7 for week in weeks)
    assert weeks[0][:6] == [(None, [])] * 6
    assert weeks[0][6][0] == date(2024, 9, 1)
    assert [e.occurrence_id for e in weeks[0][6][1]] == [1]
    assert weeks[5][0][0] == date(2024, 9, 30)
    assert [e.occurrence_id for e in weeks[5][0][1]] == [2]
    assert weeks[5][1:] == [(None, [])] * 6
    days = [day for week in weeks for day, _entries in week if day is not None]
    assert days == [date(2024, 9, 1) + timedelta(days=n) for n in range(30)]
    placed = [e.occurrence_id for week in weeks for _day, cell in week for e in cell]
    assert sorted(placed) == [1, 2]


def test_month_grid_of_february_in_a_leap_year() -> None:
    weeks = month_grid([entry(1, local(2024, 2, 29)), entry(2, local(2024, 2, 29, 9))], 2024, 2)
    assert len(weeks) == 5
    assert [day for day, _entries in weeks[0]] == [None, None, None] + [
        date(2024, 2, n) for n in range(1, 5)
    ]
    last_week = weeks[4]
    assert [day for day, _entries in last_week] == [date(2024, 2, n) for n in range(26, 30)] + [
        None
    ] * 3
    assert [e.occurrence_id for e in last_week[3][1]] == [2, 1]  # 09:00 before 18:00
    assert month_range(2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_range(2025, 2) == (date(2025, 2, 1), date(2025, 2, 28))
    # February 2021 starts on a Monday and has exactly four weeks.
    assert all(day is not None for week in month_grid([], 2021, 2) for day, _e in week)
    assert len(month_grid([], 2021, 2)) == 4


# --- iCalendar ----------------------------------------------------------------------------------


def parse(data: bytes) -> icalendar.Calendar:
    assert isinstance(data, bytes)
    return icalendar.Calendar.from_ical(data)


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(occurrence: Occurrence) -> str:
    return f"occurrence-{occurrence.id}@childrens-parliament"


def assert_well_formed(data: bytes, child_names: list[str]) -> None:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert not [name for name in child_names if name in text]
    unfolded = text.replace("\r\n ", "")
    assert not [name for name in child_names if name in unfolded]


def test_group_feed(db: Session, scene: Scene) -> None:
    s = scene
    data = ical_for_group(db, s.world.group.id, now=NOW)
    assert_well_formed(data, s.child_names)
    calendar = parse(data)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Children's Parliament — Parliament A"
    events = events_by_uid(calendar)
    assert set(events) == {uid(s.winter), uid(s.summer), uid(s.cancelled)}
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Belgrade"]

    winter, summer = events[uid(s.winter)], events[uid(s.summer)]
    for event, offset in ((winter, 1), (summer, 2)):
        assert event["DTSTART"].params["TZID"] == "Europe/Belgrade"
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start.hour, start.minute) == (18, 0)
        assert (end.hour, end.minute) == (19, 30)
        assert start.utcoffset() == timedelta(hours=offset)
        assert event.decoded("DTSTAMP") == NOW
    assert winter.decoded("DTSTART") == WINTER
    assert summer.decoded("DTSTART") == SUMMER
    assert str(winter["SUMMARY"]) == "Children's rights — Parliament A"
    assert str(winter["LOCATION"]) == "Youth Centre"
    assert str(winter["STATUS"]) == "CONFIRMED"
    assert int(winter["SEQUENCE"]) == 0
    assert [str(c) for c in winter["CATEGORIES"].cats] == ["Parliament sitting"]
    description = str(winter["DESCRIPTION"])
    assert "Parliament sitting" in description
    assert "Languages: Serbian, Albanian" in description
    assert int(summer["SEQUENCE"]) == 1  # changed on its own

    cancelled = events[uid(s.cancelled)]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 1
    assert "LOCATION" not in cancelled
    assert "Cancelled" in str(cancelled["DESCRIPTION"])
    assert "Languages" not in str(cancelled["DESCRIPTION"])


def test_sequence_grows_with_changes(db: Session, scene: Scene) -> None:
    s = scene
    occurrence = s.winter
    seen = [event_sequence(occurrence)]
    occurrence.changed_from_series = True
    seen.append(event_sequence(occurrence))
    occurrence.status = OccurrenceStatus.CANCELLED
    seen.append(event_sequence(occurrence))
    assert seen == [0, 1, 2]
    db.flush()
    event = events_by_uid(parse(ical_for_group(db, s.world.group.id)))[uid(occurrence)]
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"


def test_feeds_are_stable(db: Session, scene: Scene) -> None:
    s = scene
    first = ical_for_group(db, s.world.group.id, now=NOW)
    assert first == ical_for_group(db, s.world.group.id, now=NOW)
    later = parse(ical_for_group(db, s.world.group.id))
    assert set(events_by_uid(later)) == set(events_by_uid(parse(first)))


def test_feed_language(db: Session, scene: Scene) -> None:
    s = scene
    calendar = parse(ical_for_group(db, s.world.group.id, language="sr", now=NOW))
    description = str(events_by_uid(calendar)[uid(s.winter)]["DESCRIPTION"])
    assert "српски" in description and "албански" in description
    assert current_language() == "en"  # the reader's language is only borrowed
    english = parse(ical_for_group(db, s.world.group.id, language="xx", now=NOW))
    assert "Serbian" in str(events_by_uid(english)[uid(s.winter)]["DESCRIPTION"])


def test_user_feed_is_the_users_calendar(db: Session, scene: Scene) -> None:
    s = scene
    facilitator = parse(ical_for_user(db, s.world.facilitator, now=NOW))
    assert set(events_by_uid(facilitator)) == {
        uid(s.winter),
        uid(s.summer),
        uid(s.cancelled),
        uid(s.other),
    }
    assert str(facilitator["X-WR-CALNAME"]) == "Children's Parliament — Facilitator"
    social_worker = ical_for_user(db, s.world.social_worker, now=NOW)
    assert_well_formed(social_worker, s.child_names)
    assert set(events_by_uid(parse(social_worker))) == {uid(s.other), uid(s.other_unstaffed)}
    s.world.facilitator.active = False
    empty = parse(ical_for_user(db, s.world.facilitator, now=NOW))
    assert empty.walk("VEVENT") == []
    assert [str(tz["TZID"]) for tz in empty.walk("VTIMEZONE")] == ["Europe/Belgrade"]


def test_organisation_feeds(db: Session, scene: Scene) -> None:
    s = scene
    w = s.world
    everything = {uid(o) for o in (s.winter, s.summer, s.cancelled, s.other, s.other_unstaffed)}
    football = {uid(s.other), uid(s.other_unstaffed)}

    def feed(organisation: Organisation) -> set[str]:
        data = ical_for_organisation(db, organisation.id, now=NOW)
        assert_well_formed(data, s.child_names)
        return set(events_by_uid(parse(data)))

    assert feed(w.ngo) == everything  # the NGO runs both groups
    assert feed(w.school) == everything  # its pupils are in both
    assert feed(w.other_school) == football
    # A school running a club of its own, with none of its pupils in it yet.
    school_club = Group(
        kind=GroupKind.MUSIC_CLUB,
        name="School B Choir",
        organisation_id=w.other_school.id,
        municipality_id=w.municipality.id,
    )
    db.add(school_club)
    db.flush()
    choir = add_occurrence(db, school_club, SUMMER, topic="Rehearsal")
    assert feed(w.other_school) == football | {uid(choir)}
    municipality = Organisation(
        kind=OrganisationKind.MUNICIPALITY, name="Town Hall", municipality_id=w.municipality.id
    )
    db.add(municipality)
    db.flush()
    assert feed(municipality) == set()


def test_centre_for_social_work_feed_is_empty(db: Session, scene: Scene) -> None:
    s = scene
    # CSW A follows a child actively enrolled in the Football Club, and still shares nothing.
    data = ical_for_organisation(db, s.world.csw.id, now=NOW)
    assert b"Football Club" not in data
    calendar = parse(data)
    assert calendar.walk("VEVENT") == []
    assert "no shared calendar" in str(calendar["DESCRIPTION"])
    assert str(calendar["X-WR-CALNAME"]) == "Children's Parliament — CSW A"


def test_venue_feed(db: Session, scene: Scene) -> None:
    s = scene
    calendar = parse(ical_for_venue(db, s.venue.id, now=NOW))
    assert set(events_by_uid(calendar)) == {uid(s.winter), uid(s.summer), uid(s.other)}
    assert str(calendar["X-WR-CALNAME"]) == "Children's Parliament — Youth Centre"


def test_unknown_records_are_refused(db: Session, scene: Scene) -> None:
    with pytest.raises(NotFound):
        ical_for_organisation(db, 999_999)
    with pytest.raises(NotFound):
        ical_for_group(db, 999_999)
    with pytest.raises(NotFound):
        ical_for_venue(db, 999_999)


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    runtime.reset()
    get_settings.cache_clear()
    yield {
        "PARLIAMENT_DATABASE_URL": database_url,
        "PARLIAMENT_DATA_DIR": str(tmp_path / "data"),
        "PARLIAMENT_SECRET_KEY": "calendar-test-secret-" * 3,
    }
    runtime.reset()
    get_settings.cache_clear()


def run(env: dict[str, str], *args: str):
    get_settings.cache_clear()
    return CliRunner(env=env).invoke(calendar_command, list(args))


def test_command_writes_feeds_to_stdout(db: Session, scene: Scene, cli_env: dict) -> None:
    s = scene
    db.commit()  # the command reads through its own connection
    everything = {uid(o) for o in (s.winter, s.summer, s.cancelled, s.other, s.other_unstaffed)}

    by_name = run(cli_env, "--org", "School A")
    assert by_name.exit_code == 0, by_name.output
    assert_well_formed(by_name.stdout_bytes, s.child_names)
    assert set(events_by_uid(parse(by_name.stdout_bytes))) == everything
    by_id = run(cli_env, "--org", str(s.world.other_school.id))
    assert set(events_by_uid(parse(by_id.stdout_bytes))) == {uid(s.other), uid(s.other_unstaffed)}
    csw = run(cli_env, "--org", "CSW A")
    assert csw.exit_code == 0 and parse(csw.stdout_bytes).walk("VEVENT") == []

    group = run(cli_env, "--group", "Parliament A")
    assert set(events_by_uid(parse(group.stdout_bytes))) == {
        uid(s.winter),
        uid(s.summer),
        uid(s.cancelled),
    }
    venue = run(cli_env, "--venue", str(s.venue.id))
    assert set(events_by_uid(parse(venue.stdout_bytes))) == {
        uid(s.winter),
        uid(s.summer),
        uid(s.other),
    }
    user = run(cli_env, "--user", "FACILITATOR", "--language", "sr")
    assert user.exit_code == 0, user.output
    calendar = parse(user.stdout_bytes)
    assert len(calendar.walk("VEVENT")) == 4
    assert "српски" in str(events_by_uid(calendar)[uid(s.winter)]["DESCRIPTION"])
    event = events_by_uid(calendar)[uid(s.summer)]
    assert event.decoded("DTSTART").hour == 18
    assert event["DTSTART"].params["TZID"] == "Europe/Belgrade"


def test_command_refuses_unclear_requests(db: Session, scene: Scene, cli_env: dict) -> None:
    db.commit()
    unknown = run(cli_env, "--org", "Nowhere")
    assert unknown.exit_code == 2 and "no single organisation" in unknown.stderr
    assert unknown.stdout == ""
    assert run(cli_env, "--group", "Nothing").exit_code == 2
    assert run(cli_env, "--user", "nobody").exit_code == 2
    neither = run(cli_env)
    assert neither.exit_code == 2 and "exactly one" in neither.stderr
    both = run(cli_env, "--org", "School A", "--venue", "Youth Centre")
    assert both.exit_code == 2
    assert run(cli_env, "--org", "School A", "--language", "de").exit_code == 2
