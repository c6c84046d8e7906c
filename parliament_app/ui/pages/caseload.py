"""Caseload dashboard: the children a centre for social work follows and whose participation it
may see, the ones drifting away first; one child's participation timeline on the same page; and
closing an at-risk record. Every read is a special-category read, audited by the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from parliament_app.children.risk import FollowedChild, close_risk_record, followed_children
from parliament_app.core.i18n import N_, _, format_date, format_number, ngettext
from parliament_app.core.labels import RISK_CATEGORY_LABELS
from parliament_app.models import RiskCategory, Role
from parliament_app.monitoring.caseload import (
    CaseloadRow,
    ParticipationTimeline,
    TimelineEvent,
    caseload,
    local_date,
    local_today,
    participation_timeline,
)
from parliament_app.ui.admin_widgets import centre_choice, centres_to_choose, plain, trend_text
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("caseload")
DRIFTING_ABSENCES = 2  # "2+ absences in a row": the first-glance warning
CHART_LIMIT = 30  # the chart shows the children who need attention most
SORT_LABELS = {
    "risk": N_("Who needs attention first"),
    "name": N_("Name"),
    "rate_4w": N_("Attendance over 4 weeks (lowest first)"),
    "rate_12w": N_("Attendance over 12 weeks (lowest first)"),
    "last_attended": N_("Last attended (longest ago first)"),
    "absences": N_("Absences in a row (most first)"),
    "alerts": N_("Open alerts (most first)"),
}
BASIS_LABELS = {"referral": N_("Referral"), "consent": N_("Consent"), "administrator": ""}
# Timeline icons: attendance by status, everything else by kind. Always next to a text label.
ATTENDANCE_ICONS = {
    "present": "✅",
    "late": "🕒",
    "excused": "📝",
    "absent": "❌",
    "left_early": "🚪",
    "unmarked": "❔",
}
KIND_ICONS = {"enrolment": "📋", "involvement": "👪", "quiz": "🧩", "alert": "🔔"}
KIND_LABELS = {
    "enrolment": N_("Enrolment"),
    "attendance": N_("Attendance"),
    "involvement": N_("Guardian involvement"),
    "quiz": N_("Quiz"),
    "alert": N_("Alert"),
}


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, as the caseload service takes them."""

    search: str
    group_id: int | None
    sort: str
    only_alerts: bool

    @property
    def narrowed(self) -> bool:
        """Whether the list differs from the whole caseload in its default order."""
        return (
            bool(self.search.strip())
            or self.group_id is not None
            or self.only_alerts
            or (self.sort != "risk")
        )


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100)


def attention_text(row: CaseloadRow) -> str:
    """The first-glance status of a child: an icon and words, never colour alone."""
    if row.open_alerts:
        return "🔔 " + ngettext(
            "{count} open alert", "{count} open alerts", row.open_alerts
        ).format(count=format_number(row.open_alerts))
    if row.consecutive_absences >= DRIFTING_ABSENCES:
        return "⚠️ " + ngettext(
            "{count} absence in a row", "{count} absences in a row", row.consecutive_absences
        ).format(count=format_number(row.consecutive_absences))
    if row.trend == "down":
        return trend_text("down")
    if row.rate_4w is None:
        return "➖ " + _("Nothing to count yet")
    return "✅ " + _("Taking part")


def event_line(event: TimelineEvent) -> str:
    icon = (
        ATTENDANCE_ICONS.get(event.code, "❔")
        if event.kind == "attendance"
        else KIND_ICONS.get(event.kind, "•")
    )
    day = local_date(event.at)
    parts = [f"**{format_date(day)}**" if day else "—", _(KIND_LABELS.get(event.kind, ""))]
    parts.append(event.label)  # a translated label, not data
    if event.group:
        parts.append(plain(event.group))
    if event.topic:
        parts.append(plain(event.topic))
    if event.count is not None:
        parts.append(
            ngettext("{count} question answered", "{count} questions answered", event.count).format(
                count=format_number(event.count)
            )
        )
    return f"- {icon} " + " · ".join(part for part in parts if part)


def record_title(record: FollowedChild) -> str:
    categories = ", ".join(
        _(RISK_CATEGORY_LABELS[RiskCategory(code)]) for code in record.categories
    )
    return _("{name} · since {date} · {categories}").format(
        name=f"{record.given_name} {record.family_name}",
        date=format_date(record.opened_on),
        categories=categories,
    )


def render() -> None:
    with transaction() as session:
        user = page_user(session)
        role = user.role
        centres = centres_to_choose(session, user)
    form_round = OUTCOME.form_round
    st.title(_("Caseload"))
    st.caption(
        _(
            "Special-category data: every view of this page, of a child's timeline and of the "
            "records is recorded in the audit log."
        )
    )
    OUTCOME.show()
    csw_id = centre_choice(centres, key="caseload_centre") if role == Role.ADMINISTRATOR else None
    everyone = _caseload(csw_id)
    if everyone is None:
        st.stop()
    if not everyone:
        _no_caseload()
    else:
        _dashboard(everyone, csw_id)
        _timeline(everyone, csw_id)
    if role == Role.SOCIAL_WORKER:
        _at_risk_records(form_round)


