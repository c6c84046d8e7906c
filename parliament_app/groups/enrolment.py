"""Enrolment: signing children up to groups, the waiting list and each enrolment's history.

Schools sign up their own pupils, centres for social work refer the children they follow, and a
group's facilitators (or an administrator) invite children. A group holds ``capacity`` active
children; the rest wait in order (``queued_at``, then id) and move up, first come first served,
when a place frees.

Every change of places in a group happens with the group's row locked (``SELECT ... FOR UPDATE``
on PostgreSQL; on SQLite every transaction already begins with ``BEGIN IMMEDIATE``), and rows are
read again after the lock is taken. Two cancellations at the same moment therefore promote two
different children, in order, and a group never holds more active children than its capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.actors import account_id
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import N_, _, ngettext
from parliament_app.models import (
    AuditAction,
    Child,
    ChildGuardian,
    Consent,
    ConsentScope,
    EndReason,
    Enrolment,
    EnrolmentEvent,
    EnrolmentSource,
    EnrolmentStatus,
    Group,
    Role,
    User,
    utcnow,
)
from parliament_app.policy.access import Action, exclude_erased, may, require
from parliament_app.policy.groups import (
    enrolment_group_scope,
    enrolment_source,
    may_manage_group,
    require_enrolment_access,
    require_group_manager,
)

OPEN_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING)

# What the ``note`` of a history row means; translate with ``_()`` where shown.
NOTE_ENROLLED = "enrolled"
NOTE_REOPENED = "reopened"
NOTE_PROMOTED = "promoted"
EVENT_NOTE_LABELS: dict[str, str] = {
    NOTE_ENROLLED: N_("Enrolled"),
    NOTE_REOPENED: N_("Enrolled again"),
    NOTE_PROMOTED: N_("Moved up from the waiting list"),
    EndReason.CANCELLED.value: N_("Enrolment cancelled"),
    EndReason.CONSENT_WITHDRAWN.value: N_("Ended: consent to participation withdrawn"),
    EndReason.REMOVED.value: N_("Removed from the group"),
}


@dataclass(frozen=True)
class RosterEntry:
    enrolment_id: int
    child_id: int
    given_name: str
    family_name: str
    status: EnrolmentStatus
    source: EnrolmentSource
    # 1 for the first child on the waiting list (of the whole group); None unless waiting.
    queue_position: int | None


@dataclass(frozen=True)
class EnrolmentEventView:
    id: int
    status: EnrolmentStatus
    at: datetime
    by_user_id: int | None
    by_name: str | None
    note: str  # a code: see EVENT_NOTE_LABELS
    note_label: str  # the code's translated meaning ("" for an unknown code)


def enrol(session: Session, user: User, group_id: int, child_id: int) -> Enrolment:
    """Sign a child up to a group: an active place if one is free, else the waiting list.

    A previously ended enrolment of the same child in the same group is opened again (at the end
    of the waiting list when the group is full).
    """
    group = _group_for(session, user, group_id)
    if user.role == Role.FACILITATOR:
        require_group_manager(session, user, group)
    child = _visible_child(session, user, child_id)
    source, referred_by_id = enrolment_source(session, user, group, child)

    group = _lock_group(session, group_id)  # from here on, this group's places are ours alone
    if not group.active:
        raise ValidationError(_("This group is no longer active and takes no enrolments."), "group")
    if not has_participation_consent(session, child.id):
        raise ValidationError(
            _("A guardian's consent to participation is needed to enrol a child."), "consent"
        )
    age = _age(child.birth_date, local_today())
    if not group.min_age <= age <= group.max_age:
        raise ValidationError(
            _("The child is {age}; this group is for children aged {low} to {high}.").format(
                age=age, low=group.min_age, high=group.max_age
            ),
            "child",
        )
    enrolment = session.scalar(
        select(Enrolment)
        .where(Enrolment.group_id == group.id, Enrolment.child_id == child.id)
        .execution_options(populate_existing=True)
    )
    if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
        raise ValidationError(_("The child is already enrolled in this group."), "child")
    if enrolment is not None and enrolment.status == EnrolmentStatus.WAITING:
        raise ValidationError(_("The child is already on this group's waiting list."), "child")

    # Free places go to those already waiting before anyone new.
    _promote(session, group, user)
    now = utcnow()
    status = (
        EnrolmentStatus.ACTIVE
        if _active_count(session, group.id) < group.capacity
        else EnrolmentStatus.WAITING
    )
    reopened = enrolment is not None
    if enrolment is None:
        enrolment = Enrolment(group_id=group.id, child_id=child.id, created_at=now)
        session.add(enrolment)
    enrolment.status = status
    enrolment.source = source
    enrolment.referred_by_id = referred_by_id
    enrolment.queued_at = now
    enrolment.ended_at = None
    enrolment.end_reason = None
    session.flush()
    _event(session, user, enrolment, NOTE_REOPENED if reopened else NOTE_ENROLLED, now)
    audit.record(
        session,
        user,
        AuditAction.UPDATE if reopened else AuditAction.CREATE,
        "enrolment",
        enrolment.id,
        group_id=group.id,
        child_id=child.id,
        status=status.value,
        source=source.value,
        reopened=reopened,
    )
    return enrolment


def cancel(
    session: Session, user: User, enrolment_id: int, reason: EndReason = EndReason.CANCELLED
) -> Enrolment:
    """End an enrolment; if it held a place, the first child waiting takes it.

    The group's managers may end any enrolment; a school its own pupils' and a centre for social
    work the ones it referred. Only managers remove a child (``EndReason.REMOVED``).
    """
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound(_("This enrolment does not exist or is not visible to you."))
    group = session.get(Group, enrolment.group_id)
    require_enrolment_access(session, user, enrolment, group)
    if reason == EndReason.REMOVED:
        require_group_manager(session, user, group)

    group = _lock_group(session, enrolment.group_id)
    enrolment = session.get(Enrolment, enrolment_id, populate_existing=True)  # read again
    if enrolment is None:
        raise NotFound(_("This enrolment does not exist or is not visible to you."))
    if enrolment.status == EnrolmentStatus.ENDED:
        raise ValidationError(_("This enrolment has already ended."), "enrolment")
    held_place = enrolment.status == EnrolmentStatus.ACTIVE
    _end(session, user, enrolment, reason)
    if held_place:
        _promote(session, group, user)
    return enrolment


def promote_waiting(session: Session, group_id: int, user: User | None = None) -> list[Enrolment]:
    """Fill the group's free places from its waiting list, in order (after a capacity increase).

    Callers check who may change the group; ``user`` is recorded in the history when given.
    """
    group = _lock_group(session, group_id)
    return _promote(session, group, user)


def accept_roster(
    session: Session, user: User, group_id: int, child_ids: list[int]
) -> list[Enrolment]:
    """Give free places to these waiting children, even out of waiting order: the facilitator
    accepted a mixed roster (the roster composer's proposal, or their edit of it)."""
    group = _lock_group(session, group_id)
    require_group_manager(session, user, group)
    chosen = session.scalars(
        select(Enrolment)
        .where(
            Enrolment.group_id == group.id,
            Enrolment.child_id.in_(child_ids),
            Enrolment.status == EnrolmentStatus.WAITING,
        )
        .order_by(Enrolment.queued_at, Enrolment.id)
        .execution_options(populate_existing=True)
    ).all()
    if len(chosen) != len(set(child_ids)):
        raise ValidationError(
            _("The group's roster changed meanwhile; nothing was changed. Try again.")
        )
    free = group.capacity - _active_count(session, group.id)
    if len(chosen) > free:
        raise ValidationError(
            ngettext(
                "The group has {count} free place: choose fewer children from the waiting "
                "list, or raise the capacity on the Groups page first.",
                "The group has {count} free places: choose fewer children from the waiting "
                "list, or raise the capacity on the Groups page first.",
                max(free, 0),
            ).format(count=max(free, 0)),
            "capacity",
        )
    return _activate(session, user, group, chosen, accepted_roster=True)


def end_for_withdrawn_consent(session: Session, user: User, child_id: int) -> list[Enrolment]:
    """End every active or waiting enrolment of a child whose participation consent is gone.

    Places freed this way go to the children waiting, in order. Refused while a guardian's
    consent to participation is still live.
    """
    child = _visible_child(session, user, child_id)
    require(session, user, Action.RECORD_CONSENT, child)
    if has_participation_consent(session, child.id):
        raise ValidationError(
            _("A guardian's consent to participation is still in force."), "consent"
        )
    group_ids = sorted(
        set(
            session.scalars(
                select(Enrolment.group_id).where(
                    Enrolment.child_id == child.id, Enrolment.status.in_(OPEN_STATUSES)
                )
            )
        )
    )
    ended: list[Enrolment] = []
    for group_id in group_ids:  # locked in id order, so two such calls cannot deadlock
        group = _lock_group(session, group_id)
        enrolment = session.scalar(
            select(Enrolment)
            .where(Enrolment.group_id == group_id, Enrolment.child_id == child.id)
            .execution_options(populate_existing=True)
        )
        if enrolment is None or enrolment.status == EnrolmentStatus.ENDED:
            continue
        held_place = enrolment.status == EnrolmentStatus.ACTIVE
        _end(session, user, enrolment, EndReason.CONSENT_WITHDRAWN)
        if held_place:
            _promote(session, group, user)
        ended.append(enrolment)
    return ended


def roster(
    session: Session, user: User, group_id: int, include_ended: bool = False
) -> list[RosterEntry]:
    """The group's children: active ones by name, then the waiting list in order.

    Managers see everyone; a school coordinator sees only their own pupils (with their places on
    the whole waiting list). Erased children are left out (their ended enrolments stay, anonymous).
    """
    group = _group_for(session, user, group_id)
    condition = Enrolment.group_id == group.id
    if not _manages(session, user, group):
        if not (user.active and user.role == Role.SCHOOL_COORDINATOR):
            raise PermissionDenied(_("You do not have permission to do this."))
        condition = condition & (Child.school_id == user.organisation_id)
    statuses = (*OPEN_STATUSES, EnrolmentStatus.ENDED) if include_ended else OPEN_STATUSES
    rows = session.execute(
        select(Enrolment, Child)
        .join(Child, Child.id == Enrolment.child_id)
        .where(condition, Enrolment.status.in_(statuses), exclude_erased())
    ).all()
    positions = {
        enrolment_id: position
        for position, enrolment_id in enumerate(_waiting_ids(session, group.id), start=1)
    }
    entries = [
        RosterEntry(
            enrolment.id,
            child.id,
            child.given_name,
            child.family_name,
            enrolment.status,
            enrolment.source,
            positions.get(enrolment.id) if enrolment.status == EnrolmentStatus.WAITING else None,
        )
        for enrolment, child in rows
    ]
    order = {EnrolmentStatus.ACTIVE: 0, EnrolmentStatus.WAITING: 1, EnrolmentStatus.ENDED: 2}
    return sorted(
        entries,
        key=lambda entry: (
            order[entry.status],
            entry.queue_position or 0,
            entry.family_name.casefold(),
            entry.given_name.casefold(),
            entry.enrolment_id,
        ),
    )


def history(session: Session, user: User, enrolment_id: int) -> list[EnrolmentEventView]:
    """An enrolment's status changes, oldest first: to what, when and by whom."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound(_("This enrolment does not exist or is not visible to you."))
    require_enrolment_access(session, user, enrolment, session.get(Group, enrolment.group_id))
    rows = session.execute(
        select(EnrolmentEvent, User.display_name)
        .outerjoin(User, User.id == EnrolmentEvent.by_user_id)
        .where(EnrolmentEvent.enrolment_id == enrolment.id)
        .order_by(EnrolmentEvent.at, EnrolmentEvent.id)
    ).all()
    return [
        EnrolmentEventView(
            event.id,
            event.status,
            event.at,
            event.by_user_id,
            name,
            event.note,
            _(EVENT_NOTE_LABELS[event.note]) if event.note in EVENT_NOTE_LABELS else "",
        )
        for event, name in rows
    ]


def has_participation_consent(session: Session, child_id: int) -> bool:
    """Whether a guardian linked to the child has a live consent to participation."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Consent.child_id == child_id,
                    Consent.scope == ConsentScope.PARTICIPATION,
                    Consent.withdrawn_at.is_(None),
                    ChildGuardian.child_id == Consent.child_id,
                    ChildGuardian.guardian_id == Consent.guardian_id,
                )
            )
        )
    )


