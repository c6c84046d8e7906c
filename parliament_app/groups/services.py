"""Groups: a municipality's parliament, a club, a workshop series; and who leads them.

Who may manage a group (edit it, schedule its sessions, run its club) is decided in one place,
``may_manage_group``: administrators, and active facilitators who lead it. Scheduling and clubs
ask here; lists ask the same question of every row at once with its SQL form
(``managed_group_scope``). Which groups a user sees is one SQL predicate (``group_scope``), used by
lists and single reads alike:

- administrators: every group;
- facilitators: the groups they lead;
- school coordinators and social workers: the active groups of their organisation's
  municipality (they sign children up or refer them there).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _, ngettext
from parliament_app.groups.enrolment import promote_waiting
from parliament_app.models import (
    AuditAction,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Municipality,
    Organisation,
    Role,
    User,
)
from parliament_app.models.children import MAX_AGE, MIN_AGE
from parliament_app.policy.groups import (
    group_scope,
    is_leader,
    managed_group_scope,
    require_group_manager,
)

NAME_MAX_LENGTH = 160


@dataclass(frozen=True)
class NewGroup:
    kind: GroupKind
    name: str
    description: str = ""
    # None: the acting facilitator's organisation (administrators must choose one).
    organisation_id: int | None = None
    # None: the organisation's municipality.
    municipality_id: int | None = None
    min_age: int = 7
    max_age: int = 18
    capacity: int = 30
    # Facilitators to lead the group besides its creator (an administrator names at least one).
    leader_ids: tuple[int, ...] = ()


# --- who may do what --------------------------------------------------------------------------


# --- reading ----------------------------------------------------------------------------------


def list_groups(session: Session, user: User, kind: GroupKind | None = None) -> list[Group]:
    query = select(Group).where(group_scope(user)).order_by(Group.name, Group.id)
    if kind is not None:
        query = query.where(Group.kind == kind)
    return list(session.scalars(query))


def get_group(session: Session, user: User, group_id: int) -> Group:
    group = session.scalar(select(Group).where(Group.id == group_id, group_scope(user)))
    if group is None:
        raise NotFound(_("This group does not exist or is not visible to you."))
    return group


def active_member_count(session: Session, group_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.group_id == group_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        )
        or 0
    )


def active_member_counts(session: Session, user: User) -> dict[int, int]:
    """Active members of each group this user sees (``group_scope``), in one query; a group
    without any is left out."""
    rows = session.execute(
        select(Enrolment.group_id, func.count())
        .join(Group, Group.id == Enrolment.group_id)
        .where(group_scope(user), Enrolment.status == EnrolmentStatus.ACTIVE)
        .group_by(Enrolment.group_id)
    )
    return {group_id: count for group_id, count in rows}


def managed_group_leaders(session: Session, user: User) -> dict[int, dict[int, str]]:
    """The leaders (id: display name, by id) of every group this user may manage, by group id,
    in one query; a group without leaders maps to an empty dict."""
    rows = session.execute(
        select(Group.id, User.id, User.display_name)
        .outerjoin(GroupLeader, GroupLeader.group_id == Group.id)
        .outerjoin(User, User.id == GroupLeader.user_id)
        .where(managed_group_scope(user))
        .order_by(Group.id, GroupLeader.user_id)
    )
    leaders: dict[int, dict[int, str]] = {}
    for group_id, leader_id, name in rows:
        names = leaders.setdefault(group_id, {})
        if leader_id is not None:
            names[leader_id] = name
    return leaders


def leader_ids(session: Session, group_id: int) -> list[int]:
    return list(
        session.scalars(
            select(GroupLeader.user_id)
            .where(GroupLeader.group_id == group_id)
            .order_by(GroupLeader.user_id)
        )
    )


# --- writing ----------------------------------------------------------------------------------


def create_group(session: Session, user: User, new: NewGroup) -> Group:
    """Administrators create groups for any organisation; a facilitator creates one for their own
    organisation and becomes its leader."""
    if not user.active or user.role not in (Role.ADMINISTRATOR, Role.FACILITATOR):
        raise PermissionDenied(_("Only administrators and facilitators may create groups."))
    organisation_id = new.organisation_id
    if user.role == Role.FACILITATOR:
        if organisation_id is None:
            organisation_id = user.organisation_id
        if organisation_id != user.organisation_id:
            raise PermissionDenied(_("Facilitators create groups for their own organisation."))
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or not organisation.active:
        raise ValidationError(
            _("Please choose the organisation running the group."), "organisation"
        )
    municipality_id = new.municipality_id or organisation.municipality_id
    if session.get(Municipality, municipality_id) is None:
        raise ValidationError(_("Please choose a municipality."), "municipality")
    name = _clean_name(new.name)
    _check_band_and_capacity(new.min_age, new.max_age, new.capacity)
    _check_name_free(session, municipality_id, name)
    leaders = list(dict.fromkeys(new.leader_ids))
    if user.role == Role.FACILITATOR and user.id not in leaders:
        leaders.insert(0, user.id)
    if not leaders:
        raise ValidationError(_("A group needs at least one leader."), "leaders")
    for leader_id in leaders:
        _check_leader(session, leader_id)

    group = Group(
        kind=new.kind,
        name=name,
        description=new.description.strip(),
        organisation_id=organisation.id,
        municipality_id=municipality_id,
        min_age=new.min_age,
        max_age=new.max_age,
        capacity=new.capacity,
        active=True,
    )
    group.leaders = [GroupLeader(user_id=leader_id) for leader_id in leaders]
    _save_with_unique_name(session, group, {})
    audit.record(
        session, user, AuditAction.CREATE, "group", group.id, kind=new.kind.value, leaders=leaders
    )
    return group


def update_group(
    session: Session,
    user: User,
    group_id: int,
    *,
    name: str,
    description: str,
    min_age: int,
    max_age: int,
    capacity: int,
) -> Group:
    group = _managed_group(session, user, group_id)
    name = _clean_name(name)
    _check_band_and_capacity(min_age, max_age, capacity)
    members = active_member_count(session, group.id)
    if capacity < members:
        raise ValidationError(
            ngettext(
                "{count} child is enrolled in this group; the capacity cannot be lower.",
                "{count} children are enrolled in this group; the capacity cannot be lower.",
                members,
            ).format(count=members),
            "capacity",
        )
    if name != group.name:
        _check_name_free(session, group.municipality_id, name)
    new_values = {
        "name": name,
        "description": description.strip(),
        "min_age": min_age,
        "max_age": max_age,
        "capacity": capacity,
    }
    changed = sorted(key for key, value in new_values.items() if getattr(group, key) != value)
    _save_with_unique_name(session, group, new_values)
    audit.record(session, user, AuditAction.UPDATE, "group", group.id, changed=changed)
    if "capacity" in changed:
        promote_waiting(session, group.id, user)  # a larger group takes children waiting
    return group


def add_leader(session: Session, user: User, group_id: int, leader_id: int) -> Group:
    group = _managed_group(session, user, group_id)
    _check_leader(session, leader_id)
    if not is_leader(session, group.id, leader_id):
        session.add(GroupLeader(group_id=group.id, user_id=leader_id))
        session.flush()
        audit.record(
            session, user, AuditAction.CREATE, "group_leader", group.id, leader_id=leader_id
        )
    return group


def remove_leader(session: Session, user: User, group_id: int, leader_id: int) -> Group:
    group = _managed_group(session, user, group_id)
    link = session.get(GroupLeader, (group.id, leader_id))
    if link is None:
        raise ValidationError(_("This person does not lead the group."), "leader")
    if len(leader_ids(session, group.id)) <= 1:
        raise ValidationError(_("A group needs at least one leader."), "leader")
    session.delete(link)
    session.flush()
    audit.record(session, user, AuditAction.DELETE, "group_leader", group.id, leader_id=leader_id)
    return group


# --- helpers ----------------------------------------------------------------------------------


def _managed_group(session: Session, user: User, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound(_("This group does not exist or is not visible to you."))
    require_group_manager(session, user, group)
    return group


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Please enter the group's name."), "name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("A name has at most {count} characters.").format(count=NAME_MAX_LENGTH), "name"
        )
    return name


def check_age_band(min_age: int, max_age: int) -> None:
    if not (MIN_AGE <= min_age <= max_age <= MAX_AGE):
        raise ValidationError(
            _("The age band must lie between {low} and {high}, the youngest age first.").format(
                low=MIN_AGE, high=MAX_AGE
            ),
            "age_band",
        )


def check_capacity(capacity: int | None) -> None:
    if capacity is not None and capacity < 1:
        raise ValidationError(_("Capacity must be at least 1."), "capacity")


def _check_band_and_capacity(min_age: int, max_age: int, capacity: int) -> None:
    check_age_band(min_age, max_age)
    check_capacity(capacity)


def _check_name_free(session: Session, municipality_id: int, name: str) -> None:
    if session.scalar(
        select(Group.id).where(Group.municipality_id == municipality_id, Group.name == name)
    ):
        raise ValidationError(
            _("A group with this name already exists in this municipality."), "name"
        )


def _save_with_unique_name(session: Session, group: Group, values: dict[str, object]) -> None:
    """Apply ``values`` and flush in a savepoint: a concurrent request may have taken the name
    meanwhile, and then nothing of this change stays behind."""
    try:
        with session.begin_nested():
            session.add(group)
            for key, value in values.items():
                setattr(group, key, value)
            session.flush()
    except IntegrityError as exc:
        raise ValidationError(
            _("A group with this name already exists in this municipality."), "name"
        ) from exc


def _check_leader(session: Session, user_id: int) -> None:
    leader = session.get(User, user_id)
    if leader is None or not leader.active or leader.role != Role.FACILITATOR:
        raise ValidationError(_("Group leaders must be active facilitators."), "leaders")
