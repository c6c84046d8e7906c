"""The one policy: may this user do this action on this record?

Every service asks here; pages only hide what a service would refuse anyway. Which children a
user sees is one SQL predicate (``child_scope``), used both to filter lists and to answer ``may``
for a single child, so the two can never disagree. No role sees an erased child
(``exclude_erased``: ``parliament_app.children.privacy.erase_child``) in a list or lookup;
aggregate counts, which do not go through ``child_scope``, still count them.

- administrators: everything (their reads of special-category data are audited like anyone's);
- school coordinators: their own school's pupils, community included, never care situation or risk;
- social workers: the children their centre for social work follows (an open at-risk record),
  with risk records and care situation; nothing of other centres;
- facilitators: the children enrolled in groups they lead, never community, care situation or risk.

Participation (attendance, involvement, quizzes, alerts) is gated further for centres for social
work (``participation_visible_to_csw``): a centre sees a followed child's participation only when it
referred the child (an enrolment it made, or it registered the child with its at-risk record) or a
guardian's consent to sharing with the centre is live. The record itself (``child_scope``) stays
visible on the at-risk record alone: that is the centre's own legal basis, not the programme's data.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from parliament_app.core.actors import is_active_user
from parliament_app.core.errors import PermissionDenied
from parliament_app.core.i18n import _
from parliament_app.models import (
    Child,
    ChildGuardian,
    Consent,
    ConsentScope,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    GroupLeader,
    Organisation,
    OrganisationKind,
    RiskRecord,
    Role,
    User,
)


class Action(enum.StrEnum):
    VIEW_CHILD = "child.view"
    CREATE_CHILD = "child.create"
    EDIT_CHILD = "child.edit"
    VIEW_COMMUNITY = "child.view_community"
    VIEW_CARE_SITUATION = "child.view_care_situation"
    RECORD_CONSENT = "consent.record"
    VIEW_RISK = "risk.view"
    EDIT_RISK = "risk.edit"
    MANAGE_USERS = "user.manage"
    MANAGE_ORGANISATIONS = "organisation.manage"
    VIEW_AUDIT = "audit.view"


# For each action on a child: the roles (besides administrators) that hold it over a child in
# their scope. Care situation belongs to social work only.
_CHILD_ACTIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_CHILD: frozenset({Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER, Role.FACILITATOR}),
    Action.EDIT_CHILD: frozenset({Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER}),
    Action.RECORD_CONSENT: frozenset({Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER}),
    Action.VIEW_COMMUNITY: frozenset({Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER}),
    Action.VIEW_CARE_SITUATION: frozenset({Role.SOCIAL_WORKER}),
}
_ADMIN_ONLY = frozenset({Action.MANAGE_USERS, Action.MANAGE_ORGANISATIONS, Action.VIEW_AUDIT})
# The organisation kind each role must belong to.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.SCHOOL_COORDINATOR: frozenset({OrganisationKind.SCHOOL}),
    Role.SOCIAL_WORKER: frozenset({OrganisationKind.CSW}),
    Role.FACILITATOR: frozenset(
        {OrganisationKind.NGO, OrganisationKind.MUNICIPALITY, OrganisationKind.SCHOOL}
    ),
}


def exclude_erased() -> ColumnElement[bool]:
    """SQL predicate on ``Child``: leave erased children out of a list."""
    return Child.erased_at.is_(None)


def child_scope(user: User) -> ColumnElement[bool]:
    """SQL predicate on ``Child``: the children this user may see; never an erased child."""
    return and_(exclude_erased(), _role_scope(user))


def _role_scope(user: User) -> ColumnElement[bool]:
    """The children this user's role reaches, erased or not (``child_scope`` adds that)."""
    if not is_active_user(user):
        return false()
    match user.role:
        case Role.ADMINISTRATOR:
            return true()
        case Role.SCHOOL_COORDINATOR:
            return Child.school_id == user.organisation_id
        case Role.SOCIAL_WORKER:
            return Child.id.in_(followed_child_ids(user.organisation_id))
        case Role.FACILITATOR:
            led = (
                select(Enrolment.child_id)
                .join(GroupLeader, GroupLeader.group_id == Enrolment.group_id)
                .where(
                    GroupLeader.user_id == user.id,
                    Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING)),
                )
            )
            return Child.id.in_(led)
    return false()


def followed_child_ids(csw_id: int | None):
    """Children a centre for social work follows: those with an open at-risk record of its own."""
    return select(RiskRecord.child_id).where(
        RiskRecord.csw_id == csw_id, RiskRecord.closed_on.is_(None)
    )