def _caseload(csw_id: int | None, filters: Filters | None = None) -> list[CaseloadRow] | None:
    """The centre's children, filtered; None when refused (the refusal is shown)."""
    narrowing = (
        {}
        if filters is None
        else {
            "search": filters.search,
            "sort": filters.sort,
            "group_id": filters.group_id,
            "with_open_alerts": filters.only_alerts,
        }
    )
    with shown_errors(), transaction() as session:
        return caseload(session, page_user(session), csw_id=csw_id, **narrowing)
    return None


def _no_caseload() -> None:
    empty_state(
        _(
            "No child is in the caseload yet. A child appears here when the centre has an open "
            "at-risk record for them (opened on the child's record on the Children page) and "
            "either the centre referred the child to a group or a guardian consented to share "
            "the child's participation with the centre."
        )
    )


# --- the dashboard -------------------------------------------------------------------------


def _dashboard(everyone: list[CaseloadRow], csw_id: int | None) -> None:
    _headline(everyone)
    filters = _filters(everyone)
    rows = _caseload(csw_id, filters) if filters.narrowed else everyone
    if rows is None:
        st.stop()
    if not rows:
        empty_state(_("No child matches these filters."))
        return
    _table(rows)
    _chart(rows)


def _headline(everyone: list[CaseloadRow]) -> None:
    drifting = [row for row in everyone if row.consecutive_absences >= DRIFTING_ABSENCES]
    first, second, third = st.columns(3)
    first.metric(_("Children followed"), format_number(len(everyone)))
    second.metric(_("Open alerts"), format_number(sum(row.open_alerts for row in everyone)))
    third.metric(_("Children with 2 or more absences in a row"), format_number(len(drifting)))
    if drifting:
        st.warning(
            _("Drifting away: {names}").format(
                names=", ".join(plain(row.name) for row in drifting)
            ),
            icon="⚠️",
        )


def _filters(everyone: list[CaseloadRow]) -> Filters:
    groups: dict[int, str] = {}
    for row in everyone:
        groups.update(zip(row.group_ids, row.groups, strict=False))
    left, middle, right = st.columns([2, 2, 2])
    search = left.text_input(_("Search by name"), key="caseload_search")
    group_id = middle.selectbox(
        _("Group"),
        [None, *sorted(groups, key=lambda key: groups[key].casefold())],
        format_func=lambda key: groups[key] if key else _("All groups"),
        key="caseload_group",
    )
    sort = right.selectbox(
        _("Sort by"),
        list(SORT_LABELS),
        format_func=lambda key: _(SORT_LABELS[key]),
        key="caseload_sort",
    )
    only_alerts = st.checkbox(_("Only children with open alerts"), key="caseload_only_alerts")
    return Filters(search, group_id, sort, only_alerts)


def _table(rows: list[CaseloadRow]) -> None:
    columns = {
        "child": _("Child"),
        "attention": _("Attention"),
        "rate_4w": _("4 weeks"),
        "rate_12w": _("12 weeks"),
        "absences": _("Absences in a row"),
        "last": _("Last attended"),
        "trend": _("Trend"),
        "attended": _("Attended (4 weeks)"),
        "alerts": _("Open alerts"),
        "involvement": _("Guardian involvement (12 weeks)"),
        "quizzes": _("Quizzes joined"),
        "groups": _("Groups"),
        "basis": _("Basis"),
    }
    table = pd.DataFrame([_table_row(row, columns) for row in rows])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config=_column_config(columns),
    )
    st.caption(
        _(
            "Attendance rates count the sessions of the last 4 and 12 weeks (unmarked "
            "sessions count as absent). Trend compares the last 4 weeks with the 4 weeks "
            "before."
        )
    )


def _table_row(row: CaseloadRow, columns: dict[str, str]) -> dict[str, Any]:
    return {
        columns["child"]: row.name,
        columns["attention"]: attention_text(row),
        columns["rate_4w"]: percent(row.rate_4w),
        columns["rate_12w"]: percent(row.rate_12w),
        columns["absences"]: row.consecutive_absences,
        columns["last"]: row.last_attended,
        columns["trend"]: trend_text(row.trend) if row.rate_4w is not None else "—",
        columns["attended"]: f"{row.attended_4w} / {row.scheduled_4w}",
        columns["alerts"]: row.open_alerts,
        columns["involvement"]: row.guardian_involvements_12w,
        columns["quizzes"]: row.quiz_runs,
        columns["groups"]: ", ".join(row.groups) or "—",
        columns["basis"]: _(BASIS_LABELS.get(row.basis, "")),
    }


