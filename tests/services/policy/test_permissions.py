"""The permission policy, cell by cell: role x action x record, against a table written out here.

The expected table is typed in by hand from the rules in ``parliament_app.policy.access``'
docstring; it is deliberately not derived from the policy code, so a change to the policy that
breaks a rule shows up as a named failing cell.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.children.services import list_children
from parliament_app.models import Enrolment, EnrolmentStatus, GroupLeader, RiskRecord
from parliament_app.policy.access import Action, may
from tests.factories import World, build_world
from tests.probes import count_visible_children

ROLES = (
    "admin",
    "coordinator",
    "other_coordinator",
    "social_worker",
    "other_social_worker",
    "facilitator",
    "other_facilitator",
)
# The columns of every row below, in this order.
RECORDS = (
    "own_pupil",  # at ``school``, enrolled (active) in the group ``facilitator`` leads
    "other_pupil",  # at ``other_school``, nowhere else
    "followed_child",  # at ``school``, open risk record of ``csw``
    "other_followed_child",  # at ``other_school``, open risk record of ``other_csw``
    "risk_record",  # ``csw``'s record on followed_child
    "other_risk_record",  # ``other_csw``'s record on other_followed_child
    "None",  # no record at all
)

ALL = "X X X X X X X"
NONE = "- - - - - - -"

# X = allowed, - = refused. Columns: own_pupil, other_pupil, followed_child,
# other_followed_child, risk_record, other_risk_record, None.
EXPECTED: dict[str, dict[Action, str]] = {
    # Administrators: everything.
    "admin": {
        Action.VIEW_CHILD: ALL,
        Action.CREATE_CHILD: ALL,
        Action.EDIT_CHILD: ALL,
        Action.VIEW_COMMUNITY: ALL,
        Action.VIEW_CARE_SITUATION: ALL,
        Action.RECORD_CONSENT: ALL,
        Action.VIEW_RISK: ALL,
        Action.EDIT_RISK: ALL,
        Action.MANAGE_USERS: ALL,
        Action.MANAGE_ORGANISATIONS: ALL,
        Action.VIEW_AUDIT: ALL,
    },
    # School coordinator of ``school``: own_pupil and followed_child are its pupils.
    # Registers its own pupils only; never care situation, never risk, never admin work.
    "coordinator": {
        Action.VIEW_CHILD: "X - X - - - -",
        Action.CREATE_CHILD: "X - X - - - X",
        Action.EDIT_CHILD: "X - X - - - -",
        Action.VIEW_COMMUNITY: "X - X - - - -",
        Action.VIEW_CARE_SITUATION: NONE,
        Action.RECORD_CONSENT: "X - X - - - -",
        Action.VIEW_RISK: NONE,
        Action.EDIT_RISK: NONE,
        Action.MANAGE_USERS: NONE,
        Action.MANAGE_ORGANISATIONS: NONE,
        Action.VIEW_AUDIT: NONE,
    },
    # School coordinator of ``other_school``: other_pupil and other_followed_child.
    "other_coordinator": {
        Action.VIEW_CHILD: "- X - X - - -",
        Action.CREATE_CHILD: "- X - X - - X",
        Action.EDIT_CHILD: "- X - X - - -",
        Action.VIEW_COMMUNITY: "- X - X - - -",
        Action.VIEW_CARE_SITUATION: NONE,
        Action.RECORD_CONSENT: "- X - X - - -",
        Action.VIEW_RISK: NONE,
        Action.EDIT_RISK: NONE,
        Action.MANAGE_USERS: NONE,
        Action.MANAGE_ORGANISATIONS: NONE,
        Action.VIEW_AUDIT: NONE,
    },
    # Social worker of ``csw``: follows followed_child; sees and edits csw's risk record only.
    # A centre registers any child it refers (whatever the school), but a risk record is not a
    # child to register.
    "social_worker": {
        Action.VIEW_CHILD: "- - X - - - -",
        Action.CREATE_CHILD: "X X X X - - X",
        Action.EDIT_CHILD: "- - X - - - -",
        Action.VIEW_COMMUNITY: "- - X - - - -",
        Action.VIEW_CARE_SITUATION: "- - X - - - -",
        Action.RECORD_CONSENT: "- - X - - - -",
        Action.VIEW_RISK: "- - - - X - -",
        Action.EDIT_RISK: "- - - - X - -",
        Action.MANAGE_USERS: NONE,
        Action.MANAGE_ORGANISATIONS: NONE,
        Action.VIEW_AUDIT: NONE,
    },
    # Social worker of ``other_csw``: follows other_followed_child.
    "other_social_worker": {
        Action.VIEW_CHILD: "- - - X - - -",
        Action.CREATE_CHILD: "X X X X - - X",
        Action.EDIT_CHILD: "- - - X - - -",
        Action.VIEW_COMMUNITY: "- - - X - - -",
        Action.VIEW_CARE_SITUATION: "- - - X - - -",
        Action.RECORD_CONSENT: "- - - X - - -",
        Action.VIEW_RISK: "- - - - - X -",
        Action.EDIT_RISK: "- - - - - X -",
        Action.MANAGE_USERS: NONE,
        Action.MANAGE_ORGANISATIONS: NONE,
        Action.VIEW_AUDIT: NONE,
    },
    # Facilitator leading ``group``, where own_pupil is enrolled: may only look at that child.
    "facilitator": {
        Action.VIEW_CHILD: "X - - - - - -",
        Action.CREATE_CHILD: NONE,
        Action.EDIT_CHILD: NONE,
        Action.VIEW_COMMUNITY: NONE,
        Action.VIEW_CARE_SITUATION: NONE,
        Action.RECORD_CONSENT: NONE,
        Action.VIEW_RISK: NONE,
        Action.EDIT_RISK: NONE,
        Action.MANAGE_USERS: NONE,
        Action.MANAGE_ORGANISATIONS: NONE,
        Action.VIEW_AUDIT: NONE,
    },
    # Facilitator leading no group: nothing.
    "other_facilitator": {action: NONE for action in Action},
}


def _cells() -> list[tuple[str, Action, str, bool]]:
    cells = []
    for role in ROLES:
        for action in Action:
            marks = EXPECTED[role][action].split()
            assert len(marks) == len(RECORDS), (role, action)
            for record, mark in zip(RECORDS, marks, strict=True):
                cells.append((role, action, record, mark == "X"))
    return cells


def test_the_table_covers_every_role_and_action() -> None:
    assert set(EXPECTED) == set(ROLES)
    for role in ROLES:
        assert set(EXPECTED[role]) == set(Action), role


def _record(world: World, name: str) -> object | None:
    return None if name == "None" else getattr(world, name)


@pytest.mark.parametrize(
    ("role", "action", "record", "allowed"),
    [
        pytest.param(
            role,
            action,
            record,
            allowed,
            id=f"{role}-{action.value}-{record}-{'allowed' if allowed else 'refused'}",
        )
        for role, action, record, allowed in _cells()
    ],
)
def test_policy_matrix(db: Session, role: str, action: Action, record: str, allowed: bool) -> None:
    world = build_world(db)
    user = getattr(world, role)
    assert may(db, user, action, _record(world, record)) is allowed


@pytest.mark.parametrize("action", list(Action), ids=lambda action: action.value)
@pytest.mark.parametrize("role", ROLES)
def test_inactive_users_may_do_nothing(db: Session, role: str, action: Action) -> None:
    world = build_world(db)
    user = getattr(world, role)
    user.active = False
    db.flush()
    for record in RECORDS:
        assert may(db, user, action, _record(world, record)) is False, record


# Which children each role sees in lists, written out by hand.
VISIBLE_CHILDREN: dict[str, set[str]] = {
    "admin": {"own_pupil", "other_pupil", "followed_child", "other_followed_child"},
    "coordinator": {"own_pupil", "followed_child"},
    "other_coordinator": {"other_pupil", "other_followed_child"},
    "social_worker": {"followed_child"},
    "other_social_worker": {"other_followed_child"},
    "facilitator": {"own_pupil"},
    "other_facilitator": set(),
}
CHILD_NAMES = ("own_pupil", "other_pupil", "followed_child", "other_followed_child")


def _visible_names(db: Session, world: World, role: str) -> set[str]:
    by_id = {getattr(world, name).id: name for name in CHILD_NAMES}
    summaries, total = list_children(db, getattr(world, role))
    names = {by_id[summary.id] for summary in summaries}
    assert total == len(summaries) == len(names)
    return names


@pytest.mark.parametrize("role", ROLES)
def test_child_scope_lists_exactly_the_expected_children(db: Session, role: str) -> None:
    world = build_world(db)
    user = getattr(world, role)
    assert _visible_names(db, world, role) == VISIBLE_CHILDREN[role]
    assert count_visible_children(db, user) == len(VISIBLE_CHILDREN[role])


@pytest.mark.parametrize("role", ROLES)
def test_list_and_single_record_answers_agree(db: Session, role: str) -> None:
    world = build_world(db)
    user = getattr(world, role)
    listed = _visible_names(db, world, role)
    for name in CHILD_NAMES:
        assert may(db, user, Action.VIEW_CHILD, getattr(world, name)) is (name in listed), name


@pytest.mark.parametrize("role", ROLES)
def test_inactive_users_list_no_children(db: Session, role: str) -> None:
    world = build_world(db)
    user = getattr(world, role)
    user.active = False
    db.flush()
    assert list_children(db, user) == ([], 0)
    assert count_visible_children(db, user) == 0


def test_list_search_stays_within_scope(db: Session) -> None:
    world = build_world(db)
    # "Krasniqi" is other_pupil, at the other school: the coordinator's search must not find it.
    assert list_children(db, world.coordinator, search="krasniqi") == ([], 0)
    summaries, total = list_children(db, world.other_coordinator, search="KRASNIQI")
    assert total == 1 and [s.id for s in summaries] == [world.other_pupil.id]


def _enrolment(db: Session, world: World) -> Enrolment:
    return db.scalar(
        select(Enrolment).where(
            Enrolment.group_id == world.group.id, Enrolment.child_id == world.own_pupil.id
        )
    )


def test_ending_an_enrolment_removes_the_facilitators_view(db: Session) -> None:
    world = build_world(db)
    assert _visible_names(db, world, "facilitator") == {"own_pupil"}

    enrolment = _enrolment(db, world)
    enrolment.status = EnrolmentStatus.ENDED
    db.flush()

    assert _visible_names(db, world, "facilitator") == set()
    assert count_visible_children(db, world.facilitator) == 0
    assert may(db, world.facilitator, Action.VIEW_CHILD, world.own_pupil) is False
    # The school still sees its pupil.
    assert may(db, world.coordinator, Action.VIEW_CHILD, world.own_pupil) is True


def test_a_waiting_enrolment_counts_as_enrolled(db: Session) -> None:
    world = build_world(db)
    db.add(
        Enrolment(
            group_id=world.group.id, child_id=world.other_pupil.id, status=EnrolmentStatus.WAITING
        )
    )
    db.flush()
    assert _visible_names(db, world, "facilitator") == {"own_pupil", "other_pupil"}
    assert may(db, world.facilitator, Action.VIEW_CHILD, world.other_pupil) is True
    assert may(db, world.facilitator, Action.VIEW_COMMUNITY, world.other_pupil) is False


def test_becoming_a_group_leader_grants_the_view(db: Session) -> None:
    world = build_world(db)
    assert _visible_names(db, world, "other_facilitator") == set()
    db.add(GroupLeader(group_id=world.group.id, user_id=world.other_facilitator.id))
    db.flush()
    assert _visible_names(db, world, "other_facilitator") == {"own_pupil"}


def test_closing_a_risk_record_removes_the_social_workers_view(db: Session) -> None:
    world = build_world(db)
    assert _visible_names(db, world, "social_worker") == {"followed_child"}

    world.risk_record.closed_on = date(2025, 6, 1)
    db.flush()

    assert _visible_names(db, world, "social_worker") == set()
    assert count_visible_children(db, world.social_worker) == 0
    for action in (Action.VIEW_CHILD, Action.EDIT_CHILD, Action.VIEW_CARE_SITUATION):
        assert may(db, world.social_worker, action, world.followed_child) is False, action
    # The centre still holds its (closed) record.
    assert may(db, world.social_worker, Action.VIEW_RISK, world.risk_record) is True
    # The other centre is unaffected.
    assert _visible_names(db, world, "other_social_worker") == {"other_followed_child"}


def test_a_second_centre_following_a_child_sees_it_too(db: Session) -> None:
    world = build_world(db)
    db.add(
        RiskRecord(
            child_id=world.followed_child.id,
            csw_id=world.other_csw.id,
            caseworker_id=world.other_social_worker.id,
            categories=["neglected"],
            opened_on=date(2025, 3, 1),
            legal_basis="Family law, art. 1",
        )
    )
    db.flush()
    assert _visible_names(db, world, "other_social_worker") == {
        "followed_child",
        "other_followed_child",
    }
    # ...but not the first centre's record on that child.
    assert may(db, world.other_social_worker, Action.VIEW_RISK, world.risk_record) is False
