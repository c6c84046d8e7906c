"""At-risk records kept by centres for social work. Reading them is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _
from parliament_app.models import AuditAction, Child, RiskCategory, RiskRecord, Role, User
from parliament_app.policy.access import Action, exclude_erased, followed_child_ids, may, require


@dataclass(frozen=True)
class NewRiskRecord:
    categories: tuple[RiskCategory, ...]
    opened_on: date
    legal_basis: str
    note: str = ""


@dataclass(frozen=True)
class FollowedChild:
    child_id: int
    given_name: str
    family_name: str
    birth_date: date
    categories: list[str]
    opened_on: date
    record_id: int


def add_risk_record(session: Session, user: User, child: Child, new: NewRiskRecord) -> RiskRecord:
    check_risk_record(user, new)
    record = RiskRecord(
        child_id=child.id,
        csw_id=user.organisation_id,
        caseworker_id=user.id,
        categories=sorted(category.value for category in new.categories),
        opened_on=new.opened_on,
        legal_basis=new.legal_basis.strip(),
        note=new.note.strip(),
    )
    require(session, user, Action.EDIT_RISK, record)
    session.add(record)
    session.flush()
    audit.record(session, user, AuditAction.CREATE, "risk_record", record.id, child_id=child.id)
    return record


def check_risk_record(user: User, new: NewRiskRecord) -> None:
    """Refuse a record this user may not open or that is incomplete, before anything is written."""
    if user.role != Role.SOCIAL_WORKER:
        raise PermissionDenied(_("At-risk records are opened by a centre for social work."))
    if not new.categories:
        raise ValidationError(_("Please choose at least one risk category."), "categories")
    if not new.legal_basis.strip():
        raise ValidationError(
            _("Please state the legal basis for keeping this record."), "legal_basis"
        )
    if new.opened_on > local_today():
        raise ValidationError(_("The opening date cannot be in the future."), "opened_on")


def open_risk_record(session: Session, user: User, child_id: int, new: NewRiskRecord) -> RiskRecord:
    child = session.get(Child, child_id)
    if child is None or child.erased_at is not None:
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    return add_risk_record(session, user, child, new)


def close_risk_record(session: Session, user: User, record_id: int, closed_on: date) -> RiskRecord:
    record = session.get(RiskRecord, record_id)
    if record is None or not may(session, user, Action.VIEW_RISK, record):
        raise NotFound(_("No such record."))
    require(session, user, Action.EDIT_RISK, record)
    if closed_on < record.opened_on:
        raise ValidationError(_("A record cannot close before it opened."), "closed_on")
    record.closed_on = closed_on
    audit.record(session, user, AuditAction.UPDATE, "risk_record", record.id, changed=["closed_on"])
    return record


def followed_children(session: Session, user: User) -> list[FollowedChild]:
    """A social worker's caseload: their centre's children with open records. Audited."""
    if not (user.active and user.role in (Role.SOCIAL_WORKER, Role.ADMINISTRATOR)):
        raise PermissionDenied(_("You do not have permission to do this."))
    query = (
        select(Child, RiskRecord)
        .join(RiskRecord, RiskRecord.child_id == Child.id)
        .where(RiskRecord.closed_on.is_(None), exclude_erased())
        .order_by(Child.family_name, Child.given_name, RiskRecord.opened_on)
    )
    if user.role == Role.SOCIAL_WORKER:
        query = query.where(RiskRecord.csw_id == user.organisation_id)
    rows = session.execute(query).all()
    audit.record(session, user, AuditAction.READ_SPECIAL, "risk_record", None, caseload=len(rows))
    return [
        FollowedChild(
            child.id,
            child.given_name,
            child.family_name,
            child.birth_date,
            record.categories,
            record.opened_on,
            record.id,
        )
        for child, record in rows
    ]


def count_followed(session: Session, user: User) -> int:
    """How many children the user's centre follows: a count, not special data about anyone.
    Erased children are not counted (they are no longer anyone's to follow)."""
    followed = (
        followed_child_ids(user.organisation_id)
        .join(Child, Child.id == RiskRecord.child_id)
        .where(exclude_erased())
    )
    return session.scalar(select(func.count()).select_from(followed.subquery())) or 0