def _column_config(columns: dict[str, str]) -> dict[str, Any]:
    progress_help = _("Sessions attended of those held; empty when nothing was held.")
    config = st.column_config
    return {
        columns["child"]: config.TextColumn(columns["child"], pinned=True),
        columns["rate_4w"]: config.ProgressColumn(
            columns["rate_4w"], format="%d%%", min_value=0, max_value=100, help=progress_help
        ),
        columns["rate_12w"]: config.ProgressColumn(
            columns["rate_12w"], format="%d%%", min_value=0, max_value=100, help=progress_help
        ),
        columns["last"]: config.DateColumn(
            columns["last"], format="DD.MM.YYYY", help=_("Empty: never attended.")
        ),
        columns["absences"]: config.NumberColumn(
            columns["absences"],
            help=_(
                "Absences since the last attendance; an excused absence neither counts "
                "nor breaks the run."
            ),
        ),
        columns["involvement"]: config.NumberColumn(
            columns["involvement"],
            help=_("Times a guardian took part in a session in the last 12 weeks."),
        ),
        columns["quizzes"]: config.NumberColumn(
            columns["quizzes"],
            help=_("How many quizzes the child joined; answers are never shown."),
        ),
        columns["basis"]: config.TextColumn(
            columns["basis"],
            help=_(
                "Why the centre may see this child's participation: the centre's "
                "referral or a guardian's consent."
            ),
        ),
    }


def _chart(rows: list[CaseloadRow]) -> None:
    charted = [row for row in rows if row.rate_4w is not None or row.rate_12w is not None]
    if not charted:
        return
    st.subheader(_("Attendance rates"))
    period_4w, period_12w = _("Last 4 weeks"), _("Last 12 weeks")
    chart = pd.DataFrame(
        [
            {_("Child"): row.name, _("Period"): period, _("Attendance (%)"): value}
            for row in charted[:CHART_LIMIT]
            for period, value in (
                (period_4w, percent(row.rate_4w)),
                (period_12w, percent(row.rate_12w)),
            )
            if value is not None
        ]
    )
    st.bar_chart(
        chart,
        x=_("Child"),
        y=_("Attendance (%)"),
        color=_("Period"),
        horizontal=True,
        stack=False,
        sort=False,
    )
    if len(charted) > CHART_LIMIT:
        st.caption(
            _("The chart shows the first {count} children of the table.").format(
                count=format_number(CHART_LIMIT)
            )
        )


# --- one child's timeline ------------------------------------------------------------------


def _timeline(everyone: list[CaseloadRow], csw_id: int | None) -> None:
    st.subheader(_("A child's participation timeline"))
    names = {row.child_id: row.name for row in everyone}
    child_id = st.selectbox(
        _("Child"),
        list(names),
        index=None,
        format_func=names.__getitem__,
        placeholder=_("Choose a child"),
        key=f"caseload_timeline_{csw_id}",
    )
    if child_id is None:
        return
    timeline = None
    with shown_errors(), transaction() as session:
        timeline = participation_timeline(
            session, page_user(session), child_id, today=local_today()
        )
    if timeline is not None:
        _timeline_events(timeline)


def _timeline_events(timeline: ParticipationTimeline) -> None:
    basis = _(BASIS_LABELS.get(timeline.basis, ""))
    facts = [f"**{plain(timeline.given_name)} {plain(timeline.family_name)}**"]
    if basis:
        facts.append(_("Seen through: {basis}").format(basis=basis))
    if timeline.legal_basis:
        facts.append(_("Legal basis: {basis}").format(basis=plain(timeline.legal_basis)))
    st.markdown(" · ".join(facts))
    if not timeline.events:
        empty_state(_("Nothing has happened in this child's groups yet."))
    else:
        st.caption(_("Newest first. Quizzes show only how many questions were answered."))
        st.markdown("\n".join(event_line(event) for event in reversed(timeline.events)))


# --- at-risk records -----------------------------------------------------------------------


def _at_risk_records(form_round: int) -> None:
    st.subheader(_("At-risk records"))
    st.caption(
        _(
            "When the centre no longer follows a child, close the record: the child leaves the "
            "caseload and the centre no longer sees their participation."
        )
    )
    if not st.toggle(_("Close an at-risk record"), key="caseload_close_records"):
        return
    records = None
    with shown_errors(), transaction() as session:
        records = followed_children(session, page_user(session))
    if records == []:
        empty_state(_("Your centre has no open at-risk record."))
    elif records:
        _close_record(records, form_round)


def _close_record(records: list[FollowedChild], form_round: int) -> None:
    today = local_today()
    with st.form(f"close_record_{form_round}"):
        chosen = st.selectbox(_("Record"), records, format_func=record_title)
        closed_on = st.date_input(_("Closed on"), value=today, max_value=today, format="DD.MM.YYYY")
        close = st.form_submit_button(_("Close the record"), type="primary")
    if close:
        with shown_errors():
            with transaction() as session:
                close_risk_record(session, page_user(session), chosen.record_id, closed_on)
            OUTCOME.done(_("The record is closed."))


if __name__ == "__main__":
    render()
