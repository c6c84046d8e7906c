# Not split: one report built from one SQL aggregation; its trend, warnings and exports
#   render the same rows.
"""Diversity and anti-ghettoization reports: who is in which group, how mixed each group is, and
whether the programme as a whole is sorting children apart.

Membership of a unit (a parliament, club or workshop series) in a period is an enrolment that was
active at some time in it. Counts come from one SQL aggregation (GROUP BY unit and category);
the index arithmetic on that small table is vectorised in
``parliament_app.groups.diversity.measures``.

Privacy: background data are special-category data about minors. Everyone but administrators
sees counts under ``SMALL_CELL`` suppressed, exports always suppress them, and the number of
children a centre for social work follows is shown only when it reveals nobody (at least
``SMALL_CELL`` followed and at least ``SMALL_CELL`` not followed in the unit).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from parliament_app.core import audit
from parliament_app.core.actors import Actor, is_operator
from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.core.errors import PermissionDenied, ValidationError
from parliament_app.core.i18n import (
    N_,
    _,
    current_language,
    format_date,
    format_decimal,
    format_percent,
)
from parliament_app.core.labels import COMMUNITY_LABELS, GENDER_LABELS, SES_LABELS
from parliament_app.groups.diversity import measures as diversity
from parliament_app.models import (
    AuditAction,
    Child,
    Community,
    Enrolment,
    EnrolmentStatus,
    Gender,
    Group,
    Municipality,
    Organisation,
    RiskRecord,
    Role,
    SocioEconomicBand,
    User,
)
from parliament_app.policy.reports import may_view_reports

SMALL_CELL = 5
# The chance test's cost, children × shuffles: about half a second on a 2-core machine.
CHANCE_BUDGET = 20_000_000
MIN_SHUFFLES = 200
CHANCE_INDICES = ("theil_h", "multigroup_dissimilarity")
DIMENSIONS: dict[str, str] = {
    "community": N_("Community"),
    "residence_area": N_("Residence area"),
    "school": N_("School"),
    "ses_band": N_("Household income"),
    "gender": N_("Gender"),
    "age_band": N_("Age band"),
}
POOLS: dict[str, str] = {
    "programme": N_("Whole programme"),
    "municipality": N_("Municipality"),
    "school": N_("School catchment"),
}
# Categories whose concentration in one group is what the founding report calls a ghetto.
MARGINALISED: dict[str, frozenset[str]] = {
    "community": frozenset({"roma", "egyptian", "ashkali"}),
    "ses_band": frozenset({"low"}),
}
NOT_STATED = "not_stated"
AGE_BANDS = ((7, 10), (11, 14), (15, 18))


@dataclass
class UnitRow:
    group_id: int
    name: str
    kind: str
    municipality: str
    size: int
    counts: dict[str, int | None]  # None: suppressed small cell
    diversity: dict[str, float | None]
    flags: dict
    followed: int | None  # None: suppressed


@dataclass
class DiversityReport:
    dimension: str
    pool: str
    start: date
    end: date
    units: list[UnitRow]
    categories: list[str]
    pool_counts: dict[str, int | None]
    segregation: dict[str, float | None]
    chance: dict[str, dict[str, float | None]] = field(default_factory=dict)
    chance_shuffles: int = 0  # random re-allocations behind ``chance`` (see chance_shuffles())
    between_within: dict | None = None
    suppressed: bool = True
    category_names: dict[str, str] = field(default_factory=dict)  # school ids to names
    pool_id: int | None = None


def diversity_report(
    session: Session,
    user: Actor,
    dimension: str,
    start: date,
    end: date,
    *,
    pool: str = "programme",
    pool_id: int | None = None,
    permutations: int = 2000,
    seed: int = 0,
    audit_read: bool = True,
) -> DiversityReport:
    """The report for one background dimension over a period and comparison pool.

    ``pool``: "programme" (every group), "municipality" (groups of municipality ``pool_id``,
    compared with all children registered there) or "school" (groups with pupils of school
    ``pool_id``, compared with that school's pupils). ``permutations`` 0 skips the chance test.
    The operator at the command line sees everything, with small cells suppressed.
    """
    if not is_operator(user) and not may_view_reports(user):
        raise PermissionDenied(_("You do not have permission to do this."))
    _check_arguments(dimension, pool, pool_id, start, end)
    counts = composition_counts(session, dimension, start, end, _unit_filter(pool, pool_id))
    groups = _groups(session, counts)
    pool_counts = _pool_counts(session, dimension, end, pool, pool_id, counts)
    suppress = is_operator(user) or user.role != Role.ADMINISTRATOR
    units = _unit_rows(session, dimension, counts, groups, pool_counts, start, end, suppress)
    keyed = {str(group_id): categories for group_id, categories in counts.items()}
    report = DiversityReport(
        dimension=dimension,
        pool=pool,
        start=start,
        end=end,
        units=units,
        categories=sorted(pool_counts),
        pool_counts=_suppressed(pool_counts, suppress),
        segregation=dict(diversity.segregation(keyed)),
        suppressed=suppress,
        pool_id=pool_id,
    )
    if dimension == "school":
        names = school_names(session)
        report.category_names = {
            category: names.get(int(category), category)
            for category in report.categories
            if category.isdigit()
        }
    if permutations and len(keyed) > 1:
        report.chance_shuffles = chance_shuffles(permutations, _children(counts))
        report.chance = _chance(keyed, report.chance_shuffles, seed)
    if pool == "programme":
        regions = {str(group_id): groups[group_id].municipality.name for group_id in counts}
        report.between_within = dict(diversity.theil_decomposition(keyed, regions))
    if audit_read:
        audit.record(
            session,
            user,
            AuditAction.READ_SPECIAL,
            "diversity_report",
            None,
            dimension=dimension,
            pool=pool,
            units=len(units),
        )
    return report


def chance_shuffles(permutations: int, children: int) -> int:
    """How many of the asked ``permutations`` to run for a pool of ``children``.

    Every shuffle moves every child, so the cost grows with both. Up to CHANCE_BUDGET / 2,000 =
    10,000 children (a municipality, a realistic programme) all 2,000 run; a national pool runs
    fewer, never under MIN_SHUFFLES. With tens of thousands of children the random-allocation
    values barely vary (national data: expected Theil's H 0.0839 from 250 shuffles against
    0.0838 from 2,000), so fewer shuffles estimate them as well; the smallest p-value they can
    show is 1 / (shuffles + 1), still far below the 0.05 the page tests against.
    """
    return min(permutations, max(MIN_SHUFFLES, CHANCE_BUDGET // max(children, 1)))


def _chance(keyed: Mapping[str, Mapping[str, int]], shuffles: int, seed: int) -> dict[str, dict]:
    """The chance levels of both indices, remembered by the counts they were computed from:
    the same composition always gives the same answer, and a programme-wide test costs about
    half a second."""
    composition = tuple(
        sorted((unit, tuple(sorted(categories.items()))) for unit, categories in keyed.items())
    )
    levels = _chance_of(composition, shuffles, seed)
    return {index: dict(level) for index, level in levels.items()}


def clear_caches() -> None:
    """Forget remembered chance levels and tail probabilities (benchmarks measure cold)."""
    _chance_of.cache_clear()
    diversity.clear_caches()


@functools.lru_cache(maxsize=16)
def _chance_of(
    composition: tuple[tuple[str, tuple[tuple[str, int], ...]], ...], shuffles: int, seed: int
) -> dict[str, diversity.ChanceLevel]:
    counts = {unit: dict(categories) for unit, categories in composition}
    return diversity.chance_levels(counts, CHANCE_INDICES, shuffles, seed)


def _children(counts: Mapping[int, Mapping[str, int]]) -> int:
    return sum(sum(categories.values()) for categories in counts.values())


def composition_counts(
    session: Session,
    dimension: str,
    start: date,
    end: date,
    unit_filter: ColumnElement[bool] | None = None,
) -> dict[int, dict[str, int]]:
    """``{group id: {category: children}}`` for members in the period, from one GROUP BY."""
    category = _category_column(dimension)
    query = (
        select(Enrolment.group_id, category, func.count(func.distinct(Enrolment.child_id)))
        .join(Child, Child.id == Enrolment.child_id)
        .join(Group, Group.id == Enrolment.group_id)
        .where(_member_in_period(start, end))
        .group_by(Enrolment.group_id, category)
    )
    if unit_filter is not None:
        query = query.where(unit_filter)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group_id, value, children in session.execute(query):
        counts[group_id][_category_name(dimension, value, end)] += children
    return {group_id: dict(categories) for group_id, categories in counts.items()}


def term_trend(
    session: Session,
    user: User,
    dimension: str,
    terms: list[tuple[str, date, date]],
    pool: str = "programme",
    pool_id: int | None = None,
    *,
    known: DiversityReport | None = None,
) -> list[dict]:
    """Segregation per term: ``[{"term", "theil_h", "multigroup_dissimilarity", "units"}]``.

    Only the composition counts, every term's from one GROUP BY: the indices need no unit
    rows, flags or names. A term that ``known`` (a report of the same dimension and pool)
    already covers is not counted again.
    """
    if not may_view_reports(user):
        raise PermissionDenied(_("You do not have permission to do this."))
    for _label, start, end in terms:
        _check_arguments(dimension, pool, pool_id, start, end)
    reused: dict[tuple[date, date], DiversityReport] = {}
    if known is not None and (known.dimension, known.pool, known.pool_id) == (
        dimension,
        pool,
        pool_id,
    ):
        reused[known.start, known.end] = known
    periods = [(start, end) for _label, start, end in terms if (start, end) not in reused]
    counted = dict(
        zip(
            periods,
            composition_counts_by_period(session, dimension, periods, _unit_filter(pool, pool_id)),
            strict=True,
        )
    )
    trend = []
    for label, start, end in terms:
        if (start, end) in reused:
            report = reused[start, end]
            trend.append({"term": label, "units": len(report.units), **report.segregation})
            continue
        keyed = {str(group_id): categories for group_id, categories in counted[start, end].items()}
        trend.append({"term": label, "units": len(keyed), **diversity.segregation(keyed)})
    return trend


def composition_counts_by_period(
    session: Session,
    dimension: str,
    periods: Sequence[tuple[date, date]],
    unit_filter: ColumnElement[bool] | None = None,
) -> list[dict[int, dict[str, int]]]:
    """:func:`composition_counts` for several periods from one pass over the enrolments (one
    GROUP BY with a count per period)."""
    if not periods:
        return []
    category = _category_column(dimension)
    members = [_member_in_period(start, end) for start, end in periods]
    query = (
        select(
            Enrolment.group_id,
            category,
            *(func.count(func.distinct(case((member, Enrolment.child_id)))) for member in members),
        )
        .join(Child, Child.id == Enrolment.child_id)
        .join(Group, Group.id == Enrolment.group_id)
        .where(or_(*members))
        .group_by(Enrolment.group_id, category)
    )
    if unit_filter is not None:
        query = query.where(unit_filter)
    counts: list[dict[int, dict[str, int]]] = [
        defaultdict(lambda: defaultdict(int)) for _period in periods
    ]
    for group_id, value, *children in session.execute(query):
        for index, ((_start, end), count) in enumerate(zip(periods, children, strict=True)):
            if count:
                counts[index][group_id][_category_name(dimension, value, end)] += count
    return [
        {group_id: dict(categories) for group_id, categories in period.items()} for period in counts
    ]


def school_terms(today: date, count: int = 4) -> list[tuple[str, date, date]]:
    """The last ``count`` school terms up to today, oldest first: the autumn term (September to
    January) and the spring term (February to June, summer counted with it)."""
    school_year = today.year if today.month >= 9 else today.year - 1
    autumn = today.month >= 9 or today.month == 1
    terms = []
    for _index in range(count):
        if autumn:
            terms.append(
                (
                    f"{school_year}/{(school_year + 1) % 100:02d} I",
                    date(school_year, 9, 1),
                    date(school_year + 1, 1, 31),
                )
            )
            school_year -= 1
        else:
            terms.append(
                (
                    f"{school_year}/{(school_year + 1) % 100:02d} II",
                    date(school_year + 1, 2, 1),
                    date(school_year + 1, 6, 30),
                )
            )
        autumn = not autumn
    return list(reversed(terms))


def export_rows(report: DiversityReport) -> list[dict[str, object]]:
    """One row per unit and category, small cells always suppressed (exports leave the app)."""
    rows = []
    for unit in report.units:
        for category in report.categories:
            value = unit.counts.get(category, 0)
            rows.append(
                {
                    "group_id": unit.group_id,
                    "group": unit.name,
                    "municipality": unit.municipality,
                    "dimension": report.dimension,
                    "category": category,
                    "category_name": report.category_names.get(category, category),
                    "children": _small(value) if value is not None else f"<{SMALL_CELL}",
                    "group_size": _small(unit.size),
                    "ghetto_risk": unit.flags.get("ghetto_risk", False),
                    "single_group": unit.flags.get("single_group", False),
                    "risk_band": unit.flags.get("risk_band", False),
                }
            )
    return rows


def export_csv(session: Session, user: User, report: DiversityReport) -> str:
    buffer = io.StringIO()
    rows = export_rows(report)
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["group_id"])
    writer.writeheader()
    writer.writerows(rows)
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "diversity_report",
        None,
        format="csv",
        dimension=report.dimension,
        rows=len(rows),
    )
    return buffer.getvalue()


def export_xlsx(session: Session, user: User, report: DiversityReport) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = report.dimension[:31]
    rows = export_rows(report)
    if rows:
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
    summary = workbook.create_sheet("segregation")
    for name, value in report.segregation.items():
        summary.append([name, value])
    for index, chance in report.chance.items():
        for name, value in chance.items():
            summary.append([f"{index} {name}", value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "diversity_report",
        None,
        format="xlsx",
        dimension=report.dimension,
        rows=len(rows),
    )
    return buffer.getvalue()


def export_json(report: DiversityReport) -> str:
    """Machine-readable report with small cells suppressed, for the command line."""
    payload = asdict(report)
    payload["start"], payload["end"] = report.start.isoformat(), report.end.isoformat()
    payload["rows"] = export_rows(report)
    for unit in payload["units"]:
        unit["counts"] = {
            key: (value if value is None or value >= SMALL_CELL else None)
            for key, value in unit["counts"].items()
        }
        unit["size"] = _small(unit["size"])
    payload["pool_counts"] = _suppressed(report.pool_counts, True)
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def most_urgent(units: Sequence[UnitRow]) -> list[UnitRow]:
    """The flagged units, most urgent first: ghetto risk, then one category only, then the
    watch band; the least mixed first within each."""
    flagged = [unit for unit in units if _flagged(unit)]
    return sorted(
        flagged,
        key=lambda unit: (
            not unit.flags.get("ghetto_risk"),
            not unit.flags.get("single_group"),
            _blau(unit),
            unit.name,
        ),
    )


def least_mixed(units: Sequence[UnitRow], limit: int) -> list[UnitRow]:
    """All units when they are at most ``limit``, else the ``limit`` least mixed, in the
    report's order (a chart of a whole country's groups is unreadable)."""
    if len(units) <= limit:
        return list(units)
    chosen = {id(unit) for unit in sorted(units, key=_blau)[:limit]}
    return [unit for unit in units if id(unit) in chosen]


def _flagged(unit: UnitRow) -> bool:
    flags = unit.flags
    return bool(flags.get("ghetto_risk") or flags.get("single_group") or flags.get("risk_band"))


def _blau(unit: UnitRow) -> float:
    blau = unit.diversity.get("blau")
    return 1.0 if blau is None else blau


def flag_texts(unit: UnitRow, labels) -> list[str]:
    """The unit's flags in words, with a symbol (never colour alone)."""

    flags = unit.flags
    texts = []
    if flags.get("ghetto_risk"):
        texts.append(
            "⚠️ "
            + _("Group not mixed: {category} make up {share} of the group").format(
                category=labels(flags["ghetto_group"]),
                share=format_percent(flags["shares"][flags["ghetto_group"]]),
            )
        )
    if flags.get("single_group"):
        texts.append("⚠️ " + _("Everyone in the group belongs to one category"))
    if flags.get("risk_band") and not flags.get("ghetto_risk"):
        texts.append(
            "△ "
            + _(
                "Watch: {categories} above a third of the group or twice their share in the pool"
            ).format(categories=", ".join(labels(category) for category in flags["risk_groups"]))
        )
    return texts


