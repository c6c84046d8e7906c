# Not split: one page whose sections share the chosen group, its roster and its waiting list.
"""Enrolment: a group's roster and waiting list with each child's history, signing a child up
(schools sign up pupils, centres refer, facilitators invite), the mixed-roster proposal for the
group's leaders, and the printable consent form for a guardian."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.children.consent_form import consent_form_html
from parliament_app.children.services import GuardianView, list_children
from parliament_app.core.errors import ServiceError, ValidationError
from parliament_app.core.i18n import (
    LANGUAGE_NAMES,
    _,
    format_datetime,
    format_number,
    language_from_tag,
    ngettext,
)
from parliament_app.core.labels import COMMUNITY_LABELS, label
from parliament_app.groups.composer import (
    NOT_STATED,
    REASON_GROUP_FULL,
    REASON_KEEPS_MIXED,
    CommunityFlags,
    RosterProposal,
    propose_roster,
)
from parliament_app.groups.diversity.report import DIMENSIONS, category_label
from parliament_app.groups.enrolment import (
    EnrolmentEventView,
    RosterEntry,
    accept_roster,
    cancel,
    enrol,
    history,
    roster,
)
from parliament_app.groups.services import active_member_count, get_group, list_groups
from parliament_app.models import Community, EndReason, EnrolmentStatus, Role
from parliament_app.policy.groups import may_manage_group, require_group_manager
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.groups_widgets import child_choices, guardian_choices
from parliament_app.ui.lookups import deferred, guardians_of
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state, family_first, figures

OUTCOME = PageOutcome("enrolment")
PROPOSAL_KEY = "enrolment_page_proposal"  # (group id, proposal, serial) until accepted/replaced
CHILD_RESULTS = 50
# Who may print a consent form (the service checks each child again): those who record consents.
PRINTS_CONSENT = (Role.ADMINISTRATOR, Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER)


@dataclass(frozen=True)
class GroupLine:
    """A group as the chooser offers it."""

    name: str
    kind: str
    capacity: int
    ages: str
    manages: bool


@dataclass(frozen=True)
class Chosen:
    """The group this run shows, and what the signed-in user may do with it."""

    id: int
    name: str
    capacity: int
    manages: bool
    sees_roster: bool
    role: Role
    form_round: int


@dataclass(frozen=True)
class RosterView:
    """The chosen group's roster as this user may see it, with each enrolment's history."""

    entries: list[RosterEntry]
    events: dict[int, list[EnrolmentEventView]]
    members: int
    names: dict[int, str]  # child id -> name, for the children on the roster


def render() -> None:
    role, groups = _groups()
    form_round = OUTCOME.form_round
    _introduction()
    if not groups:
        _no_group(role)
        st.stop()
    group = _group_choice(groups, role, form_round)
    view = _read_roster(group)
    _roster(group, view)
    children, consent_missing = _sign_up(group, view.names)
    _consent_form(group, children, consent_missing)
    if not group.manages:
        st.stop()
    _mixed_roster(group, view)


# --- words -------------------------------------------------------------------------------------


def done(message: str) -> NoReturn:
    """Forget the proposal, then show what happened in a fresh round of forms."""
    st.session_state.pop(PROPOSAL_KEY, None)
    OUTCOME.done(message)


def name_of(given: str, family: str) -> str:
    return family_first(family, given)


def status_text(status: EnrolmentStatus, position: int | None = None) -> str:
    if status == EnrolmentStatus.ACTIVE:
        return "✅ " + _("Member")
    if status == EnrolmentStatus.WAITING:
        if position is None:
            return "⏳ " + _("Waiting")
        return "⏳ " + _("Waiting, number {position}").format(position=format_number(position))
    return "⏹️ " + _("Ended")


def reason_text(reason: str | None) -> str:
    if reason == REASON_GROUP_FULL:
        return _("the group is full")
    if reason == REASON_KEEPS_MIXED:
        return _("keeps the group mixed")
    return ""


def shown_category(dimension: str, category: str) -> str:
    """A category's translated name (schools and areas by their own names, ages as 7–10)."""
    if dimension == "age_band" and category != NOT_STATED:
        low, _dash, high = category.partition("-")
        return _("{low}–{high}").format(low=low, high=high) if high else category
    try:
        return category_label(dimension, category, {})
    except (KeyError, ValueError):
        return category


