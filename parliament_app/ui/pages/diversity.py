"""Diversity report: how mixed each group is, and whether the programme sorts children apart."""

import pandas as pd
import streamlit as st

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
from parliament_app.models import OrganisationKind, User
from parliament_app.places.services import list_organisations
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.widgets import empty_state

TERMS = school_terms(local_today(), count=4)
# A programme has thousands of groups: warn about the most urgent, chart the least mixed.
MAX_WARNINGS = 20
MAX_CHART_GROUPS = 30
SMALL = f"<{SMALL_CELL}"


def number(value: float | None) -> str:
    return "—" if value is None else format_decimal(value)


st.title(_("Diversity report"))
st.caption(
    _(
        "A Children's Parliament works only if its groups are mixed. This report shows how "
        "mixed each group is and warns before a group turns into a ghetto."
    )
)

with transaction() as session:
    user = page_user(session)
    places = municipalities(session)
    schools = list_organisations(session, OrganisationKind.SCHOOL)

with st.form("diversity_filters"):
    left, middle, right = st.columns(3)
    dimension = left.selectbox(
        _("Background dimension"), list(DIMENSIONS), format_func=lambda key: _(DIMENSIONS[key])
    )
    term_labels = [label for label, _start, _end in TERMS]
    term = middle.selectbox(_("School term"), term_labels, index=len(term_labels) - 1)
    pool = right.selectbox(_("Compare with"), list(POOLS), format_func=lambda key: _(POOLS[key]))
    pool_id = None
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

start, end = next((first, last) for label, first, last in TERMS if label == term)
if pool == "municipality" and places:
    pool_id = municipality.id
elif pool == "school" and schools:
    pool_id = school.id

report = None
with shown_errors(), transaction() as session, st.spinner(_("Counting…")):
    report = diversity_report(
        session,
        page_user(session),
        dimension,
        start,
        end,
        pool=pool,
        pool_id=pool_id,
        permutations=2000 if with_chance else 0,
    )
    trend = term_trend(session, page_user(session), dimension, TERMS, pool, pool_id, known=report)
    names = school_names(session)
if report is None:
    st.stop()


def labels(category: str) -> str:
    return category_label(dimension, category, names)


st.caption(
    _("Term: {start} – {end}").format(start=format_date(report.start), end=format_date(report.end))
)
if not report.units:
    empty_state(
        _(
            "No group had members in this term. Enrol children in groups first; the "
            "report then shows their mix."
        )
    )
    st.stop()

st.subheader(_("Is the programme sorting children apart?"))
theil, dissimilarity = report.segregation["theil_h"], report.segregation["multigroup_dissimilarity"]
first, second = st.columns(2)
first.metric(_("Segregation (Theil's H)"), number(theil))
second.metric(_("Dissimilarity"), number(dissimilarity))
st.write(
    _(
        "Both measures are 0 when every group mirrors the children compared with, and 1 when "
        "each category has groups of its own."
    )
)
chance = report.chance.get("theil_h")
if chance and chance.get("expected") is not None:
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
            report.chance_shuffles,
        ).format(count=format_number(report.chance_shuffles))
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

st.subheader(_("Groups"))
flagged = [(unit, flag_texts(unit, labels)) for unit in report.units]
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

charted = least_mixed(report.units, MAX_CHART_GROUPS)
shares = pd.DataFrame(
    [
        {_("Group"): unit.name, _("Category"): labels(category), _("Children"): count}
        for unit in charted
        for category, count in unit.counts.items()
        if count is not None
    ]
)
if not shares.empty:
    if len(charted) < len(report.units):
        st.caption(
            _(
                "The chart shows the {shown} least mixed of {total} groups; the table lists all."
            ).format(shown=format_number(len(charted)), total=format_number(len(report.units)))
        )
    st.bar_chart(shares, x=_("Group"), y=_("Children"), color=_("Category"), horizontal=True)
if report.suppressed:
    st.caption(
        _(
            "Categories with fewer than {n} children in a group are hidden to protect the children."
        ).format(n=SMALL_CELL)
    )

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
            _("Flags"): " · ".join(texts) or "—",
        }
        for unit, texts in flagged
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

st.subheader(_("Trend per term"))
points = [row for row in trend if row["theil_h"] is not None]
if len(points) < 2:
    st.caption(_("The trend appears once groups have met in two terms."))
else:
    st.line_chart(
        pd.DataFrame(
            [
                {_("Term"): row["term"], _("Segregation (Theil's H)"): row["theil_h"]}
                for row in points
            ]
        ).set_index(_("Term"))
    )


def export(kind: str):
    """Built only when the person clicks, so only real downloads are audited as exports.
    The click is served outside this script run, so the language is carried along."""
    user_id, language = user.id, current_language()

    def build() -> str | bytes:
        with using_language(language), transaction() as session:
            actor = session.get(User, user_id)
            if kind == "csv":
                return export_csv(session, actor, report)
            if kind == "html":
                return report_html(session, actor, report, names)
            return export_xlsx(session, actor, report)

    return build


left, middle, right = st.columns(3)
middle.download_button(
    _("Printable report"),
    export("html"),
    file_name=f"diversity-{dimension}.html",
    mime="text/html",
)
left.download_button(
    _("Download CSV"), export("csv"), file_name=f"diversity-{dimension}.csv", mime="text/csv"
)
right.download_button(
    _("Download Excel"),
    export("xlsx"),
    file_name=f"diversity-{dimension}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
