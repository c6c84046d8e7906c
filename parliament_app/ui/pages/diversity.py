"""Diversity report: how mixed each group is, and whether the programme sorts children apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core.clock import local_today
from parliament_app.core.i18n import (
    _,
    current_language,
    format_date,
    format_decimal,
    format_number,
    ngettext,
    using_language,
)
from parliament_app.groups.diversity.report import (
    DIMENSIONS,
    POOLS,
    SMALL_CELL,
    DiversityReport,
    category_label,
    diversity_report,
    export_csv,
    export_xlsx,
    flag_texts,
    least_mixed,
    most_urgent,
    municipalities,
    report_html,
    school_names,
    school_terms,
    term_trend,
)
from parliament_app.models import Municipality, Organisation, OrganisationKind, User
from parliament_app.places.services import list_organisations
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.lookups import deferred
from parliament_app.ui.widgets import empty_state

# A programme has thousands of groups: warn about the most urgent, chart the least mixed.
MAX_WARNINGS = 20
MAX_CHART_GROUPS = 30
SMALL = f"<{SMALL_CELL}"

Terms = list[tuple[str, date, date]]


@dataclass(frozen=True)
class Filters:
    """What the report is asked for: a dimension, a term and the children compared with."""

    dimension: str
    start: date
    end: date
    pool: str
    pool_id: int | None
    with_chance: bool


def render() -> None:
    terms = school_terms(local_today(), count=4)
    _introduction()
    places, schools = _comparisons()
    filters = _filters(terms, places, schools)
    report, trend, names = _read_report(filters, terms)

    def labels(category: str) -> str:
        return category_label(filters.dimension, category, names)

    _term(report)
    if not report.units:
        _no_group_met()
        st.stop()
    _segregation(report)
    _flagged_groups(report, labels)
    _group_chart(report, labels)
    _suppression_note(report)
    _group_table(report, labels)
    _trend(trend)
    _downloads(report, names, filters.dimension)


def number(value: float | None) -> str:
    return "—" if value is None else format_decimal(value)


def _introduction() -> None:
    st.title(_("Diversity report"))
    st.caption(
        _(
            "A Children's Parliament works only if its groups are mixed. This report shows how "
            "mixed each group is and warns before a group turns into a ghetto."
        )
    )


def _comparisons() -> tuple[list[Municipality], list[Organisation]]:
    """The municipalities and the schools a report may compare with."""
    with transaction() as session:
        page_user(session)
        return municipalities(session), list_organisations(session, OrganisationKind.SCHOOL)


def _filters(terms: Terms, places: list[Municipality], schools: list[Organisation]) -> Filters:
    with st.form("diversity_filters"):
        left, middle, right = st.columns(3)
        dimension = left.selectbox(
            _("Background dimension"), list(DIMENSIONS), format_func=lambda key: _(DIMENSIONS[key])
        )
        term_labels = [label for label, _start, _end in terms]
        term = middle.selectbox(_("School term"), term_labels, index=len(term_labels) - 1)
        pool = right.selectbox(
            _("Compare with"), list(POOLS), format_func=lambda key: _(POOLS[key])
        )
        if places:
            municipality = left.selectbox(
                _("Municipality (for that comparison)"), places, format_func=lambda m: m.name
            )
        if schools:
            school = middle.selectbox(
                _("School (for that comparison)"), schools, format_func=lambda s: s.name
            )
        with_chance = right.checkbox(_("Compare with chance (slower)"), value=True)
        st.form_submit_button(_("Show the report"), type="primary")
    start, end = next((first, last) for label, first, last in terms if label == term)
    pool_id = None
    if pool == "municipality" and places:
        pool_id = municipality.id
    elif pool == "school" and schools:
        pool_id = school.id
    return Filters(dimension, start, end, pool, pool_id, with_chance)


def _read_report(filters: Filters, terms: Terms) -> tuple[DiversityReport, list, dict[int, str]]:
    """The report, its trend over the terms and the schools' names; the page ends on a refusal."""
    report = None
    with shown_errors(), transaction() as session, st.spinner(_("Counting…")):
        report = diversity_report(
            session,
            page_user(session),
            filters.dimension,
            filters.start,
            filters.end,
            pool=filters.pool,
            pool_id=filters.pool_id,
            permutations=2000 if filters.with_chance else 0,
        )
        trend = term_trend(
            session,
            page_user(session),
            filters.dimension,
            terms,
            filters.pool,
            filters.pool_id,
            known=report,
        )
        names = school_names(session)
    if report is None:
        st.stop()
    return report, trend, names


def _term(report: DiversityReport) -> None:
    st.caption(
        _("Term: {start} – {end}").format(
            start=format_date(report.start), end=format_date(report.end)
        )
    )


def _no_group_met() -> None:
    empty_state(
        _(
            "No group had members in this term. Enrol children in groups first; the "
            "report then shows their mix."
        )
    )


def _segregation(report: DiversityReport) -> None:
    st.subheader(_("Is the programme sorting children apart?"))
    first, second = st.columns(2)
    first.metric(_("Segregation (Theil's H)"), number(report.segregation["theil_h"]))
    second.metric(_("Dissimilarity"), number(report.segregation["multigroup_dissimilarity"]))
    st.write(
        _(
            "Both measures are 0 when every group mirrors the children compared with, and 1 when "
            "each category has groups of its own."
        )
    )
    chance = report.chance.get("theil_h")
    if chance and chance.get("expected") is not None:
        _chance(chance, report.chance_shuffles)
    if report.between_within and report.between_within.get("total"):
        st.caption(
            _(
                "Of this, {between} comes from differences between municipalities and {within} "
                "from differences within them."
            ).format(
                between=number(report.between_within["between"]),
                within=number(report.between_within["within"]),
            )
        )