def category_order(dimension: str, category: str) -> tuple:
    """Age bands youngest first, "not stated" last, the others as the composer lists them."""
    if category == NOT_STATED:
        return (2, 0)
    if dimension == "age_band" and category.split("-")[0].isdigit():
        return (0, int(category.split("-")[0]))
    return (1, 0)


def shown_count(value: int | str) -> str:
    """An exact count, or a suppressed one ("<5", "5+") as text."""
    return format_number(value) if isinstance(value, int) else str(value)


def community_name(code: str | None) -> str:
    try:
        return _(COMMUNITY_LABELS[Community(code)])
    except (KeyError, ValueError):
        return str(code)


def flag_texts(flags: CommunityFlags) -> list[str]:
    """The warnings of diversity.md as sentences: never a colour alone."""
    texts = []
    if flags.ghetto_risk and flags.ghetto_group:
        texts.append(
            _(
                "Group not mixed: {category} children make up half or more, far more than among "
                "the children of the municipality."
            ).format(category=community_name(flags.ghetto_group))
        )
    if flags.single_group:
        texts.append(_("Every child whose community is known belongs to the same community."))
    if flags.risk_band and not flags.ghetto_risk:
        texts.append(
            _(
                "Watch: {categories} children make up more than a third, or twice their share "
                "among the children of the municipality."
            ).format(categories=", ".join(community_name(code) for code in flags.risk_groups))
        )
    return texts


# --- the group ---------------------------------------------------------------------------------


def _groups() -> tuple[Role, dict[int, GroupLine]]:
    with transaction() as session:
        user = page_user(session)
        groups = {
            group.id: GroupLine(
                name=group.name if group.active else _("{name} (closed)").format(name=group.name),
                kind=label(group.kind),
                capacity=group.capacity,
                ages=_("{low}–{high}").format(low=group.min_age, high=group.max_age),
                manages=may_manage_group(session, user, group),
            )
            for group in list_groups(session, user)
        }
        return user.role, groups


def _introduction() -> None:
    st.title(_("Enrolment"))
    st.caption(
        _(
            "Schools sign up their pupils, centres for social work refer the children they follow "
            "and facilitators invite children. When a group is full, children wait in order and "
            "move up as soon as a place frees. A guardian's consent to participation is needed."
        )
    )
    OUTCOME.show()


def _no_group(role: Role) -> None:
    empty_state(
        _(
            "You lead no group yet. Create one on the Groups page, or ask an administrator to "
            "make you a leader; then enrol children here."
        )
        if role == Role.FACILITATOR
        else _(
            "There is no group to enrol children in yet. Facilitators and administrators create "
            "groups on the Groups page."
        )
    )


def _group_choice(groups: dict[int, GroupLine], role: Role, form_round: int) -> Chosen:
    group_id = st.selectbox(
        _("Group"),
        list(groups),
        format_func=lambda key: _("{name} · {kind}, ages {ages}").format(
            name=groups[key].name, kind=groups[key].kind, ages=groups[key].ages
        ),
        key="enrolment_group",
    )
    line = groups[group_id]
    return Chosen(
        id=group_id,
        name=line.name,
        capacity=line.capacity,
        manages=line.manages,
        sees_roster=line.manages or role == Role.SCHOOL_COORDINATOR,
        role=role,
        form_round=form_round,
    )


