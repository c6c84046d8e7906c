"""Parental involvement: how many children have a guardian who took part, per child, group,
school and municipality, with charts and a download; and one family's timeline."""

import pandas as pd
import streamlit as st

from parliament_app.children.services import get_child, list_children
from parliament_app.core.clock import local_today
from parliament_app.core.i18n import _, format_datetime, format_number, format_percent
from parliament_app.core.labels import label
from parliament_app.groups.diversity.report import SMALL_CELL, school_terms
from parliament_app.models import Role, User
from parliament_app.models.attendance import AttendanceStatus, InvolvementRole
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.widgets import empty_state, family_first
from sessions.involvement import (
    LEVELS,
    chart_data,
    export_indicator_csv,
    family_timeline,
    involvement_indicator,
)

# The roles' and statuses' names come translated from the services (ROLE_LABELS, STATUS_LABELS);
# the icons match the attendance page so a status is never told by colour alone.
STATUS_ICONS: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.LATE: "🕒",
    AttendanceStatus.EXCUSED: "📝",
    AttendanceStatus.ABSENT: "❌",
    AttendanceStatus.LEFT_EARLY: "🚪",
}
ROLE_ICONS: dict[InvolvementRole, str] = {
    InvolvementRole.ACCOMPANIED: "🚶",
    InvolvementRole.FAMILY_WORKSHOP: "👪",
    InvolvementRole.VOLUNTEERED: "🙋",
    InvolvementRole.MET_SPECIALIST: "🗣️",
    InvolvementRole.OTHER: "➕",
}
TERMS = school_terms(local_today(), count=4)  # oldest first; the last is the current term
SMALL = f"<{SMALL_CELL}"
GUARDIANS_KEY = "involvement_page_guardians"  # (user, child) -> guardians, read once per session
CHILDREN_SHOWN = 50


def shown(value: int | None) -> str:
    return SMALL if value is None else format_number(value)


def guardians_of(child_id: int) -> list[tuple[int, str, object]] | None:
    """The child's guardians (id, name, relationship), read once per browser session."""
    known = st.session_state.setdefault(GUARDIANS_KEY, {})
    key = (user_id, child_id)
    if key not in known:
        with shown_errors(), transaction() as session:
            detail = get_child(session, page_user(session), child_id)
            known[key] = [
                (guardian.id, guardian.name, guardian.relationship) for guardian in detail.guardians
            ]
    return known.get(key)


with transaction() as session:
    user = page_user(session)
    user_id, role = user.id, user.role

st.title(_("Parental involvement"))
st.caption(
    _(
        "How many children have a guardian who took part in the programme: accompanied the "
        "child, joined a family workshop, volunteered or met a specialist."
    )
)

# --- the indicator -----------------------------------------------------------------------------

st.subheader(_("Involvement indicator"))
left, right = st.columns(2)
level = left.selectbox(
    _("Per"), list(LEVELS), index=1, format_func=lambda key: _(LEVELS[key]), key="involvement_level"
)
term_labels = [term_label for term_label, _start, _end in TERMS]
term = right.selectbox(
    _("School term"), term_labels, index=len(term_labels) - 1, key="involvement_term"
)
start, end = next((first, last) for term_label, first, last in TERMS if term_label == term)

rows = None
with shown_errors(), transaction() as session:
    rows = involvement_indicator(session, page_user(session), level, start, end)

if rows is not None and not rows:
    empty_state(
        _(
            "No child you may see was enrolled in a group in this term, so there is nothing to "
            "count yet."
        )
    )