def report_html(
    session: Session, user: Actor, report: DiversityReport, school_names: Mapping[int, str]
) -> str:
    """A print-ready page for municipalities and donors (A4), small cells suppressed."""
    from html import escape

    def labels(category: str) -> str:
        return category_label(report.dimension, category, school_names)

    def number(value: float | None) -> str:
        return "—" if value is None else format_decimal(value)

    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            escape(unit.name),
            escape(unit.municipality),
            _small(unit.size),
            number(unit.diversity["blau"]),
            escape(" · ".join(flag_texts(unit, labels)) or "—"),
        )
        for unit in report.units
    )
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "diversity_report",
        None,
        format="html",
        dimension=report.dimension,
        units=len(report.units),
    )
    return f"""<!doctype html><html lang="{escape(current_language().replace("_", "-"))}">
<head><meta charset="utf-8"><title>{escape(_("Diversity report"))}</title>
<style>@page {{ size: A4; margin: 18mm; }} body {{ font-family: sans-serif; font-size: 11pt; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #999;
padding: 4px 6px; text-align: left; }} th {{ background: #eee; }}</style></head><body>
<h1>{escape(_("Diversity report"))}: {escape(_(DIMENSIONS[report.dimension]))}</h1>
<p>{
        escape(
            _("Term: {start} – {end}").format(
                start=format_date(report.start), end=format_date(report.end)
            )
        )
    }</p>
<p><b>{escape(_("Segregation (Theil's H)"))}:</b> {number(report.segregation["theil_h"])}
&nbsp; <b>{escape(_("Dissimilarity"))}:</b>
{number(report.segregation["multigroup_dissimilarity"])}</p>
<p>{
        escape(
            _(
                "Both measures are 0 when every group mirrors the children compared with, and 1 "
                "when each category has groups of its own."
            )
        )
    }</p>
<table><thead><tr><th>{escape(_("Group"))}</th><th>{escape(_("Municipality"))}</th>
<th>{escape(_("Children"))}</th><th>{escape(_("Mix (Blau)"))}</th>
<th>{escape(_("Flags"))}</th></tr></thead><tbody>{rows}</tbody></table>
<p>{
        escape(
            _(
                "Categories with fewer than {n} children in a group are hidden to protect the "
                "children."
            ).format(n=SMALL_CELL)
        )
    }</p></body></html>"""


