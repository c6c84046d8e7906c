"""Who sees a group, who leads it and who may manage it.

"The groups this user leads" is ``led_group_ids`` (a subquery) or ``led_by`` (a predicate on
``Group``): every room asks here rather than writing the join out again."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, select, true
from sqlalchemy.orm import Session

from parliament_app.core.actors import is_active_user
from parliament_app.core.errors import NotFound, PermissionDenied
from parliament_app.core.i18n import _
from parliament_app.models import (
    Child,
    Enrolment,
    EnrolmentSource,
    Group,
    GroupLeader,
    Organisation,
    Role,
    User,
)
from parliament_app.policy.access import Action, may


def group_scope(user: User) -> ColumnElement[bool]:
    """SQL predicate on ``Group``: the groups this user may see."""
    if not is_active_user(user):
        return false()
    match user.role:
        case Role.ADMINISTRATOR:
            return true()
        case Role.FACILITATOR:
            return led_by(user)
        case Role.SCHOOL_COORDINATOR | Role.SOCIAL_WORKER:
            return and_(Group.active.is_(True), _in_own_municipality(user))
    return false()


def enrolment_group_scope(user: User) -> ColumnElement[bool]:
    """SQL predicate on ``Group``: the groups a user may name when enrolling a child. Schools
    and centres for social work know every group of their municipality, active or not (enrolling
    in an inactive one is then refused with a reason); administrators and facilitators any group
    (a facilitator's right to enrol is checked as the group's leader)."""
    if not is_active_user(user):
        return false()
    if user.role in (Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER):
        return _in_own_municipality(user)
    return true()


def _in_own_municipality(user: User) -> ColumnElement[bool]:
    municipality = (
        select(Organisation.municipality_id)
        .where(Organisation.id == user.organisation_id)
        .scalar_subquery()
    )
    return Group.municipality_id == municipality


def is_leader(session: Session, group_id: int, user_id: int) -> bool:
    return session.get(GroupLeader, (group_id, user_id)) is not None


def may_manage_group(session: Session, user: User, group: Group) -> bool:
    """Administrators, and active facilitators who lead the group."""
    if not is_active_user(user):
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return (
        user.role == Role.FACILITATOR
        and group.id is not None
        and is_leader(session, group.id, user.id)
    )


def managed_group_scope(user: User) -> ColumnElement[bool]:
    """SQL predicate on ``Group``: the groups this user may manage, ``may_manage_group`` for a
    whole list at once."""
    if not is_active_user(user):
        return false()
    match user.role:
        case Role.ADMINISTRATOR:
            return true()
        case Role.FACILITATOR:
            return led_by(user)
    return false()


def led_group_ids(user: User) -> Select[tuple[int]]:
    """The ids of the groups this user leads, as a subquery."""
    return select(GroupLeader.group_id).where(GroupLeader.user_id == user.id)


def led_by(user: User) -> ColumnElement[bool]:
    """SQL predicate on ``Group``: the groups this user leads."""
    return Group.id.in_(led_group_ids(user))


def managed_group_ids(session: Session, user: User) -> set[int]:
    """The ids of every group this user may manage, in one query."""
    return set(session.scalars(select(Group.id).where(managed_group_scope(user))))


def require_group_manager(session: Session, user: User, group: Group) -> None:
    if not may_manage_group(session, user, group):
        raise PermissionDenied(_("Only the group's leaders and administrators may do this."))


def require_planner(user: User) -> None:
    """Planning (specialists, interest demand) is for administrators and facilitators."""
    if not is_active_user(user) or user.role not in (Role.ADMINISTRATOR, Role.FACILITATOR):
        raise PermissionDenied(_("You do not have permission to do this."))


def require_leader_of(session: Session, user: User, group_id: int) -> None:
    """``require_group_manager`` for a group known by id only (checked on its leaders)."""
    if is_active_user(user) and (
        user.role == Role.ADMINISTRATOR
        or (user.role == Role.FACILITATOR and is_leader(session, group_id, user.id))
    ):
        return
    raise PermissionDenied(_("You do not have permission to do this."))


def enrolment_source(
    session: Session, user: User, group: Group, child: Child
) -> tuple[EnrolmentSource, int | None]:
    """How this user may enrol this (visible) child: the source and the referring centre."""
    match user.role:
        case Role.ADMINISTRATOR:
            return EnrolmentSource.FACILITATOR, None
        case Role.FACILITATOR if may_manage_group(session, user, group):
            return EnrolmentSource.FACILITATOR, None
        case Role.SCHOOL_COORDINATOR if child.school_id == user.organisation_id:
            return EnrolmentSource.SCHOOL, None
        case Role.SOCIAL_WORKER:
            # Visible to a social worker means followed by their centre.
            return EnrolmentSource.CSW, user.organisation_id
    raise PermissionDenied(_("You do not have permission to do this."))


def require_enrolment_access(
    session: Session, user: User, enrolment: Enrolment, group: Group | None
) -> None:
    """Managers; a school for its own pupils; a centre for the children it referred and follows."""
    if group is not None and may_manage_group(session, user, group):
        return
    child = session.get(Child, enrolment.child_id)
    if child is not None and is_active_user(user):
        if user.role == Role.SCHOOL_COORDINATOR and child.school_id == user.organisation_id:
            return
        if (
            user.role == Role.SOCIAL_WORKER
            and enrolment.referred_by_id == user.organisation_id
            and may(session, user, Action.VIEW_CHILD, child)
        ):
            return
    if child is not None and may(session, user, Action.VIEW_CHILD, child):
        raise PermissionDenied(_("You do not have permission to do this."))
    raise NotFound(_("This enrolment does not exist or is not visible to you."))
