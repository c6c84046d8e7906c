"""Groups: the parliaments, clubs and workshop series this user sees; creating one, changing its
size and age band, and who leads it."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core.i18n import _, format_number
from parliament_app.core.labels import label
from parliament_app.groups.services import (
    active_member_counts,
    add_leader,
    create_group,
    list_groups,
    managed_group_leaders,
    remove_leader,
    update_group,
)
from parliament_app.models import Group, GroupKind, Role, User
from parliament_app.models.children import MAX_AGE, MIN_AGE
from parliament_app.monitoring.home import led_groups
from parliament_app.ui.choices import facilitator_choices, organisation_choices
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.group_form import GroupFormWords, create_group_form
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("groups")
KINDS = list(GroupKind)


@dataclass(frozen=True)
class ManagedGroup:
    """A group the user may change, as its form starts."""

    name: str
    description: str
    min_age: int
    max_age: int
    capacity: int
    leaders: dict[int, str]  # user id -> name


@dataclass(frozen=True)
class GroupsView:
    """What the page shows this user: the groups' rows, and what they may manage."""

    role: Role
    plans: bool  # administrators and facilitators create and change groups
    rows: list[dict[str, str]]
    managed: dict[int, ManagedGroup]
    facilitators: dict[int, str]  # for administrators: who may lead a group
    organisations: dict[int, str]  # for administrators: who may run a group
    own_organisation: str


def render() -> None:
    view = _read()
    form_round = OUTCOME.form_round
    _introduction()
    _group_table(view)
    if not view.plans:
        _managed_by_others()
        st.stop()
    _create(view, form_round)
    st.subheader(_("Change a group"))
    group_id = _group_to_change(view.managed)
    chosen = view.managed[group_id]
    _edit_form(group_id, chosen, form_round)
    _leaders(group_id, chosen)
    _add_leader(group_id, chosen, view, form_round)


# --- read --------------------------------------------------------------------------------------


def _read() -> GroupsView:
    with transaction() as session:
        user = page_user(session)
        role = user.role
        plans = role in (Role.ADMINISTRATOR, Role.FACILITATOR)
        groups = list_groups(session, user)
        members = active_member_counts(session, user)
        leaders = managed_group_leaders(session, user) if plans else {}
        rows = _rows(session, user, groups, members)
        facilitators: dict[int, str] = {}
        organisations: dict[int, str] = {}
        if role == Role.ADMINISTRATOR:
            facilitators = facilitator_choices(session, user)
            organisations = organisation_choices(session)
        return GroupsView(
            role=role,
            plans=plans,
            rows=rows,
            managed={
                group.id: ManagedGroup(
                    name=group.name,
                    description=group.description,
                    min_age=group.min_age,
                    max_age=group.max_age,
                    capacity=group.capacity,
                    leaders=leaders[group.id],
                )
                for group in groups
                if group.id in leaders
            },
            facilitators=facilitators,
            organisations=organisations,
            own_organisation=user.organisation.name if user.organisation else "",
        )


def _rows(
    session: Session, user: User, groups: list[Group], members: dict[int, int]
) -> list[dict[str, str]]:
    """A table row for each group (facilitators also see how many children wait)."""
    facilitator = user.role == Role.FACILITATOR
    waiting = (
        {group.id: queued for group, _members, queued in led_groups(session, user)}
        if facilitator
        else {}
    )
    rows = []
    for group in groups:
        row = {
            _("Group"): group.name,
            _("Kind"): label(group.kind),
            _("Municipality"): group.municipality.name,
            _("Run by"): group.organisation.name,
            _("Ages"): _("{low}–{high}").format(low=group.min_age, high=group.max_age),
            _("Capacity"): format_number(group.capacity),
            _("Members"): format_number(members.get(group.id, 0)),
        }
        if facilitator:
            row[_("Waiting")] = format_number(waiting.get(group.id, 0))
        if not group.active:
            row[_("Group")] = _("{name} (closed)").format(name=group.name)
        rows.append(row)
    return rows


# --- the list ----------------------------------------------------------------------------------


def _introduction() -> None:
    st.title(_("Groups"))
    st.caption(
        _(
            "Children's parliaments, clubs and workshop series. Each group meets in one "
            "municipality, is run by one organisation and is led by facilitators."
        )
    )
    OUTCOME.show()


def _group_table(view: GroupsView) -> None:
    if view.rows:
        st.dataframe(view.rows, hide_index=True, width="stretch")
    elif view.plans:
        empty_state(
            _("You lead no groups yet. Create one below, or ask an administrator to add you.")
            if view.role == Role.FACILITATOR
            else _("There are no groups yet. Create the first one below.")
        )
    else:
        empty_state(
            _(
                "No group meets in your municipality yet. Facilitators and administrators create "
                "groups; you can then sign children up to them."
            )
        )


