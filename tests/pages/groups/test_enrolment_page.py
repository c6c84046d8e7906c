"""The enrolment page (AppTest): a school signs a pupil up and is told whether the child got a
place or which place on the waiting list; a child without consent is refused kindly; the group's
facilitator sees the mixed-roster proposal (before/after tables and a flag as text) and nobody
else does; the consent form is offered for download."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from parliament_app.models import (
    Child,
    Community,
    Consent,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Gender,
    Group,
    GroupKind,
    GroupLeader,
)
from tests.factories import World, make_child
from tests.pages.app import PAGES, signed_in_app, texts


def open_page(db: Session, world: World, who: str) -> AppTest:
    app = signed_in_app(db, world.users()[who])
    db.rollback()  # end the test session's read: SQLite serialises transactions
    app.switch_page(PAGES.format("enrolment")).run()
    assert not app.exception, app.exception
    return app


def choose_group(app: AppTest, name: str) -> AppTest:
    box = app.selectbox(key="enrolment_group")
    matches = [option for option in box.options if option.startswith(name)]
    assert matches, box.options
    box.select_index(box.options.index(matches[0])).run()
    assert not app.exception, app.exception
    return app


def sign_up(app: AppTest, child_name: str) -> AppTest:
    box = next(item for item in app.selectbox if item.label == "Child")
    matches = [option for option in box.options if child_name in option]
    assert matches, box.options
    box.select_index(box.options.index(matches[0]))
    button(app, "Sign up").click().run()
    assert not app.exception, app.exception
    return app


def button(app: AppTest, label: str):
    found = [item for item in app.button if item.label == label]
    assert found, f"no button {label!r}: {[item.label for item in app.button]}"
    return found[0]


def status_of(db: Session, world: World, child_id: int) -> EnrolmentStatus | None:
    db.rollback()  # a fresh read of what the app wrote
    enrolment = db.scalar(
        select(Enrolment).where(
            Enrolment.group_id == world.group.id, Enrolment.child_id == child_id
        )
    )
    return enrolment.status if enrolment else None


def test_a_school_signs_up_a_pupil_who_gets_a_place(db: Session, world: World) -> None:
    app = open_page(db, world, "coordinator")
    assert app.title[0].value == "Enrolment"
    assert "Petrović, Ana" in str(app.dataframe[0].value)  # the pupil already enrolled
    sign_up(app, "Demiri, Elvis")
    assert any("got a place" in message.value for message in app.success), texts(app)
    assert status_of(db, world, world.followed_child.id) == EnrolmentStatus.ACTIVE


def test_a_full_group_puts_the_pupil_on_the_waiting_list(db: Session, world: World) -> None:
    world.group.capacity = 1  # Ana holds the only place
    db.commit()
    app = open_page(db, world, "coordinator")
    sign_up(app, "Demiri, Elvis")
    successes = " ".join(message.value for message in app.success)
    assert "waiting list, number 1" in successes, texts(app)
    assert status_of(db, world, world.followed_child.id) == EnrolmentStatus.WAITING
    # The roster shows the queue position too.
    assert "Waiting, number 1" in str(app.dataframe[0].value)


def test_a_child_without_consent_is_refused_kindly(db: Session, world: World) -> None:
    child = make_child(db, "Mila", "Stojanović", world.school, world.municipality)
    for consent in db.scalars(select(Consent).where(Consent.child_id == child.id)):
        consent.withdrawn_at = datetime.now(UTC)
    db.commit()
    app = open_page(db, world, "coordinator")
    sign_up(app, "Stojanović, Mila")
    warnings = " ".join(message.value for message in app.warning)
    assert "no parent or guardian has given consent" in warnings
    assert "Children page" in warnings
    assert not app.success and not app.error
    assert status_of(db, world, child.id) is None
    # The consent form for that child is offered right away.
    form_child = next(item for item in app.selectbox if item.label == "Child the form is for")
    assert form_child.value == child.id


def concentrated_club(db: Session, world: World) -> Group:
    """A club of 12 led by the facilitator with 10 Roma and 2 Serbian children waiting (schools,
    genders and ages mixed, so that only the community is concentrated)."""
    club = Group(
        kind=GroupKind.SPORT_CLUB,
        name="Football club",
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
        capacity=12,
    )
    db.add(club)
    db.flush()
    db.add(GroupLeader(group_id=club.id, user_id=world.facilitator.id))
    queued = datetime(2026, 1, 1, tzinfo=UTC)
    communities = [Community.ROMA] * 10 + [Community.SERBIAN] * 2
    for index, community in enumerate(communities):
        child = make_child(
            db,
            f"Child{index}",
            f"Family{index}",
            world.school if index % 2 else world.other_school,
            world.municipality,
            community,
            birth_date=date((2018, 2014, 2010)[index % 3], 1 + index % 12, 1),
        )
        child.gender = Gender.FEMALE if index % 2 else Gender.MALE
        db.add(
            Enrolment(
                group_id=club.id,
                child_id=child.id,
                status=EnrolmentStatus.WAITING,
                source=EnrolmentSource.SCHOOL,
                queued_at=queued + timedelta(minutes=index),
            )
        )
    db.commit()
    return club


def test_the_facilitator_sees_the_mixed_roster_proposal(db: Session, world: World) -> None:
    concentrated_club(db, world)
    app = open_page(db, world, "facilitator")
    choose_group(app, "Football club")
    button(app, "Propose a mixed roster").click().run()
    assert not app.exception, app.exception
    columns = [set(table.value.columns) for table in app.dataframe]
    assert any(
        {"Category", "Before: every candidate", "After: the proposed roster"} <= found
        for found in columns
    ), columns
    tables = " ".join(table.value.to_string() for table in app.dataframe)
    assert "Roma" in tables and "roma" not in tables  # translated category labels, not codes
    warnings = " ".join(message.value for message in app.warning)
    assert "Every candidate:" in warnings and "Roma" in warnings  # a flag, as text
    assert "the waiting list itself is not mixed" in warnings
    children = next(t.value for t in app.dataframe if "Proposal" in t.value.columns)
    assert len(children) == 12 and set(children["Proposal"]) == {"✅ Placed"}
    assert (children["Note"] == "placed in a free place, beyond the mix").sum() >= 1
    chosen = app.multiselect(key=next(m.key for m in app.multiselect))
    assert len(chosen.value) == 12  # every free place is offered
    assert button(app, "Accept this roster")


def test_accepting_a_roster_in_waiting_order_gives_the_places(db: Session, world: World) -> None:
    club = concentrated_club(db, world)  # 12 places for 12 children: all placed, in order
    app = open_page(db, world, "facilitator")
    choose_group(app, "Football club")
    button(app, "Propose a mixed roster").click().run()
    button(app, "Accept this roster").click().run()
    assert not app.exception, app.exception
    assert any("moved up from the waiting list" in m.value for m in app.success), texts(app)
    db.rollback()
    active = db.scalars(
        select(Enrolment).where(
            Enrolment.group_id == club.id, Enrolment.status == EnrolmentStatus.ACTIVE
        )
    ).all()
    assert len(active) == 12


@pytest.mark.parametrize("who", ["coordinator", "social_worker"])
def test_others_do_not_see_the_composer(db: Session, world: World, who: str) -> None:
    app = open_page(db, world, who)
    assert "Propose a mixed roster" not in [item.label for item in app.button]
    assert "Propose a mixed roster" not in texts(app)


def test_the_consent_form_can_be_downloaded(db: Session, world: World) -> None:
    app = open_page(db, world, "coordinator")
    labels = [item.label for item in app.get("download_button")]
    assert "Download the consent form" in labels
    guardian = next(item for item in app.selectbox if item.label == "Guardian")
    assert "Mother" in guardian.options[0]


def test_a_mixed_roster_out_of_waiting_order_is_applied(db: Session, world: World) -> None:
    club = concentrated_club(db, world)
    club.capacity = 4  # 10 Roma children wait first: the mix takes Serbian children ahead
    db.commit()
    app = open_page(db, world, "facilitator")
    choose_group(app, "Football club")
    button(app, "Propose a mixed roster").click().run()
    children = next(t.value for t in app.dataframe if "Proposal" in t.value.columns)
    placed = list(children[children["Proposal"] == "✅ Placed"]["Child"])
    assert placed != [f"Family{i}, Child{i}" for i in range(4)], "the mix changes the order"
    assert "keeps the group mixed" in set(children["Why not"])
    button(app, "Accept this roster").click().run()
    assert not app.exception, app.exception
    db.rollback()
    active = db.scalars(
        select(Enrolment.child_id).where(
            Enrolment.group_id == club.id, Enrolment.status == EnrolmentStatus.ACTIVE
        )
    ).all()
    names = {
        f"{child.family_name}, {child.given_name}": child.id
        for child in db.scalars(select(Child).where(Child.id.in_(active)))
    }
    assert sorted(names) == sorted(placed)  # exactly the proposed, mixed roster
    db.rollback()


def test_cancelling_frees_the_place_for_the_first_child_waiting(db: Session, world: World) -> None:
    world.group.capacity = 1
    db.add(
        Enrolment(
            group_id=world.group.id,
            child_id=world.followed_child.id,
            status=EnrolmentStatus.WAITING,
            source=EnrolmentSource.SCHOOL,
            queued_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    db.commit()
    app = open_page(db, world, "coordinator")
    assert [expander.label for expander in app.expander] == [
        "Petrović, Ana: ✅ Member",
        "Demiri, Elvis: ⏳ Waiting, number 1",
    ]
    button(app, "Cancel the enrolment").click().run()  # Ana's, the first line
    assert not app.exception, app.exception
    assert any("Petrović, Ana was cancelled" in m.value for m in app.success), texts(app)
    assert status_of(db, world, world.own_pupil.id) == EnrolmentStatus.ENDED
    assert status_of(db, world, world.followed_child.id) == EnrolmentStatus.ACTIVE
    # Elvis's history says who moved them up.
    history = " ".join(table.value.to_string() for table in app.dataframe)
    assert "Moved up from the waiting list" in history and "Coordinator" in history
    assert "Remove from the group" not in [item.label for item in app.button]  # leaders only