def category_label(dimension: str, category: str, school_names: Mapping[int, str]) -> str:
    """A category's name for people (translated; schools by name)."""

    if category == NOT_STATED:
        return _("Not stated")
    tables = {
        "community": (Community, COMMUNITY_LABELS),
        "gender": (Gender, GENDER_LABELS),
        "ses_band": (SocioEconomicBand, SES_LABELS),
    }
    if dimension in tables:
        kind, labels = tables[dimension]
        return _(labels[kind(category)])
    if dimension == "school" and category.isdigit():
        return school_names.get(int(category), category)
    return category


# ----------------------------------------------------------------------------- internals


def _check_arguments(
    dimension: str, pool: str, pool_id: int | None, start: date, end: date
) -> None:
    if dimension not in DIMENSIONS:
        raise ValidationError(_("Unknown background dimension."), "dimension")
    if pool not in POOLS:
        raise ValidationError(_("Unknown comparison pool."), "pool")
    if pool != "programme" and pool_id is None:
        raise ValidationError(
            _("Please choose the municipality or school to compare with."), "pool"
        )
    if end < start:
        raise ValidationError(_("The period ends before it starts."), "period")


def _member_in_period(start: date, end: date) -> ColumnElement[bool]:
    period_start = datetime.combine(start, time.min, LOCAL_TIMEZONE)
    period_end = datetime.combine(end, time.max, LOCAL_TIMEZONE)
    return and_(
        Enrolment.status != EnrolmentStatus.WAITING,
        Enrolment.created_at <= period_end,
        or_(Enrolment.ended_at.is_(None), Enrolment.ended_at >= period_start),
    )