def manages_group(session: Session, user: User, group_id: int) -> bool:
    """Administrators, and the facilitators who lead the group."""
    group = session.get(Group, group_id)
    return group is not None and _manages(session, user, group)


# --- internals -------------------------------------------------------------------------------


def _manages(session: Session, user: User, group: Group) -> bool:
    return may_manage_group(session, user, group)


def _group_for(session: Session, user: User, group_id: int) -> Group:
    """The group, if this user may name it when enrolling (``enrolment_group_scope``)."""
    group = session.scalar(select(Group).where(Group.id == group_id, enrolment_group_scope(user)))
    if group is None:
        raise NotFound(_("This group does not exist or is not visible to you."))
    return group


def _visible_child(session: Session, user: User, child_id: int) -> Child:
    """The child, if visible to the user; an erased child is visible to no one (administrators
    included), so it cannot be enrolled again."""
    child = session.get(Child, child_id)
    if (
        child is None
        or child.erased_at is not None
        or not may(session, user, Action.VIEW_CHILD, child)
    ):
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    return child


def _lock_group(session: Session, group_id: int) -> Group:
    """Lock the group's row for the rest of the transaction and read it afresh."""
    group = session.get(Group, group_id, with_for_update=True, populate_existing=True)
    if group is None:
        raise NotFound(_("This group does not exist or is not visible to you."))
    return group


