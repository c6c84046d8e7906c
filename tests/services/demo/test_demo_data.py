"""The demo-data generator: one synthetic municipality, whole, reproducible and refused on a
database that already holds real data. Runs on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.demo.municipality import (
    DEMO_MUNICIPALITY,
    DemoDataRefused,
    generate_demo_data,
)
from parliament_app.models import (
    Child,
    ChildGuardian,
    Consent,
    Enrolment,
    GroupLeader,
    Municipality,
    RiskRecord,
    Role,
    User,
)
from tests.factories import build_world, make_child, make_user
from tests.probes import count


def fingerprint(db: Session) -> list[tuple]:
    rows = db.execute(
        select(Child.given_name, Child.family_name, Child.birth_date, Child.community).order_by(
            Child.id
        )
    )
    return [tuple(row) for row in rows]


# --- What is generated ---------------------------------------------------------------------------


# --- Accounts -----------------------------------------------------------------------------------


def test_first_run_administrator_is_kept_and_no_second_one_made(db: Session) -> None:
    root = make_user(db, "root", Role.ADMINISTRATOR, None)
    summary = generate_demo_data(db)
    assert Role.ADMINISTRATOR not in {c.role for c in summary.users}
    assert len(summary.users) == 3
    assert list(db.scalars(select(User.id).where(User.role == Role.ADMINISTRATOR))) == [root.id]


# --- Reproducible, refused, not committed -------------------------------------------------------


def test_same_seed_gives_the_same_data_and_another_seed_other_data(db: Session) -> None:
    today = date(2025, 3, 1)
    savepoint = db.begin_nested()
    first = generate_demo_data(db, seed=7, today=today)
    first_fingerprint = fingerprint(db)
    savepoint.rollback()
    assert count(db, Child) == count(db, User) == 0

    savepoint = db.begin_nested()
    second = generate_demo_data(db, seed=7, today=today)
    assert fingerprint(db) == first_fingerprint
    assert [c.username for c in second.users] == [c.username for c in first.users]
    # Passwords never follow from the seed: knowing it must not let anyone sign in.
    assert [c.password for c in second.users] != [c.password for c in first.users]
    assert (second.guardians, second.consents, second.enrolments) == (
        first.guardians,
        first.consents,
        first.enrolments,
    )
    savepoint.rollback()

    generate_demo_data(db, seed=8, today=today)
    assert fingerprint(db) != first_fingerprint


def test_refuses_a_database_with_real_data_unless_forced(db: Session) -> None:
    world = build_world(db)  # children and several users already there
    with pytest.raises(DemoDataRefused):
        generate_demo_data(db)
    assert count(db, Municipality, Municipality.name == DEMO_MUNICIPALITY) == 0

    summary = generate_demo_data(db, force=True)
    assert summary.children == 600
    assert count(db, Child) == 600 + 4
    usernames = {c.role: c.username for c in summary.users}
    assert Role.ADMINISTRATOR not in usernames  # the deployment has its administrator
    assert usernames[Role.FACILITATOR] == "facilitator2"  # "facilitator" was taken
    assert db.get(User, world.facilitator.id).username == "facilitator"


@pytest.mark.parametrize("existing", ["child", "second user", "non-administrator"])
def test_what_counts_as_real_data(db: Session, existing: str) -> None:
    world = build_world(db)
    db.execute(ChildGuardian.__table__.delete())
    db.execute(Consent.__table__.delete())
    db.execute(RiskRecord.__table__.delete())
    db.execute(Enrolment.__table__.delete())
    db.execute(GroupLeader.__table__.delete())
    db.execute(Child.__table__.delete())
    keep = {
        "child": [world.admin.id],
        "second user": [world.admin.id, world.coordinator.id],
        "non-administrator": [world.coordinator.id],
    }[existing]
    db.execute(User.__table__.delete().where(User.id.not_in(keep)))
    db.expunge_all()
    if existing == "child":
        make_child(db, "Ana", "Jović", None, db.scalar(select(Municipality)))
    with pytest.raises(DemoDataRefused):
        generate_demo_data(db)


def test_refuses_a_second_demo_municipality_even_when_forced(db: Session) -> None:
    generate_demo_data(db)
    with pytest.raises(DemoDataRefused, match=DEMO_MUNICIPALITY):
        generate_demo_data(db, force=True)


def test_does_not_commit(db: Session) -> None:
    generate_demo_data(db)
    db.rollback()
    assert count(db, Child) == count(db, User) == count(db, Municipality) == 0
