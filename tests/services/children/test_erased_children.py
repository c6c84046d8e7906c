"""Erased children leave every list and lookup of individuals, for every role, while aggregate
counts (diversity composition, the involvement indicator's groups, attendance totals) do not
move. ``child_scope`` leaves them out centrally; lists that do not go through it filter with
``exclude_erased`` themselves. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from activities.clubs import NewExcursion, create_club, excursion_roster, schedule_excursion
from activities.quizzes import play
from parliament_app.children.privacy import erase_child
from parliament_app.children.risk import (
    NewRiskRecord,
    count_followed,
    followed_children,
    open_risk_record,
)
from parliament_app.children.services import get_child, list_children
from parliament_app.core.actors import OPERATOR
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound
from parliament_app.groups import enrolment
from parliament_app.groups.composer import propose_roster
from parliament_app.groups.diversity.report import DIMENSIONS, composition_counts
from parliament_app.groups.services import NewGroup
from parliament_app.models import (
    Child,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    GroupKind,
    RiskCategory,
    RiskRecord,
    utcnow,
)
from parliament_app.models.attendance import Attendance, AttendanceMethod, AttendanceStatus
from parliament_app.models.meetings import ExcursionKind, Occurrence, OccurrenceStatus, SessionKind
from parliament_app.models.quizzes import RunMode, RunPhase
from parliament_app.monitoring.home import home_figures
from parliament_app.policy.access import Action, child_scope, may
from sessions.attendance import roster as attendance
from sessions.checkin.badges import issue_badge, sheet_badges
from sessions.checkin.scanning import self_check_in_roster, session_code
from sessions.involvement import involvement_indicator
from tests.factories import World, build_world
from tests.factories.quizzes import make_bank
from tests.probes import count_visible_children

SECRET = "test-secret-" * 4
TODAY = local_today()
PERIOD = (TODAY - timedelta(days=365), TODAY + timedelta(days=1))


def _erase(db: Session, world: World) -> None:
    erase_child(db, world.admin, world.own_pupil.id, "Guardian's request")
    db.flush()


def _listed(db: Session, user) -> set[int]:
    summaries, total = list_children(db, user)
    assert total == len(summaries)
    return {summary.id for summary in summaries}


def _past_occurrence(db: Session, world: World) -> Occurrence:
    """A closed sitting of the world's group ten days ago, own_pupil marked present."""
    occurrence = Occurrence(
        group_id=world.group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic="Children's rights",
        starts_at=datetime.combine(TODAY - timedelta(days=10), time(15), UTC),
        duration_minutes=90,
        status=OccurrenceStatus.CLOSED,
    )
    db.add(occurrence)
    db.flush()
    db.add(
        Attendance(
            occurrence_id=occurrence.id,
            child_id=world.own_pupil.id,
            status=AttendanceStatus.PRESENT,
            method=AttendanceMethod.ROSTER,
        )
    )
    db.flush()
    return occurrence


def _reactivate(db: Session, world: World, group_id: int) -> None:
    """As if an active enrolment had been left behind: the lists must still leave her out."""
    row = db.scalar(
        select(Enrolment).where(
            Enrolment.group_id == group_id, Enrolment.child_id == world.own_pupil.id
        )
    )
    if row is None:
        db.add(
            Enrolment(group_id=group_id, child_id=world.own_pupil.id, status=EnrolmentStatus.ACTIVE)
        )
    else:
        row.status, row.ended_at, row.end_reason = EnrolmentStatus.ACTIVE, None, None
        db.execute(delete(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == row.id))
    db.flush()


# --- children ----------------------------------------------------------------------------------


