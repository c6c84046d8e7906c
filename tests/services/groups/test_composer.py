"""The roster composer as a service: who may ask, what a proposal reveals, waiting order and
members kept (the pure rules are in tests/unit/test_composer_rules.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.groups.composer import (
    REASON_GROUP_FULL,
    REASON_KEEPS_MIXED,
    SUPPRESSED_LARGE,
    SUPPRESSED_SMALL,
    RosterChild,
    propose_roster,
)
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Community,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Gender,
    Group,
    GroupKind,
    GroupLeader,
    SocioEconomicBand,
)
from tests.factories import World, make_child

# =========================================================================== the cap rule


# =========================================================================== hand cases


# =========================================================================== properties

# =========================================================================== several units


# =========================================================================== suppression, flags


# =========================================================================== the service

TODAY = date(2026, 6, 1)


def _wait(
    db: Session,
    world: World,
    group: Group,
    communities: list[Community | None],
    start: int = 0,
    source: EnrolmentSource = EnrolmentSource.SCHOOL,
) -> list[int]:
    """Children on the group's waiting list in this order (queued a minute apart)."""
    queued = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    for index, community in enumerate(communities, start=start):
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
        child.socio_economic_band = [SocioEconomicBand.LOW, SocioEconomicBand.MIDDLE][index % 2]
        child.residence_area = ["North", "South", "Centre"][index % 3]
        db.add(
            Enrolment(
                group_id=group.id,
                child_id=child.id,
                status=EnrolmentStatus.WAITING,
                source=source,
                queued_at=queued + timedelta(minutes=index),
            )
        )
        ids.append(child.id)
    db.flush()
    return ids


def _club(db: Session, world: World, capacity: int = 10) -> Group:
    group = Group(
        kind=GroupKind.SPORT_CLUB,
        name="Football club",
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
        capacity=capacity,
    )
    db.add(group)
    db.flush()
    db.add(GroupLeader(group_id=group.id, user_id=world.facilitator.id))
    db.flush()
    return group


def test_only_admins_and_the_groups_facilitators_may_ask(db: Session, world: World) -> None:
    group = _club(db, world)
    _wait(db, world, group, [Community.ROMA, Community.SERBIAN])
    for name in ("other_facilitator", "coordinator", "social_worker"):
        with pytest.raises(PermissionDenied):
            propose_roster(db, getattr(world, name), group.id, today=TODAY)
    assert propose_roster(db, world.facilitator, group.id, today=TODAY).group_id == group.id
    assert propose_roster(db, world.admin, group.id, today=TODAY).group_id == group.id
    world.facilitator.active = False
    with pytest.raises(PermissionDenied):
        propose_roster(db, world.facilitator, group.id, today=TODAY)
    # A missing group: not found for an administrator, refused for everyone else.
    with pytest.raises(NotFound):
        propose_roster(db, world.admin, 999_999, today=TODAY)
    with pytest.raises(PermissionDenied):
        propose_roster(db, world.other_facilitator, 999_999, today=TODAY)
    with pytest.raises(ValidationError):
        propose_roster(db, world.admin, group.id, max_share=0, today=TODAY)


