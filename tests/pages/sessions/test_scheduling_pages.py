"""The scheduling pages (groups, sessions, clubs, calendar) open for the roles that have them,
and their main paths work through the forms (AppTest)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from activities.clubs import NewExcursion, schedule_excursion
from parliament_app.groups.services import NewGroup, create_group
from parliament_app.models import (
    ChildInterest,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    InterestKind,
    Role,
    Venue,
)
from parliament_app.models.clubs import ExcursionConsent
from parliament_app.models.meetings import ExcursionKind, Occurrence, Recurrence, SessionKind
from sessions.scheduling import NewSeries, create_series
from sessions.times import local
from tests.factories import World, make_child
from tests.pages.app import PAGES, USER_FOR_ROLE, signed_in_app, texts

SCHEDULING_PAGES = {
    "groups": [Role.ADMINISTRATOR, Role.FACILITATOR, Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER],
    "sessions": [Role.ADMINISTRATOR, Role.FACILITATOR],
    "clubs": [Role.ADMINISTRATOR, Role.FACILITATOR],
    "calendar": [Role.ADMINISTRATOR, Role.FACILITATOR, Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER],
}


def tomorrow():
    return local(datetime.now(UTC)).date() + timedelta(days=1)


def widget(widgets, label: str, position: int = 0):
    """The first (or ``position``-th) widget with this label."""
    found = [item for item in widgets if item.label == label]
    assert found, f"no widget labelled {label!r}: {[item.label for item in widgets]}"
    return found[position]


def table_with(app: AppTest, column: str):
    """The first table with this column."""
    found = [table.value for table in app.dataframe if column in table.value.columns]
    assert found, f"no table with a {column!r} column"
    return found[0]


def add_venue(db: Session, world: World, name: str = "Youth centre hall") -> Venue:
    venue = Venue(name=name, municipality_id=world.municipality.id)
    db.add(venue)
    db.flush()
    return venue


def schedule(db: Session, world: World, topic: str, **extra) -> list[Occurrence]:
    created, _found = create_series(
        db,
        world.facilitator,
        NewSeries(
            group_id=world.group.id,
            kind=SessionKind.PARLIAMENT_SITTING,
            topic=topic,
            first_date=tomorrow(),
            start_time=time(17, 0),
            duration_minutes=90,
            **extra,
        ),
    )
    db.commit()
    return created


@pytest.fixture
def planned(db: Session, world: World) -> World:
    """Some of everything: a venue, a weekly series, a club with a member and an excursion, and
    interests that five children share."""
    venue = add_venue(db, world)
    schedule(
        db,
        world,
        "Children's rights",
        recurrence=Recurrence.WEEKLY,
        last_date=tomorrow() + timedelta(weeks=3),
        venue_id=venue.id,
        facilitator_ids=(world.facilitator.id,),
    )
    club = create_group(
        db,
        world.facilitator,
        NewGroup(kind=GroupKind.SPORT_CLUB, name="Football club", capacity=20),
    )
    db.add(Enrolment(group_id=club.id, child_id=world.own_pupil.id, status=EnrolmentStatus.ACTIVE))
    db.flush()
    schedule_excursion(
        db,
        world.facilitator,
        club.id,
        NewExcursion(
            excursion_kind=ExcursionKind.TEAM_TRAINING,
            on_date=tomorrow() + timedelta(days=2),
            start_time=time(10, 0),
            duration_minutes=120,
            description="The city team's training ground",
        ),
    )
    children = [
        world.own_pupil,
        world.other_pupil,
        world.followed_child,
        world.other_followed_child,
    ]
    children += [
        make_child(db, f"Child{number}", "Tester", world.school, world.municipality)
        for number in range(2)
    ]
    db.add_all(
        ChildInterest(child_id=child.id, kind=InterestKind.SPORT, label="Football")
        for child in children
    )
    db.add(ChildInterest(child_id=children[0].id, kind=InterestKind.MUSIC, label="Guitar"))
    db.commit()
    return world


@pytest.mark.parametrize(
    "role,page", [(role, page) for page, roles in SCHEDULING_PAGES.items() for role in roles]
)
def test_every_scheduling_page_opens_for_its_roles(
    db: Session, planned: World, role: Role, page: str
) -> None:
    app = signed_in_app(db, planned.users()[USER_FOR_ROLE[role]])
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception, app.exception
    assert app.title, f"{page} shows a title"


@pytest.mark.parametrize("page", ["groups", "sessions", "clubs", "calendar"])
def test_pages_open_on_an_empty_programme(db: Session, world: World, page: str) -> None:
    app = signed_in_app(db, world.admin)
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception, app.exception


@pytest.mark.parametrize(
    "role,page",
    [
        (role, page)
        for page, roles in SCHEDULING_PAGES.items()
        for role in Role
        if role not in roles
    ],
)
def test_planning_pages_are_not_reachable_for_other_roles(
    db: Session, world: World, role: Role, page: str
) -> None:
    app = signed_in_app(db, world.users()[USER_FOR_ROLE[role]])
    with pytest.raises(ValueError):
        app.switch_page(PAGES.format(page)).run()


def test_school_coordinator_does_not_get_the_sessions_page(db: Session, world: World) -> None:
    app = signed_in_app(db, world.coordinator)
    with pytest.raises(ValueError):
        app.switch_page(PAGES.format("sessions")).run()


def open_sessions(db: Session, world: World) -> AppTest:
    app = signed_in_app(db, world.facilitator)
    app.switch_page(PAGES.format("sessions")).run()
    assert not app.exception, app.exception
    return app


def test_facilitator_schedules_a_weekly_series_and_sees_it_coming_up(
    db: Session, world: World
) -> None:
    app = open_sessions(db, world)
    assert "Nothing is scheduled for the next eight weeks" in texts(app)
    widget(app.text_input, "Topic").input("Our school's playground")
    widget(app.selectbox, "Repeats").set_value(Recurrence.WEEKLY)
    widget(app.date_input, "Last date (for a repeating session)").set_value(
        tomorrow() + timedelta(weeks=3)
    )
    widget(app.button, "Schedule").click().run()
    assert not app.exception, app.exception
    assert any("4 sessions were scheduled" in message.value for message in app.success)
    table = table_with(app, "Topic")
    assert (table["Topic"] == "Our school's playground").sum() == 4
    assert set(table["Status"]) == {"Scheduled"}
    count = db.scalar(select(func.count()).select_from(Occurrence))
    assert count == 4


def test_a_clash_is_shown_as_a_warning_before_saving(db: Session, world: World) -> None:
    schedule(db, world, "Budget sitting", facilitator_ids=(world.facilitator.id,))
    app = open_sessions(db, world)
    widget(app.text_input, "Topic").input("Workshop on bullying")
    widget(app.button, "Check for clashes").click().run()
    assert not app.exception, app.exception
    warnings = [warning.value for warning in app.warning]
    assert any("already running another session" in text for text in warnings), warnings
    assert db.scalar(select(func.count()).select_from(Occurrence)) == 1, "checking saves nothing"


def test_saving_despite_a_clash_shows_the_count_and_the_clash(db: Session, world: World) -> None:
    venue = add_venue(db, world)
    db.commit()
    schedule(db, world, "Budget sitting", venue_id=venue.id)
    app = open_sessions(db, world)
    widget(app.text_input, "Topic").input("Workshop on bullying")
    widget(app.selectbox, "Venue").set_value(venue.id)
    widget(app.button, "Schedule").click().run()
    assert not app.exception, app.exception
    assert any("1 session was scheduled" in message.value for message in app.success)
    assert any("is already booked at that time" in warning.value for warning in app.warning)


def test_no_clash_is_confirmed(db: Session, world: World) -> None:
    app = open_sessions(db, world)
    widget(app.text_input, "Topic").input("Workshop on bullying")
    widget(app.button, "Check for clashes").click().run()
    assert any("No clashes" in message.value for message in app.success)


def test_a_session_is_cancelled_with_a_reason(db: Session, world: World) -> None:
    schedule(db, world, "Budget sitting")
    app = open_sessions(db, world)
    widget(app.text_input, "Reason for the cancellation").input("The school is closed")
    widget(app.button, "Cancel this session").click().run()
    assert not app.exception, app.exception
    assert any("was cancelled" in message.value for message in app.success)
    assert list(app.dataframe[0].value["Status"]) == ["Cancelled"]


def test_the_rest_of_a_series_is_cancelled(db: Session, world: World) -> None:
    schedule(
        db,
        world,
        "Budget sitting",
        recurrence=Recurrence.WEEKLY,
        last_date=tomorrow() + timedelta(weeks=2),
    )
    app = open_sessions(db, world)
    widget(app.text_input, "Reason for cancelling the rest of the series").input("Term ended")
    buttons = [button for button in app.button if button.label == "Cancel the rest of the series"]
    buttons[0].click().run()
    assert not app.exception, app.exception
    assert any("3 sessions were cancelled" in message.value for message in app.success)


@pytest.mark.parametrize("who", ["facilitator", "coordinator"])
def test_calendar_week_shows_a_scheduled_topic(db: Session, world: World, who: str) -> None:
    schedule(db, world, "Clean river day")
    app = signed_in_app(db, world.users()[who])
    app.session_state["calendar_anchor"] = tomorrow()
    app.switch_page(PAGES.format("calendar")).run()
    assert not app.exception, app.exception
    assert "Clean river day" in texts(app)
    assert app.get("download_button"), "the .ics download is offered"


def test_calendar_marks_a_cancelled_session_in_words(db: Session, world: World) -> None:
    from sessions.scheduling import cancel_occurrence

    (occurrence,) = schedule(db, world, "Clean river day")
    cancel_occurrence(db, world.facilitator, occurrence.id, "Rain")
    db.commit()
    app = signed_in_app(db, world.facilitator)
    app.session_state["calendar_anchor"] = tomorrow()
    app.switch_page(PAGES.format("calendar")).run()
    assert "**Cancelled**" in texts(app)


def test_calendar_month_view(db: Session, world: World) -> None:
    schedule(db, world, "Clean river day")
    app = signed_in_app(db, world.facilitator)
    app.session_state["calendar_anchor"] = tomorrow()
    app.switch_page(PAGES.format("calendar")).run()
    app.radio[0].set_value("month").run()
    assert not app.exception, app.exception
    assert "Clean river day" in str(app.table[0].value)
    widget(app.button, "Next month →").click().run()
    assert not app.exception, app.exception


@pytest.mark.parametrize("who", ["admin", "facilitator"])
def test_club_interest_chart_renders(db: Session, planned: World, who: str) -> None:
    app = signed_in_app(db, planned.users()[who])
    app.switch_page(PAGES.format("clubs")).run()
    assert not app.exception, app.exception
    assert app.get("vega_lite_chart"), "the bar chart is drawn"
    demand = table_with(app, "Interest")
    shown = dict(zip(demand["Interest"], demand["Children"], strict=True))
    assert shown == {"football": "6", "guitar": "<5"}


def test_excursion_consent_is_recorded_and_withdrawn(db: Session, planned: World) -> None:
    app = signed_in_app(db, planned.facilitator)
    app.switch_page(PAGES.format("clubs")).run()
    roster = table_with(app, "Consent")
    assert list(roster["Child"]) == ["Ana"], "first names only"
    assert list(roster["Consent"]) == ["❌ No consent yet"]
    widget(app.button, "Record the guardian's consent").click().run()
    assert not app.exception, app.exception
    assert any("consent was recorded" in message.value for message in app.success)
    assert db.scalar(select(func.count()).select_from(ExcursionConsent)) == 1
    db.rollback()  # end the read: SQLite lets no one write while it is open
    widget(app.button, "Withdraw the consent").click().run()
    assert not app.exception, app.exception
    assert any("consent was withdrawn" in message.value for message in app.success)
    consent = db.scalar(select(ExcursionConsent))
    db.refresh(consent)
    assert consent.withdrawn_at is not None
    assert db.scalar(select(func.count()).select_from(ExcursionConsent)) == 1


def test_facilitator_creates_a_group_and_changes_its_capacity(db: Session, world: World) -> None:
    app = signed_in_app(db, world.facilitator)
    app.switch_page(PAGES.format("groups")).run()
    widget(app.text_input, "Name").input("Green parliament")
    widget(app.button, "Create the group").click().run()
    assert not app.exception, app.exception
    assert any("Green parliament was created" in message.value for message in app.success)
    group_id = db.scalar(select(Group.id).where(Group.name == "Green parliament"))
    assert group_id is not None
    db.rollback()  # end the read: SQLite lets no one write while it is open
    app.selectbox(key="groups_edit_choice").set_value(group_id).run()
    widget(app.number_input, "Capacity (children)", -1).set_value(12)  # the change form's
    widget(app.button, "Save changes").click().run()
    assert not app.exception, app.exception
    assert db.get(Group, group_id).capacity == 12


def test_school_coordinator_sees_groups_but_no_forms(db: Session, world: World) -> None:
    app = signed_in_app(db, world.coordinator)
    app.switch_page(PAGES.format("groups")).run()
    assert not app.exception, app.exception
    assert "Parliament A" in str(app.dataframe[0].value)
    assert not [button for button in app.button if button.label == "Create the group"]


def test_facilitator_sets_a_weekly_practice(db: Session, planned: World) -> None:
    app = signed_in_app(db, planned.facilitator)
    app.switch_page(PAGES.format("clubs")).run()
    widget(app.selectbox, "Day of the week (practice 1)").set_value(2)
    widget(app.selectbox, "Day of the week (practice 2)").set_value(5)
    widget(app.button, "Save the practice schedule").click().run()
    assert not app.exception, app.exception
    assert any("practices are planned" in message.value for message in app.success)
    practices = db.scalar(
        select(func.count())
        .select_from(Occurrence)
        .where(Occurrence.kind == SessionKind.CLUB_PRACTICE)
    )
    assert practices >= 30  # two a week for sixteen weeks
    assert "No practice in the next eight weeks" not in texts(app)


def test_administrator_creates_a_group_and_adds_a_leader(db: Session, world: World) -> None:
    other_facilitator = world.other_facilitator.id
    app = signed_in_app(db, world.admin)
    app.switch_page(PAGES.format("groups")).run()
    widget(app.text_input, "Name").input("Music workshop")
    widget(app.selectbox, "Kind of group").set_value(GroupKind.WORKSHOP_SERIES)
    widget(app.selectbox, "Organisation running the group").set_value(world.ngo.id)
    widget(app.multiselect, "Leaders").select(world.facilitator.id)
    widget(app.button, "Create the group").click().run()
    assert not app.exception, app.exception
    assert any("Music workshop was created" in message.value for message in app.success)
    group_id = db.scalar(select(Group.id).where(Group.name == "Music workshop"))
    db.rollback()  # end the read: SQLite lets no one write while it is open
    app.selectbox(key="groups_edit_choice").set_value(group_id).run()
    widget(app.selectbox, "Facilitator to add as a leader").set_value(other_facilitator)
    widget(app.button, "Add the leader").click().run()
    assert not app.exception, app.exception
    assert any("Other Facilitator now leads Music workshop" in m.value for m in app.success)
    removable = [button for button in app.button if button.label == "Remove"]
    assert len(removable) == 2