def test_lists_counts_and_lookups_leave_the_erased_child_out(db: Session) -> None:
    world = build_world(db)
    pupil = world.own_pupil.id
    users = (world.admin, world.coordinator, world.facilitator)
    before = {user.username: count_visible_children(db, user) for user in users}
    assert all(pupil in _listed(db, user) for user in users)
    home_before = dict(home_figures(db, world.admin))

    _erase(db, world)

    for user in users:
        assert pupil not in _listed(db, user), user.username
        assert count_visible_children(db, user) == before[user.username] - 1
        with pytest.raises(NotFound):
            get_child(db, user, pupil)
    # Single-record answers follow child_scope for everyone but administrators (``may`` lets
    # them see all; get_child refuses the erased child explicitly, as above).
    for user in (world.coordinator, world.facilitator):
        assert not may(db, user, Action.VIEW_CHILD, world.own_pupil), user.username
    assert dict(home_figures(db, world.admin))["Children"] == home_before["Children"] - 1
    # The others are still there.
    assert _listed(db, world.admin) == {
        world.other_pupil.id,
        world.followed_child.id,
        world.other_followed_child.id,
    }
    assert get_child(db, world.coordinator, world.followed_child.id).summary.id == (
        world.followed_child.id
    )
    # The same for a plain query with child_scope, for every role.
    for user in world.users().values():
        visible = db.scalars(select(Child.id).where(child_scope(user), Child.id == pupil)).all()
        assert visible == [], user.username


def test_the_erased_child_is_no_longer_followed(db: Session) -> None:
    world = build_world(db)
    child = world.followed_child.id
    assert count_followed(db, world.social_worker) == 1
    erase_child(db, world.admin, child, "Guardian's request")
    db.flush()
    assert count_followed(db, world.social_worker) == 0
    assert child not in {row.child_id for row in followed_children(db, world.social_worker)}
    assert child not in _listed(db, world.social_worker)
    new = NewRiskRecord((RiskCategory.SOCIAL_AID,), TODAY, "Family law, art. 1")
    with pytest.raises(NotFound):
        open_risk_record(db, world.social_worker, child, new)
    # Even a record left open on her does not bring her back.
    db.add(
        RiskRecord(
            child_id=child,
            csw_id=world.csw.id,
            categories=["social_aid"],
            opened_on=TODAY,
            legal_basis="Family law, art. 1",
        )
    )
    db.flush()
    assert count_followed(db, world.social_worker) == 0
    assert child not in {row.child_id for row in followed_children(db, world.admin)}
    assert dict(home_figures(db, world.social_worker))["Children your centre follows"] == 0


# --- sessions ----------------------------------------------------------------------------------


def test_enrolment_roster_omits_and_enrol_refuses(db: Session) -> None:
    world = build_world(db)
    pupil = world.own_pupil.id
    assert pupil in {e.child_id for e in enrolment.roster(db, world.admin, world.group.id)}
    _erase(db, world)
    for user in (world.admin, world.facilitator, world.coordinator):
        entries = enrolment.roster(db, user, world.group.id, include_ended=True)
        assert pupil not in {entry.child_id for entry in entries}, user.username
    for user in (world.admin, world.facilitator, world.coordinator):
        with pytest.raises(NotFound):
            enrolment.enrol(db, user, world.group.id, pupil)


def test_attendance_roster_omits_but_the_export_keeps_the_anonymous_row(db: Session) -> None:
    world = build_world(db)
    pupil = world.own_pupil.id
    occurrence = _past_occurrence(db, world)
    assert pupil in {row.child_id for row in attendance.roster(db, world.admin, occurrence.id)}
    rows_before = attendance.attendance_rows(db, world.admin, *PERIOD)
    assert [(r.child_id, r.status) for r in rows_before] == [(pupil, "present")]

    _erase(db, world)

    for user in (world.admin, world.facilitator):
        assert pupil not in {row.child_id for row in attendance.roster(db, user, occurrence.id)}
    # Totals stay: the row is kept, anonymised (no names).
    rows_after = attendance.attendance_rows(db, world.admin, *PERIOD)
    assert [(r.child_id, r.status, r.given_name, r.family_name) for r in rows_after] == [
        (pupil, "present", "", "")
    ]
    # Nor can she be added again as a walk-in (she is registered in the group's municipality).
    later = Occurrence(
        group_id=world.group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic="Later",
        starts_at=utcnow() - timedelta(minutes=5),
        duration_minutes=90,
        status=OccurrenceStatus.SCHEDULED,
    )
    db.add(later)
    db.flush()
    with pytest.raises(NotFound):
        attendance.add_walk_in(db, world.admin, later.id, pupil)


