"""Groups: the parliaments, clubs and workshop series this user sees; creating one, changing its
size and age band, and who leads it."""

import streamlit as st

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
from parliament_app.models import GroupKind, Role
from parliament_app.models.children import MAX_AGE, MIN_AGE
from parliament_app.monitoring.home import led_groups
from parliament_app.people.accounts import list_users
from parliament_app.places.services import list_organisations
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.group_form import GroupFormWords, create_group_form
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("groups")
KINDS = list(GroupKind)


done = OUTCOME.done

with transaction() as session:
    user = page_user(session)
    role = user.role
    plans = role in (Role.ADMINISTRATOR, Role.FACILITATOR)
    groups = list_groups(session, user)
    members = active_member_counts(session, user)
    group_leaders = managed_group_leaders(session, user) if plans else {}
    waiting = (
        {group.id: queued for group, _members, queued in led_groups(session, user)}
        if role == Role.FACILITATOR
        else {}
    )
    rows = []
    managed: dict[int, dict] = {}
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
        if role == Role.FACILITATOR:
            row[_("Waiting")] = format_number(waiting.get(group.id, 0))
        if not group.active:
            row[_("Group")] = _("{name} (closed)").format(name=group.name)
        rows.append(row)
        if group.id in group_leaders:
            managed[group.id] = {
                "name": group.name,
                "description": group.description,
                "min_age": group.min_age,
                "max_age": group.max_age,
                "capacity": group.capacity,
                "leaders": group_leaders[group.id],
            }
    facilitators: dict[int, str] = {}
    organisations: dict[int, str] = {}
    if role == Role.ADMINISTRATOR:
        facilitators = {
            person.id: person.display_name
            for person in list_users(session, user)
            if person.active and person.role == Role.FACILITATOR
        }
        organisations = {
            organisation.id: _("{name} · {kind}, {municipality}").format(
                name=organisation.name,
                kind=label(organisation.kind),
                municipality=organisation.municipality.name,
            )
            for organisation in list_organisations(session)
        }
    own_organisation = user.organisation.name if user.organisation else ""

form_round = OUTCOME.form_round

st.title(_("Groups"))
st.caption(
    _(
        "Children's parliaments, clubs and workshop series. Each group meets in one "
        "municipality, is run by one organisation and is led by facilitators."
    )
)
OUTCOME.show()

if rows:
    st.dataframe(rows, hide_index=True, width="stretch")
elif plans:
    empty_state(
        _("You lead no groups yet. Create one below, or ask an administrator to add you.")
        if role == Role.FACILITATOR
        else _("There are no groups yet. Create the first one below.")
    )
else:
    empty_state(
        _(
            "No group meets in your municipality yet. Facilitators and administrators create "
            "groups; you can then sign children up to them."
        )
    )
if not plans:
    st.caption(
        _(
            "You see the active groups of your municipality. Their leaders and the "
            "administrators manage them."
        )
    )
    st.stop()

# --- create ------------------------------------------------------------------------------------

st.subheader(_("Create a group"))
if role == Role.ADMINISTRATOR and not organisations:
    empty_state(
        _("A group is run by an organisation. Add one on the Organisations and places page first.")
    )
elif role == Role.ADMINISTRATOR and not facilitators:
    empty_state(
        _(
            "A group needs a facilitator to lead it. Create a facilitator's account on the "
            "Users page first."
        )
    )
else:
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
        administrator=role == Role.ADMINISTRATOR,
        organisations=organisations,
        facilitators=facilitators,
        own_organisation=own_organisation,
        capacity=30,
        create=create_group,
    )
    if created:
        done(created)

# --- edit --------------------------------------------------------------------------------------

st.subheader(_("Change a group"))
if not managed:
    empty_state(_("You manage no groups yet. Create one above; you then lead it."))
    st.stop()
group_id = st.selectbox(
    _("Group to change"),
    list(managed),
    format_func=lambda key: managed[key]["name"],
    key="groups_edit_choice",
)
chosen = managed[group_id]
with st.form(f"edit_group_{group_id}_{form_round}"):
    new_name = st.text_input(_("Name"), chosen["name"])
    new_description = st.text_area(_("Description (optional)"), chosen["description"])
    first, second, third = st.columns(3)
    new_min = first.number_input(_("Youngest age"), MIN_AGE, MAX_AGE, chosen["min_age"])
    new_max = second.number_input(_("Oldest age"), MIN_AGE, MAX_AGE, chosen["max_age"])
    new_capacity = third.number_input(_("Capacity (children)"), 1, 500, chosen["capacity"])
    save = st.form_submit_button(_("Save changes"), type="primary")
if save:
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
        done(_("The changes to {name} were saved.").format(name=new_name.strip()))

st.markdown("**" + _("Leaders") + "**")
for leader_id, leader_name in chosen["leaders"].items():
    left, right = st.columns([4, 1])
    left.write(leader_name)
    if len(chosen["leaders"]) > 1 and right.button(
        _("Remove"),
        key=f"remove_leader_{group_id}_{leader_id}",
        help=_("{person} no longer leads this group.").format(person=leader_name),
    ):
        with shown_errors():
            with transaction() as session:
                remove_leader(session, page_user(session), group_id, leader_id)
            done(
                _("{person} no longer leads {name}.").format(
                    person=leader_name, name=chosen["name"]
                )
            )
if len(chosen["leaders"]) == 1:
    st.caption(_("A group needs at least one leader: add another before removing this one."))

candidates = [person for person in facilitators if person not in chosen["leaders"]]
if role != Role.ADMINISTRATOR:
    st.caption(_("To add another facilitator as a leader, ask an administrator."))
elif not candidates:
    st.caption(_("Every active facilitator already leads this group."))
else:
    with st.form(f"add_leader_{group_id}_{form_round}"):
        new_leader = st.selectbox(
            _("Facilitator to add as a leader"), candidates, format_func=facilitators.__getitem__
        )
        add = st.form_submit_button(_("Add the leader"))
    if add:
        with shown_errors():
            with transaction() as session:
                add_leader(session, page_user(session), group_id, new_leader)
            done(
                _("{person} now leads {name}.").format(
                    person=facilitators[new_leader], name=chosen["name"]
                )
            )