def test_the_proposal_reveals_no_individual_background(db: Session, world: World) -> None:
    group = _club(db, world, capacity=10)
    communities = [Community.ROMA] * 9 + [Community.SERBIAN] * 6 + [Community.ALBANIAN] * 2
    waiting = _wait(db, world, group, communities)
    # A child referred by a centre for social work and one it follows.
    referred = _wait(db, world, group, [Community.ROMA], start=50, source=EnrolmentSource.CSW)
    db.add(
        Enrolment(
            group_id=group.id,
            child_id=world.followed_child.id,
            status=EnrolmentStatus.WAITING,
            queued_at=datetime(2025, 12, 31, tzinfo=UTC),
        )
    )
    db.flush()

    proposal = propose_roster(db, world.facilitator, group.id, today=TODAY)

    assert proposal.size == 10 and proposal.cap == 5
    fields = {f.name for f in dataclasses.fields(RosterChild)}
    assert fields == {"id", "given_name", "family_name", "placed", "reason", "beyond_mix"}
    community_values = {c.value for c in Community}
    for entry in proposal.children:
        assert not set(map(str, dataclasses.astuple(entry))) & community_values
        assert entry.reason in (None, REASON_GROUP_FULL, REASON_KEEPS_MIXED)
    assert "referred" not in str(dataclasses.asdict(proposal))
    everyone = {entry.id for entry in proposal.children}
    assert everyone == {*waiting, *referred, world.followed_child.id}
    assert [e.id for e in proposal.children if e.placed] == proposal.placed_ids

    # The caps hold on the real data: at most 5 Roma children and at most 5 referred.
    placed = set(proposal.placed_ids)
    roma = {c for c in everyone if c in waiting[:9] or c in referred}
    roma.add(world.followed_child.id)
    assert len(placed & roma) <= 5
    # Waiting order: the followed child queued first and is placed.
    assert proposal.placed_ids[0] == world.followed_child.id

    # Aggregates only, small cells suppressed: an exact count is 0 or at least 5, and so is the
    # not-placed count of every category shown exactly.
    for table in (proposal.before, proposal.after):
        for counts in table.values():
            for value in counts.values():
                assert value in (SUPPRESSED_SMALL, SUPPRESSED_LARGE) or value == 0 or value >= 5
    for dimension, counts in proposal.before.items():
        hidden = [k for k, v in counts.items() if isinstance(v, str)]
        assert len(hidden) != 1 or len(counts) == 1
        for category, value in counts.items():
            after = proposal.after[dimension][category]
            if isinstance(value, int):
                assert isinstance(after, int)
                assert value - after == 0 or value - after >= 5
    assert proposal.before["community"]["albanian"] == SUPPRESSED_SMALL
    # Reading special-category data for the proposal is audited.
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.READ_SPECIAL, AuditEntry.record_type == "group"
        )
    ).one()
    assert entry.record_id == str(group.id) and entry.detail["purpose"] == "roster_proposal"


def test_members_stay_and_waiting_order_is_kept_when_the_mix_allows(
    db: Session, world: World
) -> None:
    group = world.group  # Parliament A: own_pupil is an active member
    communities = [Community.ROMA, Community.SERBIAN, Community.ALBANIAN, None] * 3
    waiting = _wait(db, world, group, communities)
    proposal = propose_roster(db, world.facilitator, group.id, capacity=6, today=TODAY)
    assert proposal.placed_ids == [world.own_pupil.id, *waiting[:5]]
    assert proposal.empty_places == 0 and proposal.empty_reason is None
    assert {e.reason for e in proposal.children if not e.placed} == {REASON_GROUP_FULL}
    assert set(proposal.flags) == {"before", "after"}
    assert not proposal.flags["after"].ghetto_risk


def test_a_roster_that_cannot_be_mixed_leaves_places_empty_on_request(
    db: Session, world: World
) -> None:
    group = _club(db, world, capacity=12)
    _wait(db, world, group, [Community.ROMA] * 10 + [Community.SERBIAN] * 2)
    proposal = propose_roster(db, world.facilitator, group.id, today=TODAY, fill_free_places=False)
    assert proposal.cap == 6
    assert len(proposal.placed_ids) < 12 and proposal.empty_places == 12 - len(proposal.placed_ids)
    assert proposal.empty_reason == REASON_KEEPS_MIXED
    assert {e.reason for e in proposal.children if not e.placed} == {REASON_KEEPS_MIXED}
    # The pool (before) is mostly Roma against a municipality that is not: flagged.
    assert proposal.flags["before"].risk_groups == ["roma"]


def test_free_places_are_never_refused_to_waiting_children(db: Session, world: World) -> None:
    """A pool that cannot be mixed still fills the club; the extra places are marked."""
    group = _club(db, world, capacity=12)
    _wait(db, world, group, [Community.ROMA] * 10 + [Community.SERBIAN] * 2)
    proposal = propose_roster(db, world.facilitator, group.id, today=TODAY)
    assert len(proposal.placed_ids) == 12 and proposal.empty_places == 0
    assert proposal.filled_beyond_mix == 12 - 8
    assert sum(entry.beyond_mix for entry in proposal.children) == 4
    assert proposal.flags["after"].ghetto_risk or proposal.flags["after"].risk_band
