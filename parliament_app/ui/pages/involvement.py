"""Parental involvement: how many children have a guardian who took part, per child, group,
school and municipality, with charts and a download; and one family's timeline."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from parliament_app.children.services import list_children
from parliament_app.core.clock import local_today
from parliament_app.core.i18n import _, format_datetime, format_number, format_percent
from parliament_app.groups.diversity.report import SMALL_CELL, school_terms
from parliament_app.models import Role
from parliament_app.models.attendance import AttendanceStatus, InvolvementRole
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.groups_widgets import child_choices, guardian_choices
from parliament_app.ui.lookups import deferred, guardians_of
from parliament_app.ui.widgets import empty_state
from sessions.involvement import (
    LEVELS,
    IndicatorRow,
    TimelineEntry,
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
SMALL = f"<{SMALL_CELL}"
CHILDREN_SHOWN = 50


def render() -> None:
    terms = school_terms(local_today(), count=4)  # oldest first; the last is the current term
    with transaction() as session:
        role = page_user(session).role
    _introduction()
    _indicator(terms, role)
    _family_timeline()


def shown(value: int | None) -> str:
    return SMALL if value is None else format_number(value)


def _introduction() -> None:
    st.title(_("Parental involvement"))
    st.caption(
        _(
            "How many children have a guardian who took part in the programme: accompanied the "
            "child, joined a family workshop, volunteered or met a specialist."
        )
    )


# --- the indicator -----------------------------------------------------------------------------


def _indicator(terms: list[tuple[str, date, date]], role: Role) -> None:
    st.subheader(_("Involvement indicator"))
    left, right = st.columns(2)
    level = left.selectbox(
        _("Per"),
        list(LEVELS),
        index=1,
        format_func=lambda key: _(LEVELS[key]),
        key="involvement_level",
    )
    term_labels = [term_label for term_label, _start, _end in terms]
    term = right.selectbox(
        _("School term"), term_labels, index=len(term_labels) - 1, key="involvement_term"
    )
    start, end = next((first, last) for term_label, first, last in terms if term_label == term)
    rows = None
    with shown_errors(), transaction() as session:
        rows = involvement_indicator(session, page_user(session), level, start, end)
    if rows is not None and not rows:
        empty_state(
            _(
                "No child you may see was enrolled in a group in this term, so there is nothing "
                "to count yet."
            )
        )
    elif rows:
        _indicator_charts(rows, level)
        _indicator_table(rows, level)
        _indicator_download(level, start, end, role)


def _indicator_charts(rows: list[IndicatorRow], level: str) -> None:
    """The share and the number of involvements side by side (suppressed rows left out)."""
    points = chart_data(rows)
    if not points:
        st.caption(
            _("Every row counts fewer than {count} children, so there is no chart.").format(
                count=SMALL_CELL
            )
        )
        return
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


def _indicator_table(rows: list[IndicatorRow], level: str) -> None:
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


def _indicator_download(level: str, start: date, end: date, role: Role) -> None:
    if level == "child" and role != Role.ADMINISTRATOR:
        st.caption(_("The list of children is downloaded by administrators only."))
        return
    st.download_button(
        _("Download CSV"),
        deferred(lambda session, actor: export_indicator_csv(session, actor, level, start, end)),
        file_name=f"involvement-{level}-{start.isoformat()}.csv",
        mime="text/csv",
        on_click="ignore",
        help=_("Small counts are always hidden in the download."),
    )


# --- a family's timeline -----------------------------------------------------------------------


def _family_timeline() -> None:
    st.subheader(_("Family timeline"))
    st.caption(
        _(
            "Choose a child, then one of their guardians: the guardian's involvement and the "
            "children's attendance, by date."
        )
    )
    child_id = _child_choice()
    if child_id is None:
        return
    guardian_id = _guardian_choice(child_id)
    if guardian_id is None:
        return
    timeline = None
    with shown_errors(), transaction() as session:
        timeline = family_timeline(session, page_user(session), guardian_id)
    if timeline is not None and not timeline:
        empty_state(_("Nothing is recorded for this family yet."))
    elif timeline:
        _timeline_table(timeline)


def _child_choice() -> int | None:
    """The child found by name and chosen; None when none is found (or the search is refused)."""
    search = st.text_input(_("Search a child by name"), key="involvement_search")
    children = None
    with shown_errors(), transaction() as session:
        children, total = list_children(session, page_user(session), search, limit=CHILDREN_SHOWN)
    if children is not None and not children:
        empty_state(_("No child found."))
    if not children:
        return None
    if total > len(children):
        st.caption(
            _("The first {shown} of {total} children; search by name to find others.").format(
                shown=format_number(len(children)), total=format_number(total)
            )
        )
    child_names = child_choices(children)
    return st.selectbox(
        _("Child"), list(child_names), format_func=child_names.__getitem__, key="involvement_child"
    )


def _guardian_choice(child_id: int) -> int | None:
    """One of the child's guardians; None when none is linked (or the record is refused)."""
    guardians = guardians_of(child_id)
    if guardians is not None and not guardians:
        empty_state(_("No guardian is linked to this child."))
    if not guardians:
        return None
    guardian_names = guardian_choices(guardians)
    return st.selectbox(
        _("Guardian"),
        list(guardian_names),
        format_func=guardian_names.__getitem__,
        key=f"involvement_guardian_{child_id}",
    )


def _timeline_table(timeline: list[TimelineEntry]) -> None:
    st.dataframe(
        [
            {
                _("When"): format_datetime(entry.at, "short"),
                _("What"): (
                    f"{ROLE_ICONS[entry.role]} " + _("Guardian: {role}").format(role=entry.label)
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


if __name__ == "__main__":
    render()