def _read_roster(group: Chosen) -> RosterView:
    entries: list[RosterEntry] = []
    events: dict[int, list[EnrolmentEventView]] = {}
    members = 0
    with shown_errors(), transaction() as session:
        actor = page_user(session)
        members = active_member_count(session, group.id)
        if group.sees_roster:
            entries = roster(session, actor, group.id)
            events = {
                entry.enrolment_id: history(session, actor, entry.enrolment_id) for entry in entries
            }
    names = {entry.child_id: name_of(entry.given_name, entry.family_name) for entry in entries}
    return RosterView(entries, events, members, names)


# --- the roster --------------------------------------------------------------------------------


def _roster(group: Chosen, view: RosterView) -> None:
    st.subheader(_("Roster and waiting list"))
    _roster_figures(group, view)
    if not group.sees_roster:
        st.caption(
            _(
                "The roster is shown to the group's leaders, and to schools for their own "
                "pupils. Refer a child below: they get a free place or join the waiting list."
            )
        )
    elif not view.entries:
        empty_state(
            _("No child is enrolled in this group yet. Sign a child up below.")
            if group.manages
            else _("None of your pupils is enrolled in this group yet. Sign a pupil up below.")
        )
    else:
        _roster_table(group, view)


def _roster_figures(group: Chosen, view: RosterView) -> None:
    waiting = [entry for entry in view.entries if entry.status == EnrolmentStatus.WAITING]
    free = max(group.capacity - view.members, 0)
    counts = [
        (_("Places"), group.capacity),
        (_("Members"), view.members),
        (_("Free places"), free),
    ]
    if group.manages:
        counts.append((_("Waiting"), len(waiting)))
    figures(counts)