elif rows:
    points = chart_data(rows)
    if points:
        unit = _(LEVELS[level])
        share_column = _("Children with an involved guardian (%)")
        count_column = _("Involvements")
        chart = pd.DataFrame(
            [
                {
                    unit: point["label"],
                    share_column: round(100 * point["share"], 1),
                    count_column: point["involvements"],
                }
                for point in points
            ]
        )
        share_side, count_side = st.columns(2)
        with share_side:
            st.markdown("**" + share_column + "**")
            st.bar_chart(chart, x=unit, y=share_column, horizontal=True)
        with count_side:
            st.markdown("**" + count_column + "**")
            st.bar_chart(chart, x=unit, y=count_column, horizontal=True)
    else:
        st.caption(
            _("Every row counts fewer than {count} children, so there is no chart.").format(
                count=SMALL_CELL
            )
        )
    st.dataframe(
        [
            {
                _(LEVELS[level]): row.label,
                _("Children"): shown(row.children),
                _("With an involved guardian"): shown(row.children_with_involved_guardian),
                _("Share"): "—" if row.share is None else format_percent(row.share),
                _("Involvements"): "—"
                if row.involvements is None
                else format_number(row.involvements),
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _(
            "Children: those enrolled in a group in the term. Share: of them, those with a "
            "guardian who took part in a session of the term. Involvements: how many times "
            "their guardians took part."
        )
    )
    if any(row.suppressed for row in rows):
        st.caption(
            _(
                "Fewer than {count} children are shown as “<{count}”, and their share and "
                "involvements are hidden, so no family can be singled out."
            ).format(count=SMALL_CELL)
        )
    if level == "child" and role != Role.ADMINISTRATOR:
        st.caption(_("The list of children is downloaded by administrators only."))
    else:

        def build_csv() -> str:
            with transaction() as session:
                return export_indicator_csv(session, session.get(User, user_id), level, start, end)

        st.download_button(
            _("Download CSV"),
            build_csv,
            file_name=f"involvement-{level}-{start.isoformat()}.csv",
            mime="text/csv",
            on_click="ignore",
            help=_("Small counts are always hidden in the download."),
        )

# --- a family's timeline -----------------------------------------------------------------------

st.subheader(_("Family timeline"))
st.caption(
    _(
        "Choose a child, then one of their guardians: the guardian's involvement and the "
        "children's attendance, by date."
    )
)
search = st.text_input(_("Search a child by name"), key="involvement_search")
children = None
with shown_errors(), transaction() as session:
    children, total = list_children(session, page_user(session), search, limit=CHILDREN_SHOWN)
if children is not None and not children:
    empty_state(_("No child found."))
elif children:
    if total > len(children):
        st.caption(
            _("The first {shown} of {total} children; search by name to find others.").format(
                shown=format_number(len(children)), total=format_number(total)
            )
        )
    child_names = {
        child.id: family_first(child.family_name, child.given_name)
        + (f" · {child.school_name}" if child.school_name else "")
        for child in children
    }
    child_id = st.selectbox(
        _("Child"), list(child_names), format_func=child_names.__getitem__, key="involvement_child"
    )
    guardians = guardians_of(child_id)
    if guardians is not None and not guardians:
        empty_state(_("No guardian is linked to this child."))
    elif guardians:
        guardian_names = {
            guardian_id: _("{name} ({relationship})").format(
                name=name, relationship=label(relationship)
            )
            for guardian_id, name, relationship in guardians
        }
        guardian_id = st.selectbox(
            _("Guardian"),
            list(guardian_names),
            format_func=guardian_names.__getitem__,
            key=f"involvement_guardian_{child_id}",
        )
        timeline = None
        with shown_errors(), transaction() as session:
            timeline = family_timeline(session, page_user(session), guardian_id)
        if timeline is not None and not timeline:
            empty_state(_("Nothing is recorded for this family yet."))
        elif timeline:
            st.dataframe(
                [
                    {
                        _("When"): format_datetime(entry.at, "short"),
                        _("What"): (
                            f"{ROLE_ICONS[entry.role]} "
                            + _("Guardian: {role}").format(role=entry.label)
                        )
                        if entry.kind == "involvement"
                        else f"{STATUS_ICONS[entry.status]} "
                        + _("Attendance: {status}").format(status=entry.label),
                        _("Child"): entry.child_given_name or "—",
                        _("Group"): entry.group,
                        _("Session"): entry.topic,
                    }
                    for entry in timeline
                ],
                hide_index=True,
                width="stretch",
            )