def _chance(chance: dict, shuffles: int) -> None:
    """What random allocation of the same children would give, and whether it explains it."""
    st.write(
        _(
            "Groups this small are never perfectly mixed: random allocation of the same "
            "children would give about {expected} (95% of random allocations stay below "
            "{p95})."
        ).format(expected=number(chance["expected"]), p95=number(chance["p95"]))
    )
    st.caption(
        ngettext(
            "Compared with {count} random allocation of the same children to groups of the "
            "same sizes.",
            "Compared with {count} random allocations of the same children to groups of the "
            "same sizes.",
            shuffles,
        ).format(count=format_number(shuffles))
    )
    if chance["p_value"] is not None and chance["p_value"] < 0.05:
        st.warning(
            _(
                "The groups are more separated than chance explains (p = {p}). Look at the "
                "flagged groups below."
            ).format(p=number(chance["p_value"]))
        )
    else:
        st.success(
            _("The separation is within what chance alone produces (p = {p}).").format(
                p=number(chance["p_value"])
            )
        )


def _flagged_groups(report: DiversityReport, labels: Callable[[str], str]) -> None:
    """The most urgent flags as warnings; how many more the table marks."""
    st.subheader(_("Groups"))
    warned = most_urgent(report.units)
    for unit in warned[:MAX_WARNINGS]:
        for text in flag_texts(unit, labels):
            st.warning(f"**{unit.name}** — {text}")
    if len(warned) > MAX_WARNINGS:
        st.info(
            ngettext(
                "{count} more flagged group is marked in the table below.",
                "{count} more flagged groups are marked in the table below.",
                len(warned) - MAX_WARNINGS,
            ).format(count=format_number(len(warned) - MAX_WARNINGS))
        )
    if not warned:
        st.success(_("No group is flagged."))


def _group_chart(report: DiversityReport, labels: Callable[[str], str]) -> None:
    """Each of the least mixed groups by category."""
    charted = least_mixed(report.units, MAX_CHART_GROUPS)
    shares = pd.DataFrame(
        [
            {_("Group"): unit.name, _("Category"): labels(category), _("Children"): count}
            for unit in charted
            for category, count in unit.counts.items()
            if count is not None
        ]
    )
    if shares.empty:
        return
    if len(charted) < len(report.units):
        st.caption(
            _(
                "The chart shows the {shown} least mixed of {total} groups; the table lists all."
            ).format(shown=format_number(len(charted)), total=format_number(len(report.units)))
        )
    st.bar_chart(shares, x=_("Group"), y=_("Children"), color=_("Category"), horizontal=True)


def _suppression_note(report: DiversityReport) -> None:
    if not report.suppressed:
        return
    st.caption(
        _(
            "Categories with fewer than {n} children in a group are hidden to protect the children."
        ).format(n=SMALL_CELL)
    )


def _group_table(report: DiversityReport, labels: Callable[[str], str]) -> None:
    st.dataframe(
        [
            {
                _("Group"): unit.name,
                _("Municipality"): unit.municipality,
                _("Children"): format_number(unit.size),
                _("Mix (Blau)"): number(unit.diversity["blau"]),
                _("Effective number of categories"): number(unit.diversity["effective_groups"]),
                _("Followed by a centre for social work"): format_number(unit.followed)
                if unit.followed is not None
                else SMALL,
                _("Flags"): " · ".join(flag_texts(unit, labels)) or "—",
            }
            for unit in report.units
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _(
            "Mix (Blau): the chance that two children picked at random from the group differ. "
            "Effective number of categories: how many equally large categories would give the "
            "same mix."
        )
    )


def _trend(trend: list) -> None:
    st.subheader(_("Trend per term"))
    points = [row for row in trend if row["theil_h"] is not None]
    if len(points) < 2:
        st.caption(_("The trend appears once groups have met in two terms."))
        return
    st.line_chart(
        pd.DataFrame(
            [
                {_("Term"): row["term"], _("Segregation (Theil's H)"): row["theil_h"]}
                for row in points
            ]
        ).set_index(_("Term"))
    )


def _downloads(report: DiversityReport, names: dict[int, str], dimension: str) -> None:
    left, middle, right = st.columns(3)
    middle.download_button(
        _("Printable report"),
        _export("html", report, names),
        file_name=f"diversity-{dimension}.html",
        mime="text/html",
    )
    left.download_button(
        _("Download CSV"),
        _export("csv", report, names),
        file_name=f"diversity-{dimension}.csv",
        mime="text/csv",
    )
    right.download_button(
        _("Download Excel"),
        _export("xlsx", report, names),
        file_name=f"diversity-{dimension}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _export(kind: str, report: DiversityReport, names: dict[int, str]) -> Callable[[], str | bytes]:
    """Built only when the person clicks, so only real downloads are audited as exports.
    The click is served outside this script run, so the language is carried along."""
    language = current_language()

    def build(session: Session, actor: User) -> str | bytes:
        with using_language(language):
            if kind == "csv":
                return export_csv(session, actor, report)
            if kind == "html":
                return report_html(session, actor, report, names)
            return export_xlsx(session, actor, report)

    return deferred(build)


if __name__ == "__main__":
    render()
