# Not split: one page script whose tabs share the chosen group and its waiting list.
"""Enrolment: a group's roster and waiting list with each child's history, signing a child up
(schools sign up pupils, centres refer, facilitators invite), the mixed-roster proposal for the
group's leaders, and the printable consent form for a guardian."""

import streamlit as st

from parliament_app.children.consent_form import consent_form_html
from parliament_app.children.services import get_child, list_children
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
from parliament_app.groups.enrolment import accept_roster, cancel, enrol, history, roster
from parliament_app.groups.services import active_member_count, get_group, list_groups
from parliament_app.models import Community, EndReason, EnrolmentStatus, Role, User
from parliament_app.policy.groups import may_manage_group, require_group_manager
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state, family_first, figures

OUTCOME = PageOutcome("enrolment")
PROPOSAL_KEY = "enrolment_page_proposal"  # (group id, proposal, serial) until accepted/replaced
GUARDIANS_KEY = "enrolment_page_guardians"  # (user, child) -> guardians, read once per session
CHILD_RESULTS = 50
# Who may print a consent form (the service checks each child again): those who record consents.
PRINTS_CONSENT = (Role.ADMINISTRATOR, Role.SCHOOL_COORDINATOR, Role.SOCIAL_WORKER)


def done(message: str) -> None:
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
                "Ghetto risk: {category} children make up half or more, far more than among "
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


def guardians_of(child_id: int) -> list[tuple[int, str, str]] | None:
    """The child's guardians (id, name and relationship, language), read once per browser
    session: the child's record is the only service that lists them."""
    known = st.session_state.setdefault(GUARDIANS_KEY, {})
    key = (user_id, child_id)
    if key not in known:
        with shown_errors(), transaction() as session:
            detail = get_child(session, page_user(session), child_id)
            known[key] = [
                (
                    guardian.id,
                    _("{name} ({relationship})").format(
                        name=guardian.name, relationship=label(guardian.relationship)
                    ),
                    guardian.preferred_language,
                )
                for guardian in detail.guardians
            ]
    return known.get(key)


def deferred(build):
    """A download built only when the person clicks, so only real downloads are audited."""

    def run() -> str | bytes:
        with transaction() as session:
            return build(session, session.get(User, user_id))

    return run


# --- read --------------------------------------------------------------------------------------

with transaction() as session:
    user = page_user(session)
    user_id = user.id
    role = user.role
    groups = {
        group.id: {
            "name": group.name if group.active else _("{name} (closed)").format(name=group.name),
            "kind": label(group.kind),
            "capacity": group.capacity,
            "ages": _("{low}–{high}").format(low=group.min_age, high=group.max_age),
            "manages": may_manage_group(session, user, group),
        }
        for group in list_groups(session, user)
    }

form_round = OUTCOME.form_round

st.title(_("Enrolment"))
st.caption(
    _(
        "Schools sign up their pupils, centres for social work refer the children they follow "
        "and facilitators invite children. When a group is full, children wait in order and "
        "move up as soon as a place frees. A guardian's consent to participation is needed."
    )
)
OUTCOME.show()

if not groups:
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
    st.stop()

group_id = st.selectbox(
    _("Group"),
    list(groups),
    format_func=lambda key: _("{name} · {kind}, ages {ages}").format(
        name=groups[key]["name"], kind=groups[key]["kind"], ages=groups[key]["ages"]
    ),
    key="enrolment_group",
)
group = groups[group_id]
manages = group["manages"]
sees_roster = manages or role == Role.SCHOOL_COORDINATOR

entries = []
events: dict[int, list] = {}
members = 0
with shown_errors(), transaction() as session:
    actor = page_user(session)
    members = active_member_count(session, group_id)
    if sees_roster:
        entries = roster(session, actor, group_id)
        events = {
            entry.enrolment_id: history(session, actor, entry.enrolment_id) for entry in entries
        }
waiting = [entry for entry in entries if entry.status == EnrolmentStatus.WAITING]
names = {entry.child_id: name_of(entry.given_name, entry.family_name) for entry in entries}

