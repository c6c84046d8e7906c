"""Children followed by a centre for social work, and the consents that let it see them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.models import (
    Child,
    ChildGuardian,
    Consent,
    ConsentScope,
    Group,
    RiskRecord,
)
from tests.factories.children import make_child
from tests.factories.groups import enrol, make_group
from tests.factories.meetings import (
    TODAY,
    at,
)
from tests.factories.world import World


def guardian_id(db: Session, child: Child) -> int:
    return db.scalar(select(ChildGuardian.guardian_id).where(ChildGuardian.child_id == child.id))


def share_with_csw(db: Session, child: Child) -> Consent:
    consent = Consent(
        child_id=child.id, guardian_id=guardian_id(db, child), scope=ConsentScope.CSW_SHARING
    )
    db.add(consent)
    db.flush()
    return consent


def follow(
    db: Session,
    world: World,
    given: str,
    family: str,
    *,
    csw=None,
    basis: str | None = "consent",
    group: Group | None = None,
    since: datetime | None = None,
) -> Child:
    """A child followed by ``csw`` (default: world.csw) with an open at-risk record, visible to
    the centre through ``basis`` ("consent", "referral" or None: not visible)."""
    csw = csw or world.csw
    child = make_child(db, given, family, world.school, world.municipality)
    db.add(
        RiskRecord(
            child_id=child.id,
            csw_id=csw.id,
            categories=["social_aid"],
            opened_on=date(2025, 1, 10),
            legal_basis="Family law, art. 1",
        )
    )
    db.flush()
    if basis == "consent":
        share_with_csw(db, child)
    if group is not None:
        enrol(
            db,
            group,
            child,
            since or at(TODAY - timedelta(days=120)),
            referred_by=csw.id if basis == "referral" else None,
        )
    elif basis == "referral":
        other = make_group(db, world, f"Referral group {child.id}")
        enrol(db, other, child, at(TODAY - timedelta(days=120)), referred_by=csw.id)
    return child
