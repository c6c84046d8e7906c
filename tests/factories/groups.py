"""Groups, their leaders and enrolments."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from parliament_app.models import (
    Child,
    Community,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    User,
    utcnow,
)
from tests.factories.children import make_child
from tests.factories.world import World


def make_group(db: Session, world: World, name: str, leader: User | None = None) -> Group:
    group = Group(
        kind=GroupKind.WORKSHOP_SERIES,
        name=name,
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
        capacity=300,
    )
    db.add(group)
    db.flush()
    db.add(GroupLeader(group_id=group.id, user_id=(leader or world.facilitator).id))
    db.flush()
    return group


def enrol(
    db: Session,
    group: Group,
    child: Child,
    since: datetime,
    *,
    referred_by: int | None = None,
    status: EnrolmentStatus = EnrolmentStatus.ACTIVE,
) -> Enrolment:
    enrolment = Enrolment(
        group_id=group.id,
        child_id=child.id,
        status=status,
        source=EnrolmentSource.CSW if referred_by else EnrolmentSource.FACILITATOR,
        referred_by_id=referred_by,
        created_at=since,
        queued_at=since,
    )
    db.add(enrolment)
    db.flush()
    return enrolment


def add_group(
    db: Session, world: World, name: str, members: list[tuple[str, Community]], ended: bool = False
) -> Group:
    group = Group(
        kind=GroupKind.SPORT_CLUB,
        name=name,
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
    )
    db.add(group)
    db.flush()
    for index, (family, community) in enumerate(members):
        child = make_child(db, f"C{index}", family, world.school, world.municipality, community)
        db.add(
            Enrolment(
                group_id=group.id,
                child_id=child.id,
                status=EnrolmentStatus.ENDED if ended else EnrolmentStatus.ACTIVE,
                ended_at=utcnow() - timedelta(days=400) if ended else None,
                created_at=datetime(2024, 1, 1, tzinfo=utcnow().tzinfo),
            )
        )
    db.flush()
    return group
