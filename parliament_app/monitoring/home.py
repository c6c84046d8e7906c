"""The figures on each role's home page."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.children.risk import count_followed
from parliament_app.core.i18n import N_
from parliament_app.models import (
    Child,
    Consent,
    ConsentScope,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupLeader,
    Municipality,
    Organisation,
    Role,
    User,
)
from parliament_app.policy.access import child_scope


def home_figures(session: Session, user: User) -> list[tuple[str, int]]:
    """(label marked for translation, number) pairs for this user's home page. The children
    counted are those the user may see: erased children are left out (``child_scope``)."""
    visible = child_scope(user)
    children = _count(session, select(Child.id).where(visible))
    enrolled = _count(
        session,
        select(Enrolment.child_id)
        .join(Child)
        .where(visible, Enrolment.status == EnrolmentStatus.ACTIVE)
        .distinct(),
    )
    match user.role:
        case Role.ADMINISTRATOR:
            return [
                (N_("Children"), children),
                (N_("Enrolled in a group"), enrolled),
                (N_("Organisations"), _count(session, select(Organisation.id))),
                (N_("Municipalities"), _count(session, select(Municipality.id))),
                (N_("Active users"), _count(session, select(User.id).where(User.active))),
            ]
        case Role.SCHOOL_COORDINATOR:
            consented = _count(
                session,
                select(Consent.child_id)
                .join(Child)
                .where(
                    visible,
                    Consent.scope == ConsentScope.PARTICIPATION,
                    Consent.withdrawn_at.is_(None),
                )
                .distinct(),
            )
            return [
                (N_("Pupils signed up"), children),
                (N_("With participation consent"), consented),
                (N_("Enrolled in a group"), enrolled),
            ]
        case Role.SOCIAL_WORKER:
            followed = count_followed(session, user)
            return [
                (N_("Children your centre follows"), followed),
                (N_("Of them enrolled in a group"), enrolled),
            ]
        case Role.FACILITATOR:
            groups = _count(
                session,
                select(GroupLeader.group_id)
                .join(Group)
                .where(GroupLeader.user_id == user.id, Group.active),
            )
            return [(N_("Groups you lead"), groups), (N_("Children in your groups"), children)]
    return []


def led_groups(session: Session, user: User) -> list[tuple[Group, int, int]]:
    """The groups a facilitator leads, with active members and the waiting list."""
    active = func.count(Enrolment.id).filter(Enrolment.status == EnrolmentStatus.ACTIVE)
    waiting = func.count(Enrolment.id).filter(Enrolment.status == EnrolmentStatus.WAITING)
    rows = session.execute(
        select(Group, active, waiting)
        .join(GroupLeader, GroupLeader.group_id == Group.id)
        .outerjoin(Enrolment, Enrolment.group_id == Group.id)
        .where(GroupLeader.user_id == user.id, Group.active)
        .group_by(Group.id)
        .order_by(Group.name)
    ).all()
    return [(group, int(members), int(queued)) for group, members, queued in rows]


def _count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0
