"""Groups: creating them, editing them, their leaders, and who sees which."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.groups.services import (
    NewGroup,
    active_member_count,
    active_member_counts,
    add_leader,
    create_group,
    get_group,
    list_groups,
    managed_group_leaders,
    remove_leader,
    update_group,
)
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Municipality,
    Organisation,
    OrganisationKind,
    Role,
)
from parliament_app.policy.groups import managed_group_ids, may_manage_group, require_group_manager
from tests.factories import World, make_child, make_user

TABLES = (Group, GroupLeader, AuditEntry)


def _counts(db: Session) -> dict[str, int]:
    return {table.__name__: db.scalar(select(func.count()).select_from(table)) for table in TABLES}


def _new_group(world: World, **changes) -> NewGroup:
    fields = {
        "kind": GroupKind.WORKSHOP_SERIES,
        "name": "Safe online",
        "organisation_id": world.ngo.id,
        "description": "Workshops on safety online",
        "min_age": 10,
        "max_age": 14,
        "capacity": 20,
        "leader_ids": (world.other_facilitator.id,),
    }
    return NewGroup(**{**fields, **changes})


def _enrol(db: Session, world: World, group: Group, count: int, status=EnrolmentStatus.ACTIVE):
    for number in range(count):
        child = make_child(
            db, f"Child{number}", f"{status.value}{number}", world.school, world.municipality
        )
        db.add(Enrolment(group_id=group.id, child_id=child.id, status=status))
    db.flush()


def _other_municipality_group(db: Session, world: World) -> Group:
    elsewhere = Municipality(country_code="RS", name="Elsewhere")
    db.add(elsewhere)
    db.flush()
    ngo = Organisation(kind=OrganisationKind.NGO, name="NGO B", municipality_id=elsewhere.id)
    db.add(ngo)
    db.flush()
    return create_group(
        db,
        world.admin,
        _new_group(world, name="Far away", organisation_id=ngo.id),
    )


# --- creating ---------------------------------------------------------------------------------


def test_administrator_creates_a_group_with_its_leader(db: Session, world: World):
    group = create_group(db, world.admin, _new_group(world))

    assert group.id is not None
    assert group.municipality_id == world.municipality.id  # the organisation's municipality
    assert [leader.user_id for leader in group.leaders] == [world.other_facilitator.id]
    assert may_manage_group(db, world.other_facilitator, group)
    assert not may_manage_group(db, world.facilitator, group)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.record_type == "group"))
    assert entry.action == AuditAction.CREATE and entry.record_id == str(group.id)


def test_facilitator_creates_a_group_for_their_organisation_and_leads_it(db: Session, world: World):
    group = create_group(
        db, world.facilitator, _new_group(world, organisation_id=None, leader_ids=())
    )

    assert group.organisation_id == world.ngo.id
    assert {leader.user_id for leader in group.leaders} == {world.facilitator.id}
    assert group in list_groups(db, world.facilitator)


def test_facilitator_cannot_create_a_group_for_another_organisation(db: Session, world: World):
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        create_group(db, world.facilitator, _new_group(world, organisation_id=world.school.id))
    assert _counts(db) == before


@pytest.mark.parametrize("role", ["coordinator", "social_worker"])
def test_schools_and_social_workers_cannot_create_groups(db: Session, world: World, role: str):
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        create_group(db, getattr(world, role), _new_group(world))
    assert _counts(db) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "Parliament A"}, "name"),  # taken in this municipality
        ({"min_age": 4}, "age_band"),
        ({"max_age": 20}, "age_band"),
        ({"min_age": 15, "max_age": 12}, "age_band"),
        ({"capacity": 0}, "capacity"),
        ({"leader_ids": ()}, "leaders"),  # an administrator must name a leader
        ({"organisation_id": 999_999}, "organisation"),
    ],
)
def test_bad_group_input_is_refused_and_nothing_is_written(
    db: Session, world: World, changes: dict, field: str
):
    before = _counts(db)
    with pytest.raises(ValidationError) as error:
        create_group(db, world.admin, _new_group(world, **changes))
    assert error.value.field == field
    assert error.value.message
    assert _counts(db) == before


@pytest.mark.parametrize("leader", ["coordinator", "social_worker", "admin", "inactive"])
def test_leaders_must_be_active_facilitators(db: Session, world: World, leader: str):
    if leader == "inactive":
        person = make_user(db, "gone", Role.FACILITATOR, world.ngo, active=False)
    else:
        person = getattr(world, leader)
    before = _counts(db)
    with pytest.raises(ValidationError):
        create_group(db, world.admin, _new_group(world, leader_ids=(person.id,)))
    with pytest.raises(ValidationError):
        add_leader(db, world.admin, world.group.id, person.id)
    assert _counts(db) == before


# --- editing ----------------------------------------------------------------------------------


def test_leader_updates_the_group(db: Session, world: World):
    group = update_group(
        db,
        world.facilitator,
        world.group.id,
        name="Parliament A ",
        description="Every week",
        min_age=9,
        max_age=15,
        capacity=25,
    )
    assert (group.name, group.min_age, group.max_age, group.capacity) == (
        "Parliament A",
        9,
        15,
        25,
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.UPDATE))
    assert entry.detail["changed"] == ["capacity", "description", "max_age", "min_age"]


def test_capacity_below_active_members_is_refused(db: Session, world: World):
    _enrol(db, world, world.group, 2)  # with own_pupil: 3 active members
    _enrol(db, world, world.group, 4, EnrolmentStatus.WAITING)  # waiting ones do not count
    before = _counts(db)

    with pytest.raises(ValidationError) as error:
        update_group(
            db,
            world.admin,
            world.group.id,
            name="Parliament A",
            description="",
            min_age=7,
            max_age=18,
            capacity=2,
        )
    assert error.value.field == "capacity"
    assert "3 children are enrolled" in error.value.message
    assert _counts(db) == before
    db.refresh(world.group)
    assert world.group.capacity == 30

    group = update_group(
        db,
        world.admin,
        world.group.id,
        name="Parliament A",
        description="",
        min_age=7,
        max_age=18,
        capacity=3,
    )
    assert group.capacity == 3


def test_renaming_to_a_taken_name_is_refused(db: Session, world: World):
    other = create_group(db, world.admin, _new_group(world))
    with pytest.raises(ValidationError):
        update_group(
            db,
            world.admin,
            other.id,
            name="Parliament A",
            description="",
            min_age=10,
            max_age=14,
            capacity=20,
        )
    db.refresh(other)
    assert other.name == "Safe online"


@pytest.mark.parametrize("role", ["other_facilitator", "coordinator", "social_worker"])
def test_only_leaders_and_administrators_edit_a_group(db: Session, world: World, role: str):
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        update_group(
            db,
            user,
            world.group.id,
            name="Mine now",
            description="",
            min_age=7,
            max_age=18,
            capacity=30,
        )
    with pytest.raises(PermissionDenied):
        add_leader(db, user, world.group.id, world.other_facilitator.id)
    with pytest.raises(PermissionDenied):
        require_group_manager(db, user, world.group)
    db.refresh(world.group)
    assert world.group.name == "Parliament A"


def test_inactive_leader_may_no_longer_manage(db: Session, world: World):
    world.facilitator.active = False
    assert not may_manage_group(db, world.facilitator, world.group)


def test_missing_group_is_not_found(db: Session, world: World):
    with pytest.raises(NotFound):
        update_group(
            db,
            world.admin,
            999_999,
            name="X",
            description="",
            min_age=7,
            max_age=18,
            capacity=30,
        )


# --- leaders ----------------------------------------------------------------------------------


def test_adding_and_removing_leaders_keeps_at_least_one(db: Session, world: World):
    add_leader(db, world.facilitator, world.group.id, world.other_facilitator.id)
    add_leader(db, world.facilitator, world.group.id, world.other_facilitator.id)  # no twin
    assert sorted(
        db.scalars(select(GroupLeader.user_id).where(GroupLeader.group_id == world.group.id))
    ) == sorted([world.facilitator.id, world.other_facilitator.id])
    assert may_manage_group(db, world.other_facilitator, world.group)

    remove_leader(db, world.other_facilitator, world.group.id, world.facilitator.id)
    assert not may_manage_group(db, world.facilitator, world.group)

    before = _counts(db)
    with pytest.raises(ValidationError) as error:
        remove_leader(db, world.admin, world.group.id, world.other_facilitator.id)
    assert "at least one leader" in error.value.message
    assert _counts(db) == before


def test_removing_someone_who_does_not_lead_is_refused(db: Session, world: World):
    with pytest.raises(ValidationError):
        remove_leader(db, world.admin, world.group.id, world.other_facilitator.id)


# --- who sees which ---------------------------------------------------------------------------


def test_who_sees_which_groups(db: Session, world: World):
    club = create_group(
        db, world.admin, _new_group(world, kind=GroupKind.SPORT_CLUB, name="Football")
    )
    closed = create_group(db, world.admin, _new_group(world, name="Closed"))
    closed.active = False
    far = _other_municipality_group(db, world)

    def names(user, kind=None):
        return [group.name for group in list_groups(db, user, kind)]

    assert names(world.admin) == ["Closed", "Far away", "Football", "Parliament A"]
    assert names(world.admin, GroupKind.SPORT_CLUB) == ["Football"]
    assert names(world.facilitator) == ["Parliament A"]
    assert names(world.other_facilitator) == ["Closed", "Far away", "Football"]
    # Schools and centres sign children up: every active group of their municipality.
    for role in ("coordinator", "social_worker", "other_coordinator"):
        assert names(getattr(world, role)) == ["Football", "Parliament A"]

    assert get_group(db, world.coordinator, club.id) is club
    for user, group in (
        (world.coordinator, closed),
        (world.social_worker, far),
        (world.facilitator, club),
    ):
        with pytest.raises(NotFound):
            get_group(db, user, group.id)


def test_inactive_user_sees_no_group(db: Session, world: World):
    world.coordinator.active = False
    assert list_groups(db, world.coordinator) == []


# --- a whole list at once ---------------------------------------------------------------------


def _varied_groups(db: Session, world: World) -> list[Group]:
    """Besides the facilitator's parliament: a group two facilitators lead, a closed one, one
    elsewhere and one whose only leader's account was removed."""
    shared = create_group(db, world.admin, _new_group(world, name="Shared"))
    add_leader(db, world.admin, shared.id, world.facilitator.id)
    closed = create_group(db, world.admin, _new_group(world, name="Closed"))
    closed.active = False
    far = _other_municipality_group(db, world)
    leaderless = create_group(db, world.admin, _new_group(world, name="Leaderless"))
    db.execute(delete(GroupLeader).where(GroupLeader.group_id == leaderless.id))
    _enrol(db, world, shared, 2)
    _enrol(db, world, shared, 1, EnrolmentStatus.WAITING)
    _enrol(db, world, far, 3)
    db.flush()
    return [world.group, shared, closed, far, leaderless]