def _category_column(dimension: str):
    return {
        "community": Child.community,
        "residence_area": Child.residence_area,
        "school": Child.school_id,
        "ses_band": Child.socio_economic_band,
        "gender": Child.gender,
        "age_band": func.extract("year", Child.birth_date),
    }[dimension]


def _category_name(dimension: str, value: object, end: date) -> str:
    if value is None or value == "" or str(getattr(value, "value", value)) == "prefer_not_to_say":
        return NOT_STATED
    if dimension == "age_band":
        age = end.year - int(value)
        for low, high in AGE_BANDS:
            if low <= age <= high:
                return f"{low}-{high}"
        return "other"
    return str(getattr(value, "value", value))


def _unit_filter(pool: str, pool_id: int | None) -> ColumnElement[bool] | None:
    if pool == "municipality":
        return Group.municipality_id == pool_id
    if pool == "school":
        pupils = (
            select(Enrolment.group_id)
            .join(Child, Child.id == Enrolment.child_id)
            .where(Child.school_id == pool_id)
        )
        return Group.id.in_(pupils)
    return None


def _pool_counts(
    session: Session,
    dimension: str,
    end: date,
    pool: str,
    pool_id: int | None,
    counts: Mapping[int, Mapping[str, int]],
) -> dict[str, int]:
    """The comparison pool's composition: the units' children, or everyone registered there."""
    totals: dict[str, int] = defaultdict(int)
    if pool == "programme":
        for categories in counts.values():
            for category, children in categories.items():
                totals[category] += children
        return dict(totals)
    where = (
        Child.municipality_id == pool_id if pool == "municipality" else (Child.school_id == pool_id)
    )
    category = _category_column(dimension)
    for value, children in session.execute(
        select(category, func.count(Child.id)).where(where).group_by(category)
    ):
        totals[_category_name(dimension, value, end)] += children
    return dict(totals)


