"""Calendar: the sessions this user's calendar shows, a week or a month at a time, and a file to
add them to one's own calendar app."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from parliament_app.core.clock import local_today
from parliament_app.core.i18n import _, current_language, format_date, format_datetime
from parliament_app.models import Role
from parliament_app.ui.context import page_user, transaction
from parliament_app.ui.lookups import deferred
from parliament_app.ui.widgets import empty_state
from sessions.calendar import (
    CalendarEntry,
    ical_for_user,
    monday_of,
    month_grid,
    month_range,
    visible_occurrences,
    week_grid,
)
from sessions.times import add_months

VIEW_KEY = "calendar_view"
ANCHOR_KEY = "calendar_anchor"
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$])")


def render() -> None:
    today = local_today()
    st.title(_("Calendar"))
    st.caption(
        _(
            "The sessions, practices and excursions of the groups you work with. Times are local "
            "time (Central Europe)."
        )
    )
    view = st.radio(
        _("Show"),
        ["week", "month"],
        format_func=lambda value: _("Week") if value == "week" else _("Month"),
        horizontal=True,
        key=VIEW_KEY,
    )
    start, end = _period(view, st.session_state.get(ANCHOR_KEY, today))
    with transaction() as session:
        user = page_user(session)
        role = user.role
        entries = visible_occurrences(session, user, start, end)
    _navigation(view, start, end)
    if not entries:
        _nothing_scheduled(role)
    weekdays = [
        format_date(monday_of(today) + timedelta(days=offset), "EEEE") for offset in range(7)
    ]
    if view == "week":
        _week(entries, start, today, weekdays)
    elif entries:
        _month(entries, start, weekdays)
    _calendar_file(current_language())


def plain(text: str) -> str:
    """Staff-typed text shown as written, not as Markdown."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def clock(moment: datetime) -> str:
    return format_datetime(moment, "HH:mm")


def shift(step: int) -> None:
    anchor = st.session_state.get(ANCHOR_KEY, local_today())
    if st.session_state.get(VIEW_KEY, "week") == "week":
        st.session_state[ANCHOR_KEY] = anchor + timedelta(weeks=step)
    else:
        st.session_state[ANCHOR_KEY] = add_months(anchor.replace(day=1), step)


def back_to_today() -> None:
    st.session_state[ANCHOR_KEY] = local_today()


def entry_markdown(entry: CalendarEntry) -> str:
    times = _("{start}–{end}").format(start=clock(entry.starts_local), end=clock(entry.ends_local))
    topic = plain(entry.topic or entry.kind_label)
    lines = [f"**{times}**", f"~~{topic}~~" if entry.cancelled else f"**{topic}**"]
    lines.append(plain(entry.group_name))
    lines.append(entry.kind_label)
    if entry.venue_name:
        lines.append("📍 " + plain(entry.venue_name))
    if entry.cancelled:
        lines.insert(0, "🚫 **" + entry.status_label + "**")
    return "  \n".join(lines)


def entry_line(entry: CalendarEntry) -> str:
    """One entry in a month cell: its time and topic, and the status when it is cancelled."""
    text = _("{time} {topic}").format(
        time=clock(entry.starts_local), topic=entry.topic or entry.kind_label
    )
    if entry.cancelled:
        text = _("{entry} ({status})").format(entry=text, status=entry.status_label)
    return text


def _period(view: str, anchor: date) -> tuple[date, date]:
    """The first and last day shown: the anchor's week (from Monday) or its month."""
    if view == "week":
        start = monday_of(anchor)
        return start, start + timedelta(days=6)
    return month_range(anchor.year, anchor.month)


def _navigation(view: str, start: date, end: date) -> None:
    previous, current, following, heading = st.columns([1, 1, 1, 3])
    previous.button(
        _("← Previous week") if view == "week" else _("← Previous month"),
        on_click=shift,
        args=(-1,),
        key="calendar_previous",
    )
    current.button(_("Today"), on_click=back_to_today, key="calendar_today")
    following.button(
        _("Next week →") if view == "week" else _("Next month →"),
        on_click=shift,
        args=(1,),
        key="calendar_next",
    )
    if view == "week":
        heading.subheader(
            _("{start} – {end}").format(start=format_date(start), end=format_date(end))
        )
    else:
        heading.subheader(format_date(start, "LLLL y"))


def _nothing_scheduled(role: Role) -> None:
    if role in (Role.ADMINISTRATOR, Role.FACILITATOR):
        empty_state(
            _(
                "Nothing is scheduled in this period. Schedule sessions on the Sessions page, "
                "or go to another week or month."
            )
        )
    else:
        empty_state(
            _(
                "Nothing is scheduled in this period for the groups your children attend. "
                "Go to another week or month, or check back once facilitators plan sessions."
            )
        )


def _week(entries: list[CalendarEntry], start: date, today: date, weekdays: list[str]) -> None:
    for offset, (column, day_entries) in enumerate(
        zip(st.columns(7), week_grid(entries, start), strict=True)
    ):
        day = start + timedelta(days=offset)
        title = "**" + weekdays[offset] + "**  \n" + format_date(day, "short")
        if day == today:
            title += "  \n" + _("(today)")
        column.markdown(title)
        if not day_entries:
            column.caption(_("Nothing scheduled"))
        for entry in day_entries:
            column.container(border=True).markdown(entry_markdown(entry))


def _month(entries: list[CalendarEntry], start: date, weekdays: list[str]) -> None:
    weeks = month_grid(entries, start.year, start.month)
    st.table(
        pd.DataFrame(
            [
                [
                    ""
                    if day is None
                    else " · ".join([str(day.day), *(entry_line(entry) for entry in cell)])
                    for day, cell in week
                ]
                for week in weeks
            ],
            columns=weekdays,
        )
    )
    with st.expander(_("The month as a list")):
        for entry in entries:
            st.markdown("**" + format_date(entry.day, "full") + "**  \n" + entry_markdown(entry))


def _calendar_file(language: str) -> None:
    """Built only when the person clicks, in the language of the page they clicked on."""
    st.download_button(
        _("Add to my calendar (.ics)"),
        deferred(lambda session, actor: ical_for_user(session, actor, language=language)),
        file_name="childrens-parliament.ics",
        mime="text/calendar",
        icon="📅",
        help=_(
            "A file with everything your calendar shows here, past and future, for Google, "
            "Outlook or your phone's calendar. Download it again after changes."
        ),
    )


if __name__ == "__main__":
    render()
