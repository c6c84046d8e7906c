"""Diversity reports from the database: counts by SQL, flags, chance, suppression, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core.clock import local_today
from parliament_app.core.errors import PermissionDenied, ValidationError
from parliament_app.groups.diversity.report import (
    chance_shuffles,
    composition_counts,
    composition_counts_by_period,
    diversity_report,
    export_csv,
    export_json,
    least_mixed,
    most_urgent,
    school_terms,
    term_trend,
)
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Community,
    Enrolment,
    Group,
    RiskRecord,
)
from tests.factories import World, build_world
from tests.factories.groups import add_group

START, END = date(2020, 1, 1), local_today() + timedelta(days=1)


@pytest.fixture
def segregated(db: Session) -> World:
    """Two clubs: one only Roma, one only Serbian — the case the founding report warns of."""
    world = build_world(db)
    add_group(db, world, "Club R", [(f"R{i}", Community.ROMA) for i in range(10)])
    add_group(db, world, "Club S", [(f"S{i}", Community.SERBIAN) for i in range(30)])
    return world


def test_counts_come_from_one_aggregation(db: Session, segregated: World) -> None:
    counts = composition_counts(db, "community", START, END)
    by_name = {db.get(Group, group_id).name: categories for group_id, categories in counts.items()}
    assert by_name["Club R"] == {"roma": 10}
    assert by_name["Club S"] == {"serbian": 30}
    assert by_name["Parliament A"] == {"serbian": 1}


def test_complete_separation_is_flagged(db: Session, segregated: World) -> None:
    report = diversity_report(db, segregated.admin, "community", START, END, seed=1)
    assert report.segregation["theil_h"] == pytest.approx(1.0)
    assert report.chance["theil_h"]["p_value"] < 0.01
    assert report.chance_shuffles == 2000
    club_r = next(unit for unit in report.units if unit.name == "Club R")
    assert club_r.flags["ghetto_risk"] and club_r.flags["ghetto_group"] == "roma"
    assert club_r.flags["single_group"]
    club_s = next(unit for unit in report.units if unit.name == "Club S")
    assert not club_s.flags["ghetto_risk"]


def test_a_mixed_programme_is_not_flagged(db: Session) -> None:
    world = build_world(db)
    mix = [(f"M{i}", Community.ROMA if i % 5 == 0 else Community.SERBIAN) for i in range(20)]
    add_group(db, world, "Club 1", mix)
    add_group(db, world, "Club 2", mix)
    report = diversity_report(db, world.admin, "community", START, END, seed=1)
    assert report.segregation["theil_h"] < 0.05
    assert not any(unit.flags["ghetto_risk"] for unit in report.units)


def test_members_outside_the_period_do_not_count(db: Session) -> None:
    world = build_world(db)
    add_group(db, world, "Old club", [("O", Community.ROMA)] * 6, ended=True)
    report = diversity_report(
        db, world.admin, "community", local_today() - timedelta(days=30), END, permutations=0
    )
    assert "Old club" not in {unit.name for unit in report.units}


def test_small_cells_are_hidden_from_everyone_but_administrators(
    db: Session, segregated: World
) -> None:
    admin_view = diversity_report(db, segregated.admin, "community", START, END, permutations=0)
    facilitator_view = diversity_report(
        db, segregated.facilitator, "community", START, END, permutations=0
    )
    parliament_admin = next(u for u in admin_view.units if u.name == "Parliament A")
    parliament_facilitator = next(u for u in facilitator_view.units if u.name == "Parliament A")
    assert parliament_admin.counts == {"serbian": 1}
    assert parliament_facilitator.counts == {"serbian": None}


def test_followed_children_never_become_identifiable(db: Session) -> None:
    world = build_world(db)
    group = add_group(db, world, "Club F", [(f"F{i}", Community.SERBIAN) for i in range(12)])
    members = db.scalars(select(Enrolment.child_id).where(Enrolment.group_id == group.id)).all()
    for child_id in members[:3]:
        db.add(
            RiskRecord(
                child_id=child_id,
                csw_id=world.csw.id,
                categories=["neglected"],
                opened_on=date(2025, 1, 1),
                legal_basis="law",
            )
        )
    db.flush()
    report = diversity_report(db, world.admin, "community", START, END, permutations=0)
    assert next(unit for unit in report.units if unit.name == "Club F").followed is None
    for child_id in members[3:8]:
        db.add(
            RiskRecord(
                child_id=child_id,
                csw_id=world.csw.id,
                categories=["neglected"],
                opened_on=date(2025, 1, 1),
                legal_basis="law",
            )
        )
    db.flush()
    report = diversity_report(db, world.admin, "community", START, END, permutations=0)
    assert next(unit for unit in report.units if unit.name == "Club F").followed is None  # 8 of 12
    assert "followed" not in export_json(report).split('"units"')[0]


def test_social_workers_and_bad_arguments_are_refused(db: Session, segregated: World) -> None:
    with pytest.raises(PermissionDenied):
        diversity_report(db, segregated.social_worker, "community", START, END)
    with pytest.raises(ValidationError):
        diversity_report(db, segregated.admin, "religion", START, END)
    with pytest.raises(ValidationError):
        diversity_report(db, segregated.admin, "community", END, START)
    with pytest.raises(ValidationError):
        diversity_report(db, segregated.admin, "community", START, END, pool="municipality")


def test_municipality_pool_compares_with_everyone_registered(
    db: Session, segregated: World
) -> None:
    report = diversity_report(
        db,
        segregated.admin,
        "community",
        START,
        END,
        pool="municipality",
        pool_id=segregated.municipality.id,
        permutations=0,
    )
    assert report.pool_counts["roma"] == 11  # ten in Club R and one from the factory world
    assert report.between_within is None


def test_age_bands_and_schools_are_dimensions(db: Session, segregated: World) -> None:
    ages = diversity_report(db, segregated.admin, "age_band", START, END, permutations=0)
    assert set(ages.categories) <= {"7-10", "11-14", "15-18", "other"}
    schools = diversity_report(db, segregated.admin, "school", START, END, permutations=0)
    assert schools.categories == [str(segregated.school.id)]


def test_csv_export_suppresses_small_cells_and_is_audited(db: Session, segregated: World) -> None:
    report = diversity_report(db, segregated.admin, "community", START, END, permutations=0)
    rows = list(csv.DictReader(io.StringIO(export_csv(db, segregated.admin, report))))
    parliament = [row for row in rows if row["group"] == "Parliament A"]
    assert {row["children"] for row in parliament} == {"<5"}
    club_r = [row for row in rows if row["group"] == "Club R" and row["category"] == "roma"]
    assert club_r[0]["children"] == "10" and club_r[0]["ghetto_risk"] == "True"
    exports = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT)
    )
    assert exports == 1


def test_reads_are_audited_and_json_is_complete(db: Session, segregated: World) -> None:
    report = diversity_report(db, segregated.coordinator, "community", START, END, permutations=200)
    payload = json.loads(export_json(report))
    assert payload["dimension"] == "community" and payload["segregation"]["theil_h"] > 0.9
    assert payload["chance"]["theil_h"]["p_value"] is not None
    reads = db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == AuditAction.READ_SPECIAL,
            AuditEntry.record_type == "diversity_report",
        )
    )
    assert reads == 1


def test_terms_and_trend(db: Session, segregated: World) -> None:
    terms = school_terms(date(2026, 11, 28), count=3)
    assert [label for label, _start, _end in terms] == ["2025/26 I", "2025/26 II", "2026/27 I"]
    trend = term_trend(db, segregated.admin, "community", school_terms(local_today(), 2))
    assert len(trend) == 2 and trend[-1]["theil_h"] == pytest.approx(1.0, abs=0.2)


@pytest.mark.parametrize(
    ("children", "shuffles"),
    [(40, 2000), (10_000, 2000), (20_000, 1000), (80_000, 250), (1_000_000, 200)],
)
def test_large_pools_run_fewer_shuffles_but_never_too_few(children: int, shuffles: int) -> None:
    assert chance_shuffles(2000, children) == shuffles
    assert chance_shuffles(100, children) == 100  # never more than asked


def test_the_trend_reuses_the_report_of_its_own_term(db: Session, segregated: World) -> None:
    terms = school_terms(local_today(), 2)
    _label, start, end = terms[-1]
    fresh = term_trend(db, segregated.admin, "community", terms)
    report = diversity_report(db, segregated.admin, "community", start, end, permutations=0)
    assert term_trend(db, segregated.admin, "community", terms, known=report) == fresh
    # A report of another dimension is no stand-in for this one.
    by_age = diversity_report(db, segregated.admin, "age_band", start, end, permutations=0)
    assert by_age.segregation != report.segregation
    assert term_trend(db, segregated.admin, "community", terms, known=by_age) == fresh


def test_the_most_urgent_flags_come_first(db: Session, segregated: World) -> None:
    report = diversity_report(db, segregated.admin, "community", START, END, permutations=0)
    urgent = [unit.name for unit in most_urgent(report.units)]
    assert urgent[:2] == ["Club R", "Club S"]  # ghetto risk before "one category only"
    assert "Parliament A" not in urgent or urgent.index("Parliament A") > 1


def test_a_chart_of_many_groups_keeps_the_least_mixed(db: Session, segregated: World) -> None:
    report = diversity_report(db, segregated.admin, "community", START, END, permutations=0)
    assert least_mixed(report.units, len(report.units)) == report.units
    two = least_mixed(report.units, 2)
    assert len(two) == 2
    assert max(unit.diversity["blau"] or 0 for unit in two) <= min(
        unit.diversity["blau"] or 0 for unit in report.units if unit not in two
    )


def test_the_chance_test_is_remembered_for_the_same_composition(
    db: Session, segregated: World
) -> None:
    first = diversity_report(db, segregated.admin, "community", START, END, seed=3)
    again = diversity_report(db, segregated.admin, "community", START, END, seed=3)
    assert again.chance == first.chance
    again.chance["theil_h"]["p_value"] = -1.0  # callers get their own copy
    assert diversity_report(db, segregated.admin, "community", START, END, seed=3).chance == (
        first.chance
    )
    add_group(db, segregated, "Club M", [("M1", Community.ROMA), ("M2", Community.SERBIAN)])
    changed = diversity_report(db, segregated.admin, "community", START, END, seed=3)
    assert changed.segregation != first.segregation
    assert changed.chance["theil_h"]["observed"] == pytest.approx(changed.segregation["theil_h"])


@pytest.mark.parametrize("dimension", ["community", "age_band", "school"])
def test_counts_by_period_match_one_period_at_a_time(
    db: Session, segregated: World, dimension: str
) -> None:
    add_group(db, segregated, "Club E", [("E1", Community.ROMA), ("E2", Community.ROMA)], True)
    periods = [(start, end) for _label, start, end in school_terms(local_today(), 4)]
    periods.append((START, END))
    together = composition_counts_by_period(db, dimension, periods)
    assert together == [composition_counts(db, dimension, start, end) for start, end in periods]
    assert any(together)  # the segregated world has members in some period