def _roster_table(group: Chosen, view: RosterView) -> None:
    if not group.manages:
        st.caption(
            _("You see your own pupils, with their places on the whole group's waiting list.")
        )
    st.dataframe(
        [
            {
                _("Child"): view.names[entry.child_id],
                _("Status"): status_text(entry.status, entry.queue_position),
            }
            for entry in view.entries
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(_("Open a child's line to see who changed the enrolment and when, or to end it."))
    for entry in view.entries:
        child = view.names[entry.child_id]
        title = _("{child}: {status}").format(
            child=child, status=status_text(entry.status, entry.queue_position)
        )
        with st.expander(title):
            _history(view.events.get(entry.enrolment_id, []))
            _end_buttons(entry.enrolment_id, child, group.manages)


def _history(rows: list[EnrolmentEventView]) -> None:
    if not rows:
        st.caption(_("No change is recorded for this enrolment yet."))
        return
    st.dataframe(
        [
            {
                _("When"): format_datetime(event.at, "short"),
                _("Status"): status_text(event.status),
                _("What happened"): event.note_label or event.note,
                _("By"): event.by_name or "—",
            }
            for event in rows
        ],
        hide_index=True,
        width="stretch",
    )


def _end_buttons(enrolment_id: int, child: str, manages: bool) -> None:
    left, right = st.columns(2)
    if left.button(
        _("Cancel the enrolment"),
        key=f"cancel_enrolment_{enrolment_id}",
        help=_(
            "At the family's or school's request. A place it held goes to the first child waiting."
        ),
    ):
        with shown_errors():
            with transaction() as session:
                cancel(session, page_user(session), enrolment_id)
            done(_("The enrolment of {child} was cancelled.").format(child=child))
    if manages and right.button(
        _("Remove from the group"),
        key=f"remove_enrolment_{enrolment_id}",
        help=_("The leaders' decision. A place it held goes to the first child waiting."),
    ):
        with shown_errors():
            with transaction() as session:
                cancel(session, page_user(session), enrolment_id, EndReason.REMOVED)
            done(_("{child} was removed from the group.").format(child=child))


# --- signing a child up ------------------------------------------------------------------------


def _sign_up(group: Chosen, names: dict[int, str]) -> tuple[dict[int, str], int | None]:
    """The children found (id -> name) and the child just refused for want of consent."""
    st.subheader(_("Sign up a child"))
    search, children = _find_children(group.form_round)
    signable = {child_id: text for child_id, text in children.items() if child_id not in names}
    consent_missing = None
    if not children:
        empty_state(_no_child_text(search, group.role))
    elif not signable:
        empty_state(_("Every child listed is already enrolled in or waiting for this group."))
    else:
        consent_missing = _sign_up_form(group, signable)
    if consent_missing is not None:
        _consent_missing(signable[consent_missing])
    return children, consent_missing


def _find_children(form_round: int) -> tuple[str, dict[int, str]]:
    search = st.text_input(
        _("Find a child by name"),
        key=f"enrolment_search_{form_round}",
        help=_("Among the children whose records you may see."),
    )
    with transaction() as session:
        found, total = list_children(session, page_user(session), search, limit=CHILD_RESULTS)
    children = child_choices(found)
    if total > len(found):
        st.caption(
            _("{shown} of {total} children are listed: type part of a name to find others.").format(
                shown=format_number(len(found)), total=format_number(total)
            )
        )
    return search, children


def _no_child_text(search: str, role: Role) -> str:
    if search.strip():
        return _("No child matches this name.")
    return {
        Role.SCHOOL_COORDINATOR: _(
            "No pupil of your school is registered yet. Register pupils on the Children "
            "page (or import a register), then sign them up here."
        ),
        Role.SOCIAL_WORKER: _(
            "Your centre follows no registered child yet. Register a referred child on the "
            "Children page, then refer them here."
        ),
        Role.FACILITATOR: _(
            "You see the children enrolled in your groups. Schools and centres for social "
            "work sign other children up."
        ),
    }.get(role, _("No child is registered yet. Children are registered on the Children page."))


def _sign_up_form(group: Chosen, signable: dict[int, str]) -> int | None:
    """Sign the chosen child up; return the child when a guardian's consent is missing."""
    with st.form(f"enrol_{group.id}_{group.form_round}"):
        child_id = st.selectbox(_("Child"), list(signable), format_func=signable.__getitem__)
        submitted = st.form_submit_button(_("Sign up"), type="primary")
    if not submitted:
        return None
    outcome = None
    try:
        outcome = _enrol(group, child_id)
    except ValidationError as error:
        if error.field == "consent":
            return child_id
        st.error(error.message, icon="⚠️")
    except ServiceError as error:
        st.error(error.message, icon="⚠️")
    if outcome is not None:
        _enrolled(group.name, signable[child_id], *outcome)
    return None


def _enrol(group: Chosen, child_id: int) -> tuple[EnrolmentStatus, int | None]:
    """The new enrolment's status, and its place on the waiting list when the user sees it."""
    with transaction() as session:
        actor = page_user(session)
        enrolment = enrol(session, actor, group.id, child_id)
        status, position = enrolment.status, None
        if status == EnrolmentStatus.WAITING and group.sees_roster:
            position = next(
                (
                    entry.queue_position
                    for entry in roster(session, actor, group.id)
                    if entry.enrolment_id == enrolment.id
                ),
                None,
            )
    return status, position


def _enrolled(
    group_name: str, child_name: str, status: EnrolmentStatus, position: int | None
) -> NoReturn:
    if status == EnrolmentStatus.ACTIVE:
        done(_("{child} got a place in {group}.").format(child=child_name, group=group_name))
    elif position is not None:
        done(
            _(
                "{group} is full: {child} is on the waiting list, number {position}. "
                "The child moves up as soon as a place frees."
            ).format(group=group_name, child=child_name, position=format_number(position))
        )
    else:
        done(
            _(
                "{group} is full: {child} is on the waiting list and moves up as soon "
                "as a place frees."
            ).format(group=group_name, child=child_name)
        )


def _consent_missing(child_name: str) -> None:
    st.warning(
        _(
            "{child} cannot be signed up yet: no parent or guardian has given consent to "
            "participation. Record the guardian's consent in the child's record on the "
            "Children page, then sign the child up again. A printable consent form is below."
        ).format(child=child_name),
        icon="📝",
    )
    st.page_link(
        "parliament_app/ui/pages/children.py", label=_("Go to the Children page"), icon="🧒"
    )


# --- the consent form --------------------------------------------------------------------------


def _consent_form(group: Chosen, children: dict[int, str], consent_missing: int | None) -> None:
    if group.role in PRINTS_CONSENT:
        _print_consent_form(group, children, consent_missing)
    elif group.role == Role.FACILITATOR:
        st.caption(
            _(
                "The child's school or centre for social work prints the consent form for the "
                "guardian and records the consent."
            )
        )


def _print_consent_form(
    group: Chosen, children: dict[int, str], consent_missing: int | None
) -> None:
    st.subheader(_("Print the consent form"))
    st.caption(
        _(
            "A print-ready form in the guardian's language, for the guardian to read, tick and "
            "sign. Open the downloaded file in a browser and print it or save it as PDF."
        )
    )
    if not children:
        empty_state(_("Find the child above first."))
        return
    options = list(children)
    child_key = f"consent_form_child_{group.form_round}"
    if consent_missing in options:  # the child just refused for want of consent
        st.session_state[child_key] = consent_missing
    form_child = st.selectbox(
        _("Child the form is for"),
        options,
        format_func=children.__getitem__,
        key=child_key,
    )
    guardians = guardians_of(form_child)
    if guardians is not None and not guardians:
        empty_state(
            _("No guardian is linked to this child. Add the guardian on the Children page.")
        )
    elif guardians:
        _consent_form_download(group.id, form_child, guardians)


def _consent_form_download(group_id: int, child_id: int, guardians: list[GuardianView]) -> None:
    guardian_names = guardian_choices(guardians)
    languages = {guardian.id: guardian.preferred_language for guardian in guardians}
    left, right = st.columns(2)
    guardian_id = left.selectbox(
        _("Guardian"),
        list(guardian_names),
        format_func=guardian_names.__getitem__,
        key=f"consent_form_guardian_{child_id}",
    )
    codes = list(LANGUAGE_NAMES)
    preferred = language_from_tag(languages[guardian_id]) or "sr"
    language = right.selectbox(
        _("Language of the form"),
        codes,
        index=codes.index(preferred) if preferred in codes else 0,
        format_func=LANGUAGE_NAMES.__getitem__,
        key=f"consent_form_language_{child_id}_{guardian_id}",
        help=_("The guardian's own language is chosen first."),
    )
    st.download_button(
        _("Download the consent form"),
        deferred(
            lambda session, actor: consent_form_html(
                session, actor, child_id, guardian_id, language, group_id
            )
        ),
        file_name=f"consent-form-{child_id}-{guardian_id}-{language}.html",
        mime="text/html",
        icon="🖨️",
        on_click="ignore",
        help=_("Downloads are recorded in the audit log."),
    )


# --- the mixed roster --------------------------------------------------------------------------


def _mixed_roster(group: Chosen, view: RosterView) -> None:
    st.subheader(_("Propose a mixed roster"))
    st.caption(
        _(
            "The composer keeps the current members and picks from the waiting list, in order, "
            "so that no background takes more than the chosen share of the roster. You see only "
            "totals (small numbers are hidden as <5 or 5+), never a child's background."
        )
    )
    _proposal_form(group)
    proposal, serial = _stored_proposal(group.id)
    _proposal_summary(proposal)
    _proposal_flags(proposal)
    _composition(proposal)
    candidate_names = {
        child.id: name_of(child.given_name, child.family_name) for child in proposal.children
    }
    _each_child(proposal, view.entries, candidate_names)
    _accept_or_edit(group, proposal, serial, candidate_names)


def _proposal_form(group: Chosen) -> None:
    """Ask the composer for a proposal and keep it for this group until accepted or replaced."""
    with st.form(f"propose_{group.id}_{group.form_round}"):
        left, right = st.columns(2)
        capacity = left.number_input(
            _("Places in the roster"),
            1,
            500,
            group.capacity,
            help=_("The group's capacity; try another number to see what it would change."),
        )
        share = right.number_input(
            _("Largest share of one background (%)"),
            10,
            100,
            50,
            step=5,
            help=_("In each dimension: community, area, school, income, gender and age."),
        )
        propose = st.form_submit_button(_("Propose a mixed roster"), type="primary", icon="🧩")
    if not propose:
        return
    proposal = None
    with shown_errors(), transaction() as session:
        proposal = propose_roster(
            session, page_user(session), group.id, int(capacity), int(share) / 100
        )
    if proposal is not None:
        serial = st.session_state.get(PROPOSAL_KEY, (None, None, 0))[2] + 1
        st.session_state[PROPOSAL_KEY] = (group.id, proposal, serial)


def _stored_proposal(group_id: int) -> tuple[RosterProposal, int]:
    """The group's proposal and its serial number; the page ends here without one."""
    stored = st.session_state.get(PROPOSAL_KEY)
    if stored is None or stored[0] != group_id:
        st.caption(_("Choose the places and the share, then ask for a proposal."))
        st.stop()
    proposal: RosterProposal = stored[1]
    if not proposal.children:
        empty_state(
            _("Nobody is enrolled or waiting in this group, so there is nothing to compose yet.")
        )
        st.stop()
    return proposal, stored[2]


def _proposal_summary(proposal: RosterProposal) -> None:
    st.write(
        _(
            "A roster of {size} for {capacity} places: at most {cap} children of one background "
            "in each dimension."
        ).format(
            size=format_number(proposal.size),
            capacity=format_number(proposal.capacity),
            cap=format_number(proposal.cap),
        )
    )
    if proposal.empty_places:
        st.warning(
            ngettext(
                "{count} place stays empty to keep the group mixed.",
                "{count} places stay empty to keep the group mixed.",
                proposal.empty_places,
            ).format(count=proposal.empty_places),
            icon="⚠️",
        )
    if proposal.filled_beyond_mix:
        st.warning(
            ngettext(
                "{count} free place went to the next child waiting beyond the mix: the waiting "
                "list itself is not mixed. Invite children from other schools or neighbourhoods.",
                "{count} free places went to the next children waiting beyond the mix: the "
                "waiting list itself is not mixed. Invite children from other schools or "
                "neighbourhoods.",
                proposal.filled_beyond_mix,
            ).format(count=proposal.filled_beyond_mix),
            icon="⚠️",
        )
    if not proposal.exhaustive:
        st.caption(_("The search stopped early: this is the best roster it found."))


def _proposal_flags(proposal: RosterProposal) -> None:
    """Flags, as text: the candidates first, then the proposed roster."""
    for key, heading in (
        ("before", _("Every candidate")),
        ("after", _("The proposed roster")),
    ):
        texts = flag_texts(proposal.flags.get(key, CommunityFlags(False, None, False, False, [])))
        for text in texts:
            st.warning(_("{who}: {warning}").format(who=heading, warning=text), icon="⚠️")
        if not texts:
            st.caption(_("{who}: no warning about the community mix.").format(who=heading))


def _composition(proposal: RosterProposal) -> None:
    st.markdown("**" + _("Composition before and after") + "**")
    dimensions = [dimension for dimension in DIMENSIONS if dimension in proposal.before]
    tabs = st.tabs([_(DIMENSIONS[dimension]) for dimension in dimensions])
    for tab, dimension in zip(tabs, dimensions, strict=True):
        with tab:
            _composition_table(
                dimension, proposal.before.get(dimension, {}), proposal.after.get(dimension, {})
            )


def _composition_table(dimension: str, before: dict, after: dict) -> None:
    if not before:
        st.caption(_("Withheld: too few children to show this without pointing at someone."))
        return
    st.dataframe(
        [
            {
                _("Category"): shown_category(dimension, category),
                _("Before: every candidate"): shown_count(value),
                _("After: the proposed roster"): shown_count(after.get(category, 0)),
            }
            for category, value in sorted(
                before.items(), key=lambda item: category_order(dimension, item[0])
            )
        ],
        hide_index=True,
        width="stretch",
    )


def _each_child(
    proposal: RosterProposal, entries: list[RosterEntry], candidate_names: dict[int, str]
) -> None:
    st.markdown("**" + _("Each child") + "**")
    now = {entry.child_id: status_text(entry.status, entry.queue_position) for entry in entries}
    st.dataframe(
        [
            {
                _("Child"): candidate_names[child.id],
                _("Now"): now.get(child.id, "—"),
                _("Proposal"): "✅ " + _("Placed") if child.placed else "➖ " + _("Not placed"),
                _("Why not"): reason_text(child.reason),
                _("Note"): _("placed in a free place, beyond the mix") if child.beyond_mix else "",
            }
            for child in proposal.children
        ],
        hide_index=True,
        width="stretch",
    )


def _accept_or_edit(
    group: Chosen, proposal: RosterProposal, serial: int, candidate_names: dict[int, str]
) -> None:
    st.markdown("**" + _("Accept or edit") + "**")
    st.caption(
        _(
            "Current members always stay: to take a child out, use the roster above. Accepting "
            "gives the free places to the children chosen from the waiting list."
        )
    )
    chosen = st.multiselect(
        _("Children in the roster"),
        list(candidate_names),
        default=[child_id for child_id in proposal.placed_ids if child_id in candidate_names],
        format_func=candidate_names.__getitem__,
        key=f"enrolment_roster_choice_{group.id}_{serial}",
    )
    if not st.button(_("Accept this roster"), type="primary", icon="✅", key=f"accept_{group.id}"):
        return
    problem = None
    promoted: list[str] = []
    with shown_errors(), transaction() as session:
        problem, promoted = _accept(session, group, set(chosen), candidate_names)
    if problem:
        st.warning(problem, icon="⚠️")
    elif promoted:
        done(
            ngettext(
                "The roster was accepted: {count} child moved up from the waiting list ({names}).",
                "The roster was accepted: {count} children moved up from the waiting list "
                "({names}).",
                len(promoted),
            ).format(count=len(promoted), names="; ".join(promoted))
        )


def _accept(
    session: Session, group: Chosen, selected: set[int], candidate_names: dict[int, str]
) -> tuple[str | None, list[str]]:
    """Accept the chosen roster against the group as it is now: why not, or who moved up."""
    actor = page_user(session)
    require_group_manager(session, actor, get_group(session, actor, group.id))
    current = roster(session, actor, group.id)
    member_ids = [e.child_id for e in current if e.status == EnrolmentStatus.ACTIVE]
    queue = [e.child_id for e in current if e.status == EnrolmentStatus.WAITING]
    places = max(group.capacity - len(member_ids), 0)
    chosen_waiting = [child_id for child_id in queue if child_id in selected]
    dropped = [child_id for child_id in member_ids if child_id not in selected]
    if dropped:
        return _(
            "Current members stay in the group: {names}. To take a child out, use "
            "Remove from the group in the roster above."
        ).format(names="; ".join(candidate_names.get(i, "—") for i in dropped)), []
    if selected - set(member_ids) - set(queue):
        return _("The group's roster changed since the proposal. Ask for a new proposal."), []
    if len(chosen_waiting) > places:
        return ngettext(
            "The group has {count} free place: choose fewer children from the waiting "
            "list, or raise the capacity on the Groups page first.",
            "The group has {count} free places: choose fewer children from the waiting "
            "list, or raise the capacity on the Groups page first.",
            places,
        ).format(count=places), []
    if not chosen_waiting and not (places and queue):
        return _("Nothing to change: the roster is already this one."), []
    moved = accept_roster(session, actor, group.id, chosen_waiting)
    return None, [candidate_names.get(enrolment.child_id, "—") for enrolment in moved]


if __name__ == "__main__":
    render()
