"""`parliament bench` on a small national dataset (scale 0.002), on SQLite and, when configured,
PostgreSQL: every figure is measured next to its floor, four concurrent check-in workers lose
and duplicate nothing, and the benchmark leaves the data as it found it. No timing is asserted
(these machines are noisy): the figures themselves are for docs/performance.md."""

from __future__ import annotations

import sys
import types

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from parliament_app.devtools import bench
from parliament_app.devtools.bench import BenchmarkRefused, run_benchmark, table
from parliament_app.devtools.national_data import generate_national_data
from parliament_app.models import AuditEntry, Child, LoginSession
from parliament_app.models.attendance import Attendance, ScanLog

SCALE = 0.002


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Child, Attendance, ScanLog, AuditEntry)
        }


def test_the_benchmark_measures_and_changes_nothing(
    engine: Engine, db: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "CHECKINS", 64)  # the paced run takes CHECKINS / WORKERS / 4 s
    monkeypatch.setattr(bench, "WORKERS", 4)  # each is a spawned process: four are enough to race
    # As an AppTest run can leave it: a page as __main__, which spawned workers would re-run.
    page = types.ModuleType("__main__")
    page.__file__ = str(bench.ROOT / "parliament_app" / "ui" / "pages" / "quiz_results.py")
    monkeypatch.setitem(sys.modules, "__main__", page)
    generate_national_data(engine, seed=3, scale=SCALE)
    before = _counts(engine)
    lines: list[str] = []
    result = run_benchmark(database_url, 1, ("diversity", "caseload", "checkins"), lines.append)
    figures = {figure.key: figure for figure in result.figures}
    assert {"diversity_report", "diversity_report_chance", "caseload_dashboard"} <= set(figures)
    assert figures["checkin_lost"].median == 0
    assert figures["checkin_duplicated"].median == 0
    for key in ("diversity_report", "caseload_dashboard", "checkin_p95"):
        assert figures[key].median > 0 and figures[key].floor > 0
    assert "flagged" in figures["diversity_report"].note
    assert result.dataset["children"] == before["Child"]
    assert _counts(engine) == before  # check-ins deleted, reports rolled back with their audit
    with Session(engine) as session:
        assert not session.scalar(
            select(func.count()).select_from(LoginSession).where(LoginSession.revoked_at.is_(None))
        )
    markdown = table(result, markdown=True)
    assert markdown.startswith("| figure | median | floor | ratio | target | met? |")
    assert any(line.startswith("== checkins") for line in lines)


def test_a_database_without_the_national_dataset_is_refused(
    engine: Engine, db: Session, database_url: str
) -> None:
    with pytest.raises(BenchmarkRefused):
        run_benchmark(database_url, 1, ("diversity",))


class _Worker:
    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode

    def is_alive(self) -> bool:
        return self.exitcode is None


class _Barrier:
    aborted = False

    def abort(self) -> None:
        self.aborted = True


def test_a_worker_that_dies_before_reporting_fails_the_run_at_once() -> None:
    import queue

    results: queue.Queue = queue.Queue()
    results.put(([1.0], [(1, 2, "checked_in")], ""))
    barrier = _Barrier()
    received = []
    with pytest.raises(RuntimeError, match="ended without a result"):
        for result in bench._results_of([_Worker(0), _Worker(1), _Worker(None)], results, barrier):
            received.append(result)
    assert len(received) == 1
    assert barrier.aborted  # the others stop waiting for it at the start line