def referred_by_csw(csw_id: int | None) -> ColumnElement[bool]:
    """SQL predicate on ``Child``: the centre referred the child, by enrolling it (an enrolment of
    source ``csw`` referred by this centre, open or ended) or by registering it (the child was
    created by one of the centre's social workers, the at-risk record being the referral)."""
    enrolled_by_centre = select(Enrolment.child_id).where(
        Enrolment.source == EnrolmentSource.CSW, Enrolment.referred_by_id == csw_id
    )
    centre_workers = select(User.id).where(
        User.role == Role.SOCIAL_WORKER, User.organisation_id == csw_id
    )
    return or_(Child.id.in_(enrolled_by_centre), Child.created_by_id.in_(centre_workers))


def sharing_consented() -> ColumnElement[bool]:
    """SQL predicate on ``Child``: a linked guardian's consent to sharing participation with the
    centre for social work is live.

    A correlated EXISTS, not ``IN (all live consents)``: a caseload of 200 then costs 200 index
    lookups rather than a pass over every consent of the programme (PostgreSQL misjudged the
    latter and scanned all children: 58 ms for a caseload of 200 on the national dataset).
    """
    return (
        select(Consent.id)
        .join(
            ChildGuardian,
            and_(
                ChildGuardian.child_id == Consent.child_id,
                ChildGuardian.guardian_id == Consent.guardian_id,
            ),
        )
        .where(
            Consent.child_id == Child.id,
            Consent.scope == ConsentScope.CSW_SHARING,
            Consent.withdrawn_at.is_(None),
        )
        .exists()
    )


def participation_visible_to_csw(csw_id: int | None) -> ColumnElement[bool]:
    """SQL predicate on ``Child``: the centre may see the child's participation.

    Followed by the centre (an open at-risk record of its own) AND either referred by it
    (``referred_by_csw``) or covered by a live sharing consent (``sharing_consented``).
    """
    if csw_id is None:
        return false()
    return and_(
        Child.id.in_(followed_child_ids(csw_id)),
        or_(referred_by_csw(csw_id), sharing_consented()),
    )


def participation_basis(csw_id: int | None) -> ColumnElement[str]:
    """SQL expression on ``Child``: why the centre may see the participation, recorded with every
    read: ``"referral"`` or ``"consent"`` (``None`` when it may not)."""
    return case(
        (~participation_visible_to_csw(csw_id), None),
        (referred_by_csw(csw_id), "referral"),
        else_="consent",
    )


def may(session: Session, user: User, action: Action, record: object | None = None) -> bool:
    if not is_active_user(user):  # None, the operator and a deactivated account: no
        return False
    if isinstance(record, Child) and record.erased_at is not None:
        return False  # an erased child's record is anonymous counts only, for everyone
    if user.role == Role.ADMINISTRATOR:
        return True
    if action in _ADMIN_ONLY:
        return False
    if action == Action.CREATE_CHILD:
        return _may_create_child(session, user, record)
    if action in (Action.VIEW_RISK, Action.EDIT_RISK):
        return (
            user.role == Role.SOCIAL_WORKER
            and isinstance(record, RiskRecord)
            and record.csw_id == user.organisation_id
        )
    if action in _CHILD_ACTIONS and isinstance(record, Child):
        return user.role in _CHILD_ACTIONS[action] and _in_scope(session, user, record)
    return False


def require(session: Session, user: User, action: Action, record: object | None = None) -> None:
    if not may(session, user, action, record):
        raise PermissionDenied(_("You do not have permission to do this."))


def _in_scope(session: Session, user: User, child: Child) -> bool:
    if child.id is None:  # not saved yet: only its school can place it in scope
        return user.role == Role.SCHOOL_COORDINATOR and child.school_id == user.organisation_id
    return bool(
        session.scalar(select(exists().where(and_(Child.id == child.id, child_scope(user)))))
    )


def _may_create_child(session: Session, user: User, child: object | None) -> bool:
    """Schools register their own pupils; centres for social work register children they refer."""
    if child is not None and not isinstance(child, Child):
        return False  # fail closed: only a child (or no record at all) can be registered
    if user.role == Role.SCHOOL_COORDINATOR:
        return child is None or child.school_id == user.organisation_id
    if user.role == Role.SOCIAL_WORKER:
        organisation = session.get(Organisation, user.organisation_id)
        return organisation is not None and organisation.kind == OrganisationKind.CSW
    return False


def require_data_protection_administrator(user: User) -> None:
    if not (is_active_user(user) and user.role == Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only administrators handle data-protection requests."))
