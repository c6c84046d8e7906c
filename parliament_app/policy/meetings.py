"""Who sees a meeting and who may run it: the calendar's scope, taking attendance, scanning and
watching self check-ins, issuing badges."""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from parliament_app.core.actors import Actor, is_active_user, is_operator
from parliament_app.core.errors import PermissionDenied
from parliament_app.core.i18n import (
    _,
)
from parliament_app.models import (
    Child,
    Consent,
    ConsentScope,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupLeader,
    Role,
    User,
)
from parliament_app.models.meetings import (
    Occurrence,
    OccurrenceStaff,
)
from parliament_app.policy.access import child_scope, followed_child_ids
from parliament_app.policy.groups import (
    group_scope,
    led_group_ids,
    may_manage_group,
)


def occurrence_scope(user: User) -> ColumnElement[bool]:
    """SQL predicate on ``Occurrence`` (joined with ``Group``): what this user's calendar shows:
    the sessions of the groups they see, and those they help run."""
    if not is_active_user(user):
        return false()
    staffed = select(OccurrenceStaff.occurrence_id).where(OccurrenceStaff.user_id == user.id)
    return or_(group_scope(user), Occurrence.id.in_(staffed))


def calendar_scope(user: User) -> ColumnElement[bool]:
    """SQL predicate on ``Occurrence``: the occurrences this user's calendar shows."""
    if not is_active_user(user):
        return false()
    if user.role == Role.ADMINISTRATOR:
        return true()
    if user.role == Role.FACILITATOR:
        staffed = select(OccurrenceStaff.occurrence_id).where(OccurrenceStaff.user_id == user.id)
        led = led_group_ids(user)
        return or_(Occurrence.id.in_(staffed), Occurrence.group_id.in_(led))
    if user.organisation_id is None:
        return false()
    if user.role == Role.SCHOOL_COORDINATOR:
        return Occurrence.group_id.in_(groups_with_pupils_of(user.organisation_id))
    if user.role == Role.SOCIAL_WORKER:
        followed = (
            select(Enrolment.group_id)
            .where(
                Enrolment.child_id.in_(followed_child_ids(user.organisation_id)),
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
            .distinct()
        )
        return Occurrence.group_id.in_(followed)
    return false()


def may_take_attendance(session: Session, user: User, occurrence: Occurrence) -> bool:
    """Active administrators, and active facilitators who lead the group or staff the
    occurrence."""
    if not is_active_user(user):
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    if user.role != Role.FACILITATOR:
        return False
    if may_manage_group(session, user, occurrence.group):
        return True
    return session.get(OccurrenceStaff, (occurrence.id, user.id)) is not None


def require_attendance_taker(session: Session, user: User, occurrence: Occurrence) -> None:
    if not may_take_attendance(session, user, occurrence):
        raise PermissionDenied(
            _("Only the session's facilitators and administrators may take attendance.")
        )


def may_check_in(session: Session, user: Actor, occurrence: Occurrence) -> bool:
    """Who may scan badges and watch self check-ins: the operator, administrators,
    the group's leaders, and the facilitators staffing this occurrence."""
    return is_operator(user) or may_take_attendance(session, user, occurrence)


def may_issue_badge(session: Session, user: Actor, child_id: int) -> bool:
    """The operator, administrators, and facilitators leading a group the child is
    actively enrolled in."""
    if is_operator(user):
        return True
    if not is_active_user(user):
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    if user.role != Role.FACILITATOR:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    Enrolment.child_id == child_id,
                    Enrolment.status == EnrolmentStatus.ACTIVE,
                    GroupLeader.group_id == Enrolment.group_id,
                    GroupLeader.user_id == user.id,
                )
            )
        )
    )


def groups_with_pupils_of(school_id: int) -> Select[tuple[int]]:
    """The groups a school's pupils are actively enrolled in, as a subquery."""
    return (
        select(Enrolment.group_id)
        .join(Child, Child.id == Enrolment.child_id)
        .where(Child.school_id == school_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .distinct()
    )


def family_timeline_child_scope(user: User) -> ColumnElement[bool]:
    """The guardian's children this user may see in a timeline."""
    scope = child_scope(user)
    if user.role == Role.SOCIAL_WORKER:
        shared = select(Consent.child_id).where(
            Consent.scope == ConsentScope.CSW_SHARING, Consent.withdrawn_at.is_(None)
        )
        scope = and_(scope, Child.id.in_(shared))
    return scope


def family_timeline_occurrence_scope(user: User) -> ColumnElement[bool]:
    if user.role != Role.FACILITATOR:
        return true()
    led = led_group_ids(user)
    staffed = select(OccurrenceStaff.occurrence_id).where(OccurrenceStaff.user_id == user.id)
    return or_(Occurrence.group_id.in_(led), Occurrence.id.in_(staffed))


def involvement_indicator_scope(user: Actor) -> ColumnElement[bool]:
    if is_operator(user):
        return true()
    if not is_active_user(user):
        raise PermissionDenied(_("You do not have permission to do this."))
    match user.role:
        case Role.ADMINISTRATOR:
            return true()
        case Role.FACILITATOR:
            led = led_group_ids(user)
            return Enrolment.group_id.in_(led)
        case Role.SCHOOL_COORDINATOR:
            return Child.school_id == user.organisation_id
    raise PermissionDenied(_("You do not have permission to do this."))


def attendance_export_scope(session: Session, user: Actor, group_id: int | None) -> ColumnElement:
    if is_operator(user):
        return true()
    if not is_active_user(user):
        raise PermissionDenied(_("You do not have permission to do this."))
    if user.role == Role.ADMINISTRATOR:
        return true()
    if user.role != Role.FACILITATOR:
        raise PermissionDenied(_("You do not have permission to do this."))
    led = led_group_ids(user)
    if group_id is not None and session.get(GroupLeader, (group_id, user.id)) is None:
        raise PermissionDenied(_("Only the group's leaders and administrators may do this."))
    return Group.id.in_(led)