def _managed_by_others() -> None:
    st.caption(
        _(
            "You see the active groups of your municipality. Their leaders and the "
            "administrators manage them."
        )
    )


# --- create ------------------------------------------------------------------------------------


def _create(view: GroupsView, form_round: int) -> None:
    st.subheader(_("Create a group"))
    administrator = view.role == Role.ADMINISTRATOR
    if administrator and not view.organisations:
        empty_state(
            _(
                "A group is run by an organisation. Add one on the Organisations and places "
                "page first."
            )
        )
        return
    if administrator and not view.facilitators:
        empty_state(
            _(
                "A group needs a facilitator to lead it. Create a facilitator's account on the "
                "Users page first."
            )
        )
        return
    created = create_group_form(
        f"create_group_{form_round}",
        GroupFormWords(
            kind=_("Kind of group"),
            organisation=_("Organisation running the group"),
            organisation_help=_("The group meets in this organisation's municipality."),
            run_by_you=_("The group is run by your organisation, {name}, and you lead it."),
            submit=_("Create the group"),
            created=_("The group {name} was created."),
        ),
        KINDS,
        administrator=administrator,
        organisations=view.organisations,
        facilitators=view.facilitators,
        own_organisation=view.own_organisation,
        capacity=30,
        create=create_group,
    )
    if created:
        OUTCOME.done(created)


# --- edit --------------------------------------------------------------------------------------


def _group_to_change(managed: dict[int, ManagedGroup]) -> int:
    """The group chosen to change; the page ends here when the user manages none."""
    if not managed:
        empty_state(_("You manage no groups yet. Create one above; you then lead it."))
        st.stop()
    return st.selectbox(
        _("Group to change"),
        list(managed),
        format_func=lambda key: managed[key].name,
        key="groups_edit_choice",
    )


def _edit_form(group_id: int, chosen: ManagedGroup, form_round: int) -> None:
    with st.form(f"edit_group_{group_id}_{form_round}"):
        new_name = st.text_input(_("Name"), chosen.name)
        new_description = st.text_area(_("Description (optional)"), chosen.description)
        first, second, third = st.columns(3)
        new_min = first.number_input(_("Youngest age"), MIN_AGE, MAX_AGE, chosen.min_age)
        new_max = second.number_input(_("Oldest age"), MIN_AGE, MAX_AGE, chosen.max_age)
        new_capacity = third.number_input(_("Capacity (children)"), 1, 500, chosen.capacity)
        save = st.form_submit_button(_("Save changes"), type="primary")
    if not save:
        return
    with shown_errors():
        with transaction() as session:
            update_group(
                session,
                page_user(session),
                group_id,
                name=new_name,
                description=new_description,
                min_age=int(new_min),
                max_age=int(new_max),
                capacity=int(new_capacity),
            )
        OUTCOME.done(_("The changes to {name} were saved.").format(name=new_name.strip()))


def _leaders(group_id: int, chosen: ManagedGroup) -> None:
    """The group's leaders, each removable while another one stays."""
    st.markdown("**" + _("Leaders") + "**")
    for leader_id, leader_name in chosen.leaders.items():
        left, right = st.columns([4, 1])
        left.write(leader_name)
        if len(chosen.leaders) > 1 and right.button(
            _("Remove"),
            key=f"remove_leader_{group_id}_{leader_id}",
            help=_("{person} no longer leads this group.").format(person=leader_name),
        ):
            with shown_errors():
                with transaction() as session:
                    remove_leader(session, page_user(session), group_id, leader_id)
                OUTCOME.done(
                    _("{person} no longer leads {name}.").format(
                        person=leader_name, name=chosen.name
                    )
                )
    if len(chosen.leaders) == 1:
        st.caption(_("A group needs at least one leader: add another before removing this one."))


def _add_leader(group_id: int, chosen: ManagedGroup, view: GroupsView, form_round: int) -> None:
    facilitators = view.facilitators
    candidates = [person for person in facilitators if person not in chosen.leaders]
    if view.role != Role.ADMINISTRATOR:
        st.caption(_("To add another facilitator as a leader, ask an administrator."))
        return
    if not candidates:
        st.caption(_("Every active facilitator already leads this group."))
        return
    with st.form(f"add_leader_{group_id}_{form_round}"):
        new_leader = st.selectbox(
            _("Facilitator to add as a leader"), candidates, format_func=facilitators.__getitem__
        )
        add = st.form_submit_button(_("Add the leader"))
    if not add:
        return
    with shown_errors():
        with transaction() as session:
            add_leader(session, page_user(session), group_id, new_leader)
        OUTCOME.done(
            _("{person} now leads {name}.").format(
                person=facilitators[new_leader], name=chosen.name
            )
        )


if __name__ == "__main__":
    render()
