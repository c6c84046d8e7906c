"""Every read of special-category data (and every export) is in the audit log.

``SPECIAL_READERS`` names, explicitly, each service function that returns special-category data
(community, care situation, at-risk records and what is derived from them: caseloads, alerts,
monitoring timelines, subject access) or exports personal data, with how to call it on a small
world; each one is called and must write at least one ``READ_SPECIAL`` or ``EXPORT`` entry, and
no entry may carry a child's name.

The registry cannot silently fall behind: every public function of the service rooms (``PACKAGES``)
is inspected, and one whose source
(with the source of every function of these packages it calls, transitively) reads
``Child.community``, ``Child.care_situation``, ``RiskRecord``, the followed-children or
participation predicates or alerts — or whose name or docstring suggests special-category data or
an export — must be either a reader here or in ``ALLOWED_WITHOUT_AUDIT`` with a one-line reason.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.children import privacy as rights
from parliament_app.children import risk
from parliament_app.children import services as children
from parliament_app.groups import composer
from parliament_app.groups.diversity import report as diversity_report
from parliament_app.models import AuditAction, AuditEntry, Child
from parliament_app.monitoring import alerts, caseload, taskforce
from parliament_app.monitoring.alerts import evaluate
from parliament_app.people import audit_log
from sessions import involvement
from sessions.attendance import roster as attendance
from tests.factories import World, build_world
from tests.factories.groups import enrol
from tests.factories.meetings import (
    TODAY,
    A,
    P,
    at,
    days_ago,
    mark,
    sessions_with,
)

# The rooms that hold services (and the command line, which calls them).
PACKAGES = (
    "parliament_app.people",
    "parliament_app.places",
    "parliament_app.groups",
    "parliament_app.children",
    "parliament_app.monitoring",
    "parliament_app.cli",
    "sessions",
    "activities",
)
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
SPECIAL_CODE = re.compile(
    r"\bChild\.community\b|\bChild\.care_situation\b|\.community\b|\.care_situation\b"
    r"|\bRiskRecord\b|\bfollowed_child_ids\b|\bparticipation_visible_to_csw\b|\bAlert\b"
)
SPECIAL_DOC = re.compile(r"special[- ]category|at-risk|risk record|caseload", re.IGNORECASE)
SPECIAL_NAME = re.compile(
    r"risk|caseload|(^|_)special(_|$)|community|care_situation|followed|alert|timeline"
    r"|subject_access|taskforce|export"
)


@dataclass
class Scene:
    world: World
    db: Session


Call = Callable[[Scene], Any]


def _diversity(scene: Scene) -> diversity_report.DiversityReport:
    return diversity_report.diversity_report(
        scene.db, scene.world.admin, "community", *PERIOD, permutations=0, audit_read=False
    )


# (function, how to call it): every one must write READ_SPECIAL or EXPORT.
SPECIAL_READERS: list[tuple[Callable[..., Any], Call]] = [
    (
        children.get_child,
        lambda s: children.get_child(s.db, s.world.social_worker, s.world.followed_child.id),
    ),
    (risk.followed_children, lambda s: risk.followed_children(s.db, s.world.social_worker)),
    (
        diversity_report.diversity_report,
        lambda s: diversity_report.diversity_report(
            s.db, s.world.admin, "community", *PERIOD, permutations=0
        ),
    ),
    (
        diversity_report.export_csv,
        lambda s: diversity_report.export_csv(s.db, s.world.admin, _diversity(s)),
    ),
    (
        diversity_report.export_xlsx,
        lambda s: diversity_report.export_xlsx(s.db, s.world.admin, _diversity(s)),
    ),
    (
        composer.propose_roster,
        lambda s: composer.propose_roster(s.db, s.world.facilitator, s.world.group.id),
    ),
    (
        caseload.caseload,
        lambda s: caseload.caseload(s.db, s.world.social_worker, today=TODAY),
    ),
    (
        caseload.participation_timeline,
        lambda s: caseload.participation_timeline(
            s.db, s.world.social_worker, s.world.followed_child.id, today=TODAY
        ),
    ),
    (alerts.inbox, lambda s: alerts.inbox(s.db, s.world.social_worker, "all")),
    (alerts.alerts_json, lambda s: alerts.alerts_json(s.db, None, "all")),
    (
        taskforce.taskforce_pack,
        lambda s: taskforce.taskforce_pack(s.db, s.world.social_worker, TODAY, today=TODAY),
    ),
    (
        taskforce.taskforce_pack_xlsx,
        lambda s: taskforce.taskforce_pack_xlsx(s.db, s.world.social_worker, TODAY, today=TODAY),
    ),
    (
        taskforce.taskforce_pack_pdf,
        lambda s: taskforce.taskforce_pack_pdf(s.db, s.world.social_worker, TODAY, today=TODAY),
    ),
    (
        rights.subject_access_export,
        lambda s: rights.subject_access_export(s.db, s.world.admin, s.world.followed_child.id),
    ),
    (
        rights.subject_access_html,
        lambda s: rights.subject_access_html(s.db, s.world.admin, s.world.followed_child.id),
    ),
    # Exports of personal data (not special-category, but every export is audited).
    (attendance.export_csv, lambda s: attendance.export_csv(s.db, s.world.admin, *PERIOD)),
    (attendance.export_xlsx, lambda s: attendance.export_xlsx(s.db, s.world.admin, *PERIOD)),
    (
        involvement.export_indicator_csv,
        lambda s: involvement.export_indicator_csv(s.db, s.world.admin, "group", *PERIOD),
    ),
    (audit_log.export_audit_csv, lambda s: audit_log.export_audit_csv(s.db, s.world.admin)),
]

# Functions the inspection flags that rightly write no READ_SPECIAL/EXPORT entry.
ALLOWED_WITHOUT_AUDIT: dict[str, str] = {
    "activities.quizzes.bank.translations.export_po": (
        "the question bank's texts as a catalog, no personal data"
    ),
    "activities.quizzes.gain.gain_export_rows": (
        "formats a report already built: age bands and topics, small cells shown as <5"
    ),
    "activities.quizzes.gain.question_stats_export_rows": (
        "formats per-question answer shares already built, no child identified"
    ),
    "parliament_app.children.services.register_child": "a write: audited as CREATE",
    "parliament_app.children.services.update_child": "a write: audited as UPDATE",
    "parliament_app.groups.diversity.report.composition_counts": (
        "aggregate counts, the building block of diversity_report (which audits and suppresses)"
    ),
    "parliament_app.groups.diversity.report.composition_counts_by_period": (
        "aggregate counts per period, the building block of term_trend (indices only)"
    ),
    "parliament_app.groups.diversity.report.term_trend": (
        "segregation indices per term only: no counts, no individual"
    ),
    "parliament_app.groups.diversity.report.export_rows": (
        "pure formatting of a report already read (no session); small cells suppressed"
    ),
    "parliament_app.groups.diversity.report.export_json": (
        "pure formatting of a report already read (no session); small cells suppressed"
    ),
    "parliament_app.monitoring.home.home_figures": "counts of children, nobody identified",
    "parliament_app.children.risk.add_risk_record": "a write: audited as CREATE",
    "parliament_app.children.risk.open_risk_record": "a write: audited as CREATE",
    "parliament_app.children.risk.close_risk_record": "a write: audited as UPDATE",
    "parliament_app.children.risk.check_risk_record": "validation of input, reads nothing",
    "parliament_app.children.risk.count_followed": "a count, nobody identified",
    "parliament_app.monitoring.alerts.evaluate": (
        "the operator's job: returns counts only; raising alerts is audited as CREATE"
    ),
    "parliament_app.monitoring.alerts.acknowledge": "a change: audited as UPDATE",
    "parliament_app.monitoring.alerts.add_note": "a change: audited as CREATE",
    "parliament_app.monitoring.alerts.resolve": "a change: audited as UPDATE",
    "parliament_app.monitoring.caseload.participation_metrics": (
        "building block without a user: caseload(), alerts and the task-force pack check and audit"
    ),
    "parliament_app.monitoring.caseload.caseload_rows": (
        "building block without a user: caseload() and the task-force pack audit"
    ),
    "parliament_app.children.privacy.erasure.erase_child": "the erasure: audited as DELETE",
    "parliament_app.children.privacy.erasure.erase_many": "erasures: each audited as DELETE",
    "parliament_app.children.privacy.erasure.retention_candidates": (
        "names and dates of inactive children only (the open-record filter only excludes)"
    ),
    "sessions.calendar.visible_occurrences": "sessions (dates, topics), no child data",
    "sessions.calendar.ical_for_user": "sessions (dates, topics), no child data",
    "sessions.involvement.family_timeline": (
        "participation (attendance, involvement), not special-category; consent-gated"
    ),
}


def _qualname(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__name__}"


def _modules() -> list[ModuleType]:
    modules = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            modules.append(importlib.import_module(info.name))
    return modules


def _public_functions(modules: list[ModuleType]) -> dict[str, Callable[..., Any]]:
    return {
        _qualname(obj): obj
        for module in modules
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and inspect.isfunction(obj)
        and obj.__module__ == module.__name__
    }


def _source_with_callees(function: Callable[..., Any], module_names: set[str]) -> str:
    """The function's source and that of every function of the walked packages it calls,
    transitively (by name, as looked up in the caller's module)."""
    seen: set[str] = set()
    todo, texts = [function], []
    while todo:
        current = todo.pop()
        key = _qualname(current)
        if key in seen:
            continue
        seen.add(key)
        source = inspect.getsource(current)
        texts.append(source)
        namespace = vars(sys.modules[current.__module__])
        for name in re.findall(r"\b([A-Za-z_]\w*)\s*\(", source):
            callee = namespace.get(name)
            if inspect.isfunction(callee) and callee.__module__ in module_names:
                todo.append(callee)
    return "\n".join(texts)


def _flagged() -> dict[str, list[str]]:
    modules = _modules()
    names = {module.__name__ for module in modules}
    flagged = {}
    for qualname, function in _public_functions(modules).items():
        reasons = []
        if SPECIAL_CODE.search(_source_with_callees(function, names)):
            reasons.append("reads special-category data")
        if SPECIAL_DOC.search(function.__doc__ or ""):
            reasons.append("docstring")
        if SPECIAL_NAME.search(function.__name__):
            reasons.append("name")
        if reasons:
            flagged[qualname] = reasons
    return flagged


def test_every_special_data_function_is_registered() -> None:
    flagged = _flagged()
    readers = {_qualname(function) for function, _call in SPECIAL_READERS}
    missing = {
        name: reasons
        for name, reasons in flagged.items()
        if name not in readers and name not in ALLOWED_WITHOUT_AUDIT
    }
    assert not missing, (
        "add these to SPECIAL_READERS (and audit them) or to ALLOWED_WITHOUT_AUDIT with a "
        f"reason: {json.dumps(missing, indent=1)}"
    )
    # The inspection does see the readers it should (a broken pattern would see nothing).
    for reader in ("caseload.caseload", "children.services.get_child", "risk.followed_children"):
        assert any(name.endswith(reader) for name in flagged), reader


def test_the_registry_names_real_functions_with_reasons() -> None:
    functions = _public_functions(_modules())
    for function, _call in SPECIAL_READERS:
        assert _qualname(function) in functions, _qualname(function)
    for name, reason in ALLOWED_WITHOUT_AUDIT.items():
        assert name in functions, name
        assert reason.strip(), name
    overlap = {_qualname(function) for function, _call in SPECIAL_READERS} & set(
        ALLOWED_WITHOUT_AUDIT
    )
    assert not overlap


@pytest.fixture
def scene(db: Session) -> Scene:
    """The factories' world, plus: followed_child referred by its centre into the facilitator's
    group, with attendance and an alert; own_pupil attending too."""
    world = build_world(db)
    enrol(db, world.group, world.followed_child, at(days_ago(120)), referred_by=world.csw.id)
    rows = sessions_with(
        db,
        world.group,
        world.followed_child,
        [(days_ago(9), P), (days_ago(5), A), (days_ago(2), A)],
    )
    for row in rows:  # the other pupil attends the same sessions
        mark(db, row, world.own_pupil, P)
    evaluate(db, today=TODAY)
    db.flush()
    return Scene(world, db)


@pytest.mark.parametrize(
    ("function", "call"),
    SPECIAL_READERS,
    ids=[_qualname(function) for function, _call in SPECIAL_READERS],
)
def test_each_reader_writes_an_audit_entry(scene: Scene, function, call) -> None:
    db = scene.db
    db.flush()
    last = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    call(scene)
    db.flush()
    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.id > last)))
    audited = [e for e in entries if e.action in (AuditAction.READ_SPECIAL, AuditAction.EXPORT)]
    assert audited, f"{_qualname(function)} wrote no READ_SPECIAL or EXPORT entry"
    names = {
        name
        for given, family in db.execute(select(Child.given_name, Child.family_name))
        for name in (given, family)
        if name
    }
    for entry in entries:
        text = json.dumps(entry.detail or {}, ensure_ascii=False)
        assert not [name for name in names if name in text], (entry.record_type, text)