def _active_count(session: Session, group_id: int) -> int:
    session.flush()
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.group_id == group_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        )
        or 0
    )


def _waiting_ids(session: Session, group_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Enrolment.id)
            .where(Enrolment.group_id == group_id, Enrolment.status == EnrolmentStatus.WAITING)
            .order_by(Enrolment.queued_at, Enrolment.id)
        )
    )


def _promote(session: Session, group: Group, user: User | None) -> list[Enrolment]:
    """Move waiting children into free places, first queued first. The group must be locked."""
    free = group.capacity - _active_count(session, group.id)
    if free <= 0:
        return []
    waiting = session.scalars(
        select(Enrolment)
        .where(Enrolment.group_id == group.id, Enrolment.status == EnrolmentStatus.WAITING)
        .order_by(Enrolment.queued_at, Enrolment.id)
        .limit(free)
        .execution_options(populate_existing=True)
    ).all()
    return _activate(session, user, group, waiting, promoted=True)


def _end(session: Session, user: User, enrolment: Enrolment, reason: EndReason) -> None:
    now = utcnow()
    previous = enrolment.status
    enrolment.status = EnrolmentStatus.ENDED
    enrolment.ended_at = now
    enrolment.end_reason = reason
    _event(session, user, enrolment, reason.value, now)
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "enrolment",
        enrolment.id,
        group_id=enrolment.group_id,
        child_id=enrolment.child_id,
        status=EnrolmentStatus.ENDED.value,
        previous=previous.value,
        reason=reason.value,
    )
    session.flush()


def _event(
    session: Session, user: User | None, enrolment: Enrolment, note: str, at: datetime
) -> None:
    session.add(
        EnrolmentEvent(
            enrolment_id=enrolment.id,
            status=enrolment.status,
            at=at,
            by_user_id=account_id(user),
            note=note,
        )
    )


def _age(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _activate(
    session: Session,
    user: User | None,
    group: Group,
    enrolments: Sequence[Enrolment],
    **detail: bool,
) -> list[Enrolment]:
    """Make waiting enrolments active: a history event and an audit entry each."""
    now = utcnow()
    for enrolment in enrolments:
        enrolment.status = EnrolmentStatus.ACTIVE
        _event(session, user, enrolment, NOTE_PROMOTED, now)
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "enrolment",
            enrolment.id,
            group_id=group.id,
            child_id=enrolment.child_id,
            status=EnrolmentStatus.ACTIVE.value,
            **detail,
        )
    session.flush()
    return list(enrolments)