def _everyone(db: Session, world: World) -> list:
    sleeping = make_user(db, "sleeping_facilitator", Role.FACILITATOR, world.ngo, active=False)
    return [*world.users().values(), sleeping]


def test_managed_groups_agree_with_may_manage_group(db: Session, world: World):
    groups = _varied_groups(db, world)
    for user in _everyone(db, world):
        expected = {group.id for group in groups if may_manage_group(db, user, group)}
        assert managed_group_ids(db, user) == expected, user.username
        assert set(managed_group_leaders(db, user)) == expected, user.username


def test_managed_group_leaders_are_named_by_id(db: Session, world: World):
    shared, closed, far, leaderless = _varied_groups(db, world)[1:]
    facilitator, other = world.facilitator, world.other_facilitator

    assert managed_group_leaders(db, facilitator) == {
        world.group.id: {facilitator.id: "Facilitator"},
        shared.id: {facilitator.id: "Facilitator", other.id: "Other Facilitator"},
    }
    everything = managed_group_leaders(db, world.admin)
    assert everything[leaderless.id] == {}
    assert everything[far.id] == everything[closed.id] == {other.id: "Other Facilitator"}
    assert list(everything[shared.id]) == sorted([facilitator.id, other.id])


def test_active_member_counts_agree_with_active_member_count(db: Session, world: World):
    groups = _varied_groups(db, world)
    for user in _everyone(db, world):
        visible = {group.id for group in list_groups(db, user)}
        expected = {
            group.id: active_member_count(db, group.id)
            for group in groups
            if group.id in visible and active_member_count(db, group.id)
        }
        assert active_member_counts(db, user) == expected, user.username