# --- the roster --------------------------------------------------------------------------------

st.subheader(_("Roster and waiting list"))
free = max(group["capacity"] - members, 0)
counts = [
    (_("Places"), group["capacity"]),
    (_("Members"), members),
    (_("Free places"), free),
]
if manages:
    counts.append((_("Waiting"), len(waiting)))
figures(counts)

if not sees_roster:
    st.caption(
        _(
            "The roster is shown to the group's leaders, and to schools for their own pupils. "
            "Refer a child below: they get a free place or join the waiting list."
        )
    )
elif not entries:
    empty_state(
        _("No child is enrolled in this group yet. Sign a child up below.")
        if manages
        else _("None of your pupils is enrolled in this group yet. Sign a pupil up below.")
    )
else:
    if not manages:
        st.caption(
            _("You see your own pupils, with their places on the whole group's waiting list.")
        )
    st.dataframe(
        [
            {
                _("Child"): names[entry.child_id],
                _("Status"): status_text(entry.status, entry.queue_position),
            }
            for entry in entries
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(_("Open a child's line to see who changed the enrolment and when, or to end it."))
    for entry in entries:
        title = _("{child}: {status}").format(
            child=names[entry.child_id], status=status_text(entry.status, entry.queue_position)
        )
        with st.expander(title):
            rows = events.get(entry.enrolment_id, [])
            if rows:
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
            else:
                st.caption(_("No change is recorded for this enrolment yet."))
            left, right = st.columns(2)
            if left.button(
                _("Cancel the enrolment"),
                key=f"cancel_enrolment_{entry.enrolment_id}",
                help=_(
                    "At the family's or school's request. A place it held goes to the first "
                    "child waiting."
                ),
            ):
                with shown_errors():
                    with transaction() as session:
                        cancel(session, page_user(session), entry.enrolment_id)
                    done(
                        _("The enrolment of {child} was cancelled.").format(
                            child=names[entry.child_id]
                        )
                    )
            if manages and right.button(
                _("Remove from the group"),
                key=f"remove_enrolment_{entry.enrolment_id}",
                help=_("The leaders' decision. A place it held goes to the first child waiting."),
            ):
                with shown_errors():
                    with transaction() as session:
                        cancel(session, page_user(session), entry.enrolment_id, EndReason.REMOVED)
                    done(
                        _("{child} was removed from the group.").format(child=names[entry.child_id])
                    )

# --- signing a child up ------------------------------------------------------------------------

st.subheader(_("Sign up a child"))
search = st.text_input(
    _("Find a child by name"),
    key=f"enrolment_search_{form_round}",
    help=_("Among the children whose records you may see."),
)
found_children = []
total = 0
with transaction() as session:
    found_children, total = list_children(session, page_user(session), search, limit=CHILD_RESULTS)
children = {
    child.id: name_of(child.given_name, child.family_name)
    + (f" · {child.school_name}" if child.school_name else "")
    for child in found_children
}
signable = {child_id: text for child_id, text in children.items() if child_id not in names}
if total > len(found_children):
    st.caption(
        _("{shown} of {total} children are listed: type part of a name to find others.").format(
            shown=format_number(len(found_children)), total=format_number(total)
        )
    )

consent_missing = None
if not children:
    empty_state(
        _("No child matches this name.")
        if search.strip()
        else {
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
    )
elif not signable:
    empty_state(_("Every child listed is already enrolled in or waiting for this group."))
else:
    with st.form(f"enrol_{group_id}_{form_round}"):
        child_id = st.selectbox(_("Child"), list(signable), format_func=signable.__getitem__)
        submitted = st.form_submit_button(_("Sign up"), type="primary")
    if submitted:
        outcome = None
        try:
            with transaction() as session:
                actor = page_user(session)
                enrolment = enrol(session, actor, group_id, child_id)
                status, position = enrolment.status, None
                if status == EnrolmentStatus.WAITING and sees_roster:
                    position = next(
                        (
                            entry.queue_position
                            for entry in roster(session, actor, group_id)
                            if entry.enrolment_id == enrolment.id
                        ),
                        None,
                    )
                outcome = (status, position)
        except ValidationError as error:
            if error.field == "consent":
                consent_missing = child_id
            else:
                st.error(error.message, icon="⚠️")
        except ServiceError as error:
            st.error(error.message, icon="⚠️")
        if outcome is not None:
            child_name = signable[child_id]
            status, position = outcome
            if status == EnrolmentStatus.ACTIVE:
                done(
                    _("{child} got a place in {group}.").format(
                        child=child_name, group=group["name"]
                    )
                )
            elif position is not None:
                done(
                    _(
                        "{group} is full: {child} is on the waiting list, number {position}. "
                        "The child moves up as soon as a place frees."
                    ).format(
                        group=group["name"], child=child_name, position=format_number(position)
                    )
                )
            else:
                done(
                    _(
                        "{group} is full: {child} is on the waiting list and moves up as soon "
                        "as a place frees."
                    ).format(group=group["name"], child=child_name)
                )
if consent_missing is not None:
    st.warning(
        _(
            "{child} cannot be signed up yet: no parent or guardian has given consent to "
            "participation. Record the guardian's consent in the child's record on the "
            "Children page, then sign the child up again. A printable consent form is below."
        ).format(child=signable[consent_missing]),
        icon="📝",
    )
    st.page_link(
        "parliament_app/ui/pages/children.py", label=_("Go to the Children page"), icon="🧒"
    )

# --- the consent form --------------------------------------------------------------------------

if role in PRINTS_CONSENT:
    st.subheader(_("Print the consent form"))
    st.caption(
        _(
            "A print-ready form in the guardian's language, for the guardian to read, tick and "
            "sign. Open the downloaded file in a browser and print it or save it as PDF."
        )
    )
    if not children:
        empty_state(_("Find the child above first."))
    else:
        options = list(children)
        child_key = f"consent_form_child_{form_round}"
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
            guardian_names = {guardian_id: text for guardian_id, text, _lang in guardians}
            languages = {guardian_id: lang for guardian_id, _text, lang in guardians}
            left, right = st.columns(2)
            form_guardian = left.selectbox(
                _("Guardian"),
                list(guardian_names),
                format_func=guardian_names.__getitem__,
                key=f"consent_form_guardian_{form_child}",
            )
            codes = list(LANGUAGE_NAMES)
            preferred = language_from_tag(languages[form_guardian]) or "sr"
            form_language = right.selectbox(
                _("Language of the form"),
                codes,
                index=codes.index(preferred) if preferred in codes else 0,
                format_func=LANGUAGE_NAMES.__getitem__,
                key=f"consent_form_language_{form_child}_{form_guardian}",
                help=_("The guardian's own language is chosen first."),
            )
            st.download_button(
                _("Download the consent form"),
                deferred(
                    lambda session, actor: consent_form_html(
                        session, actor, form_child, form_guardian, form_language, group_id
                    )
                ),
                file_name=f"consent-form-{form_child}-{form_guardian}-{form_language}.html",
                mime="text/html",
                icon="🖨️",
                on_click="ignore",
                help=_("Downloads are recorded in the audit log."),
            )
elif role == Role.FACILITATOR:
    st.caption(
        _(
            "The child's school or centre for social work prints the consent form for the "
            "guardian and records the consent."
        )
    )

# --- the mixed roster --------------------------------------------------------------------------

if not manages:
    st.stop()

st.subheader(_("Propose a mixed roster"))
st.caption(
    _(
        "The composer keeps the current members and picks from the waiting list, in order, so "
        "that no background takes more than the chosen share of the roster. You see only "
        "totals (small numbers are hidden as <5 or 5+), never a child's background."
    )
)
with st.form(f"propose_{group_id}_{form_round}"):
    left, right = st.columns(2)
    capacity = left.number_input(
        _("Places in the roster"),
        1,
        500,
        group["capacity"],
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
if propose:
    proposal = None
    with shown_errors(), transaction() as session:
        proposal = propose_roster(
            session, page_user(session), group_id, int(capacity), int(share) / 100
        )
    if proposal is not None:
        serial = st.session_state.get(PROPOSAL_KEY, (None, None, 0))[2] + 1
        st.session_state[PROPOSAL_KEY] = (group_id, proposal, serial)

stored = st.session_state.get(PROPOSAL_KEY)
if stored is None or stored[0] != group_id:
    st.caption(_("Choose the places and the share, then ask for a proposal."))
    st.stop()
proposal: RosterProposal = stored[1]
serial = stored[2]
if not proposal.children:
    empty_state(
        _("Nobody is enrolled or waiting in this group, so there is nothing to compose yet.")
    )
    st.stop()

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
            "{count} free places went to the next children waiting beyond the mix: the waiting "
            "list itself is not mixed. Invite children from other schools or neighbourhoods.",
            proposal.filled_beyond_mix,
        ).format(count=proposal.filled_beyond_mix),
        icon="⚠️",
    )
if not proposal.exhaustive:
    st.caption(_("The search stopped early: this is the best roster it found."))

# Flags, as text: the candidates first, then the proposed roster.
for key, heading in (
    ("before", _("Every candidate")),
    ("after", _("The proposed roster")),
):
    texts = flag_texts(proposal.flags.get(key, CommunityFlags(False, None, False, False, [])))
    for text in texts:
        st.warning(_("{who}: {warning}").format(who=heading, warning=text), icon="⚠️")
    if not texts:
        st.caption(_("{who}: no warning about the community mix.").format(who=heading))

st.markdown("**" + _("Composition before and after") + "**")
dimensions = [dimension for dimension in DIMENSIONS if dimension in proposal.before]
tabs = st.tabs([_(DIMENSIONS[dimension]) for dimension in dimensions])
for tab, dimension in zip(tabs, dimensions, strict=True):
    with tab:
        before = proposal.before.get(dimension, {})
        after = proposal.after.get(dimension, {})
        if not before:
            st.caption(_("Withheld: too few children to show this without pointing at someone."))
            continue
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

st.markdown("**" + _("Each child") + "**")
now = {entry.child_id: status_text(entry.status, entry.queue_position) for entry in entries}
candidate_names = {
    child.id: name_of(child.given_name, child.family_name) for child in proposal.children
}
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
    key=f"enrolment_roster_choice_{group_id}_{serial}",
)
if st.button(_("Accept this roster"), type="primary", icon="✅", key=f"accept_{group_id}"):
    problem = None
    promoted: list[str] = []
    with shown_errors(), transaction() as session:
        actor = page_user(session)
        require_group_manager(session, actor, get_group(session, actor, group_id))
        current = roster(session, actor, group_id)
        member_ids = [e.child_id for e in current if e.status == EnrolmentStatus.ACTIVE]
        queue = [e.child_id for e in current if e.status == EnrolmentStatus.WAITING]
        places = max(group["capacity"] - len(member_ids), 0)
        selected = set(chosen)
        chosen_waiting = [child_id for child_id in queue if child_id in selected]
        dropped = [child_id for child_id in member_ids if child_id not in selected]
        if dropped:
            problem = _(
                "Current members stay in the group: {names}. To take a child out, use "
                "Remove from the group in the roster above."
            ).format(names="; ".join(candidate_names.get(i, "—") for i in dropped))
        elif selected - set(member_ids) - set(queue):
            problem = _("The group's roster changed since the proposal. Ask for a new proposal.")
        elif len(chosen_waiting) > places:
            problem = ngettext(
                "The group has {count} free place: choose fewer children from the waiting "
                "list, or raise the capacity on the Groups page first.",
                "The group has {count} free places: choose fewer children from the waiting "
                "list, or raise the capacity on the Groups page first.",
                places,
            ).format(count=places)
        elif not chosen_waiting and not (places and queue):
            problem = _("Nothing to change: the roster is already this one.")
        else:
            moved = accept_roster(session, actor, group_id, chosen_waiting)
            chosen_waiting = [enrolment.child_id for enrolment in moved]
            promoted = [candidate_names.get(i, "—") for i in chosen_waiting]
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