def test_composer_badges_checkin_quiz_and_excursion_lists_omit(db: Session) -> None:
    world = build_world(db)
    pupil = world.own_pupil.id
    club = create_club(
        db,
        world.facilitator,
        NewGroup(kind=GroupKind.SPORT_CLUB, name="Basketball", min_age=9, max_age=15),
    )
    db.add(Enrolment(group_id=club.id, child_id=pupil, status=EnrolmentStatus.ACTIVE))
    db.flush()
    excursion, _ = schedule_excursion(
        db,
        world.facilitator,
        club.id,
        NewExcursion(
            excursion_kind=ExcursionKind.TEAM_TRAINING,
            on_date=TODAY + timedelta(days=30),
            start_time=time(10),
            duration_minutes=180,
            description="City arena",
        ),
    )
    make_bank(db)
    run = play.start_run(
        db,
        world.facilitator,
        group_id=world.group.id,
        age_band="11-14",
        topics=[],
        question_count=3,
        mode=RunMode.LIVE,
        phase=RunPhase.PRACTICE,
        seed=7,
    )
    now = utcnow().replace(microsecond=0)
    sitting = Occurrence(
        group_id=world.group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic="Now",
        starts_at=now - timedelta(minutes=5),
        duration_minutes=90,
        status=OccurrenceStatus.SCHEDULED,
    )
    db.add(sitting)
    db.flush()

    def lists() -> dict[str, set[int]]:
        code = session_code(SECRET, sitting.id, now)
        return {
            "composer": {
                c.id for c in propose_roster(db, world.facilitator, world.group.id).children
            },
            "excursion": {
                r.child_id for r in excursion_roster(db, world.facilitator, excursion.id)
            },
            "quiz": {
                child_id
                for child_id, _name in play.enrolled_children(db, world.facilitator, run.id)
            },
            "checkin": {
                child_id
                for child_id, _name in self_check_in_roster(
                    db, sitting.id, code, now, device="phone", secret=SECRET
                )
            },
            "badges": {
                b.child_id
                for b in sheet_badges(db, world.facilitator, world.group.id, secret=SECRET)[1]
            },
        }

    assert all(pupil in ids for ids in lists().values())
    _erase(db, world)
    assert all(pupil not in ids for ids in lists().values()), lists()
    # Even with an active enrolment left behind, she stays out of every list.
    _reactivate(db, world, world.group.id)
    _reactivate(db, world, club.id)
    assert all(pupil not in ids for ids in lists().values()), lists()
    for user in (OPERATOR, world.admin, world.facilitator):
        with pytest.raises(NotFound):
            issue_badge(db, user, pupil, secret=SECRET)


# --- aggregates --------------------------------------------------------------------------------


def test_aggregate_counts_do_not_change(db: Session) -> None:
    world = build_world(db)
    pupil = world.own_pupil.id
    _past_occurrence(db, world)
    counts = {dimension: composition_counts(db, dimension, *PERIOD) for dimension in DIMENSIONS}
    assert counts["gender"][world.group.id]  # she is counted (enrolled in the period)
    groups = involvement_indicator(db, world.admin, "group", *PERIOD, suppress=False)
    municipalities = involvement_indicator(db, world.admin, "municipality", *PERIOD, suppress=False)
    assert pupil in {
        row.key for row in involvement_indicator(db, world.admin, "child", *PERIOD, suppress=False)
    }

    _erase(db, world)

    assert {
        dimension: composition_counts(db, dimension, *PERIOD) for dimension in DIMENSIONS
    } == counts
    assert involvement_indicator(db, world.admin, "group", *PERIOD, suppress=False) == groups
    assert (
        involvement_indicator(db, world.admin, "municipality", *PERIOD, suppress=False)
        == municipalities
    )
    assert pupil not in {
        row.key for row in involvement_indicator(db, world.admin, "child", *PERIOD, suppress=False)
    }