def _groups(session: Session, counts: Mapping[int, object]) -> dict[int, Group]:
    if not counts:
        return {}
    groups = session.scalars(
        select(Group).where(Group.id.in_(list(counts))).options(joinedload(Group.municipality))
    )
    return {group.id: group for group in groups}


def _unit_rows(
    session: Session,
    dimension: str,
    counts: Mapping[int, Mapping[str, int]],
    groups: Mapping[int, Group],
    pool_counts: Mapping[str, int],
    start: date,
    end: date,
    suppress: bool,
) -> list[UnitRow]:
    keyed = {str(group_id): categories for group_id, categories in counts.items()}
    flags = (
        diversity.unit_flags(
            keyed,
            pool_counts,
            MARGINALISED.get(dimension, frozenset()),
            pool_size=sum(pool_counts.values()) or None,
        )
        if keyed
        else {}
    )
    followed = _followed_counts(session, list(counts), start, end)
    rows = []
    for group_id, categories in sorted(counts.items(), key=lambda item: groups[item[0]].name):
        group = groups[group_id]
        size = sum(categories.values())
        rows.append(
            UnitRow(
                group_id=group_id,
                name=group.name,
                kind=group.kind.value,
                municipality=group.municipality.name,
                size=size,
                counts=_suppressed(categories, suppress),
                diversity=dict(
                    diversity.unit_diversity(categories, pool_categories=len(pool_counts))
                ),
                flags=dict(flags.get(str(group_id), {})),
                followed=_revealing_nobody(followed.get(group_id, 0), size),
            )
        )
    return rows


def _followed_counts(
    session: Session, group_ids: list[int], start: date, end: date
) -> dict[int, int]:
    if not group_ids:
        return {}
    followed = select(RiskRecord.child_id).where(RiskRecord.closed_on.is_(None))
    rows = session.execute(
        select(Enrolment.group_id, func.count(func.distinct(Enrolment.child_id)))
        .where(
            Enrolment.group_id.in_(group_ids),
            Enrolment.child_id.in_(followed),
            _member_in_period(start, end),
        )
        .group_by(Enrolment.group_id)
    )
    return dict(rows.all())


def _revealing_nobody(followed: int, size: int) -> int | None:
    if followed >= SMALL_CELL and size - followed >= SMALL_CELL:
        return followed
    return None


def _suppressed(counts: Mapping[str, int], suppress: bool) -> dict[str, int | None]:
    if not suppress:
        return dict(counts)
    return {
        key: (value if value is not None and value >= SMALL_CELL else None)
        for key, value in counts.items()
    }


def _small(value: int) -> int | str:
    return value if value >= SMALL_CELL else f"<{SMALL_CELL}"


def school_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Organisation.id, Organisation.name)).all())


def municipalities(session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name)))
