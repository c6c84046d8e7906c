# Not split: the figures share one dataset, one set of floors and the report table; each figure
#   is a short function of its own.
"""The benchmark suite on the national dataset (``parliament bench``).

Every figure is the median of N runs next to a *floor* measured in the same run on the same
database, so a slow or busy machine shows up in both and the ratio stays meaningful:

============================  =================================================  ==============
figure                        floor                                              target
============================  =================================================  ==============
diversity report, one year    the bare GROUP BY of ``composition_counts``        <= 1.5 x floor
  (community, whole           (same rows, fetched, no Python after it)
  programme)
caseload dashboard, ~200      ``SELECT 1`` round trip x the number of queries    <= 50 ms
  children                    the dashboard issued (counted in the same run)
page script runs (AppTest)    an AppTest run of a one-line script                <= 500 ms each
1,000 QR check-ins, 8         a bare ``INSERT ... ON CONFLICT DO NOTHING`` per   p95 <= 25 ms
  workers: p50, p95           scan, same pairs, same 8 workers                   (PostgreSQL)
  lost / duplicated records   -                                                  0 and 0
10,000-row register import    reading the CSV with the ``csv`` module            <= 5 s
peak memory serving the       a bare Python process that imports streamlit       <= 600 MB
  report pages (VmHWM)
============================  =================================================  ==============

The benchmark changes nothing for good: reports and dashboards are rolled back (their audit
entries with them), the import is rolled back, and the check-ins' attendance, scan-log and audit
rows are deleted after each run (a scratch table holds the floor's rows and is dropped). It signs
in a few generated users (login sessions are revoked at the end).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import os
import platform
import queue
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select, text

import parliament_app.models  # noqa: F401  (registers every table)
from parliament_app.core.clock import local_today
from parliament_app.core.db import make_engine, session_factory, unit_of_work
from parliament_app.devtools.national_data import NATIONAL_PREFIX
from parliament_app.models import (
    Child,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupLeader,
    LoginSession,
    Municipality,
    RiskRecord,
    Role,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "streamlit_app.py"
BENCH_SECRET = "national-benchmark-secret-" * 2
CHECKINS = 1_000
WORKERS = 8
IMPORT_ROWS = 10_000
CASELOAD_SIZE = 200
PACE_MS = 250  # the paced check-in run: each worker scans every quarter of a second
TRIVIAL_SCRIPT = "import streamlit as st\n\nst.title('Floor')\nst.write('nothing else')\n"
# The main pages, each as the role that usually opens it.
PAGES: tuple[tuple[str, Role], ...] = (
    ("home", Role.FACILITATOR),
    ("children", Role.SCHOOL_COORDINATOR),
    ("groups", Role.FACILITATOR),
    ("sessions", Role.FACILITATOR),
    ("calendar", Role.FACILITATOR),
    ("attendance", Role.FACILITATOR),
    ("diversity", Role.ADMINISTRATOR),
    ("quiz_results", Role.ADMINISTRATOR),
    ("caseload", Role.SOCIAL_WORKER),
)
# Pages whose services remember results (diversity_report's chance levels): also timed again.
REMEMBERING_PAGES = ("diversity",)
# What one app process serves in the memory figure: the report pages.
MEMORY_PAGES: tuple[tuple[str, Role], ...] = (
    ("home", Role.ADMINISTRATOR),
    ("diversity", Role.ADMINISTRATOR),
    ("diversity", Role.FACILITATOR),
    ("quiz_results", Role.ADMINISTRATOR),
    ("caseload", Role.SOCIAL_WORKER),
)
GROUPS = ("diversity", "caseload", "pages", "checkins", "import", "memory")


class BenchmarkRefused(RuntimeError):
    """The database cannot be benchmarked (no national dataset, not migrated, ...)."""


@dataclass
class Figure:
    key: str
    title: str
    unit: str  # "ms", "s", "MB" or "rows"
    median: float | None
    floor: float | None
    floor_label: str
    target: float | None
    target_kind: str  # "max": median <= target; "ratio": median / floor <= target
    runs: list[float] = field(default_factory=list)
    floor_runs: list[float] = field(default_factory=list)
    note: str = ""
    applies: bool = True  # False: the target is stated for the other engine only
    error: str = ""  # the measured code failed (an exception): the target is not met

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.floor:
            return None
        return self.median / self.floor

    @property
    def met(self) -> bool | None:
        if self.error:
            return False
        if self.target is None or self.median is None or not self.applies:
            return None
        if self.target_kind == "ratio":
            return self.ratio is not None and self.ratio <= self.target
        return self.median <= self.target

    def as_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["ratio"] = self.ratio
        payload["met"] = self.met
        return payload


@dataclass
class BenchResult:
    engine: str
    database: str
    runs: int
    started_at: str
    seconds: float
    machine: dict[str, Any]
    dataset: dict[str, int]
    figures: list[Figure]
    command: str = ""

    def as_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["figures"] = [figure.as_dict() for figure in self.figures]
        return payload


# --- the machine ---------------------------------------------------------------------------


def machine_info(engine: Engine | None = None) -> dict[str, Any]:
    """nproc, memory, CPU model, load, Python, SQLite and (with an engine) the server version."""
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    with contextlib.suppress(OSError):
        info["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
    if engine is not None and engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            info["postgresql"] = connection.scalar(text("SHOW server_version"))
    return info


# --- helpers -------------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _ms(seconds: float) -> float:
    return seconds * 1000.0


@contextlib.contextmanager
def _counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class _World:
    """The dataset's users and places the figures work with."""

    today: date
    admin_id: int
    facilitator_id: int
    coordinator_id: int
    school_id: int
    social_worker_id: int
    caseload: int


class Bench:
    def __init__(
        self,
        url: str,
        runs: int = 5,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.runs = max(1, runs)
        self.say = progress or (lambda _message: None)
        self.engine = make_engine(url)
        self.factory = session_factory(self.engine)
        self.data_dir = Path(tempfile.mkdtemp(prefix="parliament-bench-"))
        self.env = {
            "PARLIAMENT_DATABASE_URL": url,
            "PARLIAMENT_DATA_DIR": str(self.data_dir),
            "PARLIAMENT_SECRET_KEY": BENCH_SECRET,
        }
        self.tokens: dict[Role, str] = {}

    # orchestration

    def run(self, groups: tuple[str, ...] = GROUPS) -> BenchResult:
        from parliament_app.core import migrate

        started = time.perf_counter()
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        if not migrate.is_up_to_date(self.engine):
            raise BenchmarkRefused("the database is not migrated: run 'parliament db upgrade'")
        self.world = self._world()
        figures: list[Figure] = []
        steps: dict[str, Callable[[], list[Figure]]] = {
            "diversity": self._diversity,
            "caseload": self._caseload,
            "pages": self._pages,
            "checkins": self._checkins,
            "import": self._import,
            "memory": self._memory,
        }
        with _environment(self.env):
            self._reset_runtime()
            self._tidy()
            try:
                for name in groups:
                    self.say(f"== {name}")
                    figures += steps[name]()
                    if name in ("checkins", "import"):
                        self._tidy()
            finally:
                self._sign_out()
                self._reset_runtime()
        result = BenchResult(
            engine=self.engine.dialect.name,
            database=self.engine.url.render_as_string(hide_password=True),
            runs=self.runs,
            started_at=started_at,
            seconds=round(time.perf_counter() - started, 1),
            machine=machine_info(self.engine),
            dataset=self._dataset(),
            figures=figures,
        )
        self.engine.dispose()
        return result

    @staticmethod
    def _reset_runtime() -> None:
        from parliament_app.core import runtime

        runtime.reset()

    def _tidy(self) -> None:
        """PostgreSQL: VACUUM (ANALYZE) the tables the benchmark writes and then rolls back or
        deletes from (the import's 10,000 pupils per run, the check-ins), so later figures and
        later benchmarks do not scan dead rows. SQLite reuses the pages by itself."""
        if self.engine.dialect.name != "postgresql":
            return
        tables = ", ".join(
            f'"{name}"'
            for name in (
                "children",
                "guardians",
                "child_guardians",
                "consents",
                "attendance",
                "scan_log",
                "audit_log",
                "login_sessions",
            )
        )
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")

    def _dataset(self) -> dict[str, int]:
        tables = (
            "children",
            "municipalities",
            "groups",
            "enrolments",
            "occurrences",
            "attendance",
            "guardian_involvements",
            "quiz_answers",
        )
        with self.engine.connect() as connection:
            return {
                table: int(connection.scalar(text(f'SELECT count(*) FROM "{table}"')))
                for table in tables
            }

    def _world(self) -> _World:
        from parliament_app.policy.access import participation_visible_to_csw

        today = local_today()
        with self.factory() as session:
            national = session.scalar(
                select(func.count())
                .select_from(Municipality)
                .where(Municipality.name.like(f"{NATIONAL_PREFIX} %"))
            )
            if not national:
                raise BenchmarkRefused(
                    "no national dataset in this database: run 'parliament national-data' first"
                )
            admin = session.scalar(
                select(User.id)
                .where(User.role == Role.ADMINISTRATOR, User.active)
                .order_by(User.id)
                .limit(1)
            )
            # the busiest facilitator: the one leading the most groups
            facilitator = session.execute(
                select(GroupLeader.user_id, func.count())
                .join(User, User.id == GroupLeader.user_id)
                .where(User.role == Role.FACILITATOR, User.active)
                .group_by(GroupLeader.user_id)
                .order_by(func.count().desc(), GroupLeader.user_id)
                .limit(1)
            ).first()
            # the school with the most pupils, and its coordinator
            school = session.execute(
                select(Child.school_id, func.count())
                .where(Child.school_id.is_not(None))
                .group_by(Child.school_id)
                .order_by(func.count().desc(), Child.school_id)
                .limit(1)
            ).first()
            coordinator = session.scalar(
                select(User.id)
                .where(User.role == Role.SCHOOL_COORDINATOR, User.organisation_id == school[0])
                .order_by(User.id)
                .limit(1)
            )
            # the centre whose caseload is closest to 200 children
            open_records = session.execute(
                select(RiskRecord.csw_id, func.count(func.distinct(RiskRecord.child_id)))
                .where(RiskRecord.closed_on.is_(None))
                .group_by(RiskRecord.csw_id)
            ).all()
            candidates = sorted(open_records, key=lambda row: abs(row[1] - 1.15 * CASELOAD_SIZE))
            sizes = []
            for csw_id, _open in candidates[:8]:
                visible = session.scalar(
                    select(func.count())
                    .select_from(Child)
                    .where(participation_visible_to_csw(csw_id))
                )
                sizes.append((abs(visible - CASELOAD_SIZE), csw_id, visible))
            _distance, csw_id, visible = min(sizes)
            social_worker = session.scalar(
                select(User.id)
                .where(User.role == Role.SOCIAL_WORKER, User.organisation_id == csw_id, User.active)
                .order_by(User.id)
                .limit(1)
            )
        if not (admin and facilitator and coordinator and social_worker):
            raise BenchmarkRefused("the dataset lacks an administrator, facilitator or centre")
        self.say(
            f"today {today}; facilitator {facilitator[0]} leads {facilitator[1]} groups; "
            f"school {school[0]} has {school[1]} pupils; caseload of centre {csw_id}: {visible}"
        )
        return _World(
            today=today,
            admin_id=admin,
            facilitator_id=facilitator[0],
            coordinator_id=coordinator,
            school_id=school[0],
            social_worker_id=social_worker,
            caseload=visible,
        )

    def _user_id(self, role: Role) -> int:
        return {
            Role.ADMINISTRATOR: self.world.admin_id,
            Role.FACILITATOR: self.world.facilitator_id,
            Role.SCHOOL_COORDINATOR: self.world.coordinator_id,
            Role.SOCIAL_WORKER: self.world.social_worker_id,
        }[role]

    def _token(self, role: Role) -> str:
        from parliament_app.core.config import get_settings
        from parliament_app.people.sign_in import start_session

        if role not in self.tokens:
            with unit_of_work(self.factory) as session:
                user = session.get(User, self._user_id(role))
                token, _expires = start_session(session, get_settings(), user)
            self.tokens[role] = token
        return self.tokens[role]

    def _sign_out(self) -> None:
        if not self.tokens:
            return
        with unit_of_work(self.factory) as session:
            session.execute(
                LoginSession.__table__.update()
                .where(
                    LoginSession.user_id.in_([self._user_id(role) for role in self.tokens]),
                    LoginSession.revoked_at.is_(None),
                )
                .values(revoked_at=datetime.now(UTC))
            )
        self.tokens.clear()

    # 1. the diversity report

    def _diversity(self) -> list[Figure]:
        from parliament_app.groups.diversity import report as report

        end = self.world.today
        start = end - timedelta(days=365)
        category = report._category_column("community")
        bare = (
            select(Enrolment.group_id, category, func.count(func.distinct(Enrolment.child_id)))
            .join(Child, Child.id == Enrolment.child_id)
            .join(Group, Group.id == Enrolment.group_id)
            .where(report._member_in_period(start, end))
            .group_by(Enrolment.group_id, category)
        )
        figures = []
        for permutations, key, label in (
            (0, "diversity_report", "without the chance test"),
            (2000, "diversity_report_chance", "with the page's chance test"),
        ):
            runs, floors = [], []
            units = flagged = 0
            for index in range(self.runs + 1):  # the first run warms caches
                with self.factory() as session:
                    admin = session.get(User, self.world.admin_id)
                    begun = time.perf_counter()
                    rows = session.execute(bare).all()
                    floor = time.perf_counter() - begun
                    session.rollback()
                    admin = session.get(User, self.world.admin_id)
                    report.clear_caches()  # cold: as the first report an app process serves
                    begun = time.perf_counter()
                    result = report.diversity_report(
                        session, admin, "community", start, end, permutations=permutations
                    )
                    elapsed = time.perf_counter() - begun
                    session.rollback()
                if index:
                    runs.append(_ms(elapsed))
                    floors.append(_ms(floor))
                units = len(result.units)
                flagged = sum(
                    1
                    for unit in result.units
                    if unit.flags.get("ghetto_risk") or unit.flags.get("single_group")
                )
                del rows
            self.say(f"   diversity report {label}: {_median(runs):.0f} ms")
            figures.append(
                Figure(
                    key=key,
                    title=f"Programme-wide diversity report, one year ({label})",
                    unit="ms",
                    median=_median(runs),
                    floor=_median(floors),
                    floor_label="bare GROUP BY of composition_counts",
                    target=1.5,
                    target_kind="ratio",
                    runs=runs,
                    floor_runs=floors,
                    note=f"{units} groups, {flagged} flagged (ghetto risk or one category)"
                    + (f"; {result.chance_shuffles} shuffles" if result.chance_shuffles else "")
                    + "; caches cleared before each run",
                )
            )
        return figures

    # 2. the social worker's dashboard

    def _caseload(self) -> list[Figure]:
        from parliament_app.monitoring.caseload import caseload

        runs, floors, queries = [], [], 0
        rows = 0
        for index in range(self.runs + 1):
            with self.factory() as session:
                worker = session.get(User, self.world.social_worker_id)
                with _counted(self.engine) as statements:
                    begun = time.perf_counter()
                    rows = len(caseload(session, worker, today=self.world.today))
                    elapsed = time.perf_counter() - begun
                session.rollback()
                queries = len([s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT"))])
                begun = time.perf_counter()
                for _query in range(queries):
                    session.execute(text("SELECT 1")).all()
                floor = time.perf_counter() - begun
                session.rollback()
            if index:
                runs.append(_ms(elapsed))
                floors.append(_ms(floor))
        self.say(f"   caseload of {rows}: {_median(runs):.1f} ms ({queries} queries)")
        return [
            Figure(
                key="caseload_dashboard",
                title=f"Social worker's dashboard, caseload of {rows} children",
                unit="ms",
                median=_median(runs),
                floor=_median(floors),
                floor_label=f"SELECT 1 round trip x {queries} (the dashboard's queries)",
                target=50.0,
                target_kind="max",
                runs=runs,
                floor_runs=floors,
                note=f"{queries} SQL statements per dashboard",
            )
        ]

    # 3. page script runs

    def _pages(self) -> list[Figure]:
        """Each run opens the page in a fresh AppTest session that has run the home page once
        (untimed): the timed run is the page's script run, shell included."""
        from streamlit import logger
        from streamlit.testing.v1 import AppTest

        from parliament_app.groups.diversity.report import clear_caches

        logger.set_log_level("error")
        floors = []
        for index in range(self.runs + 1):
            floor_app = AppTest.from_string(TRIVIAL_SCRIPT, default_timeout=60)
            floor_app.run()
            begun = time.perf_counter()
            floor_app.run()
            if index:
                floors.append(_ms(time.perf_counter() - begun))
        figures = []
        for page, role in PAGES:
            runs: list[float] = []
            again: list[float] = []  # the same view a second time (remembered results)
            problem = ""
            for index in range(self.runs + 1):  # the first run imports the page's modules
                app = AppTest.from_file(str(ENTRY), default_timeout=600)
                app.session_state["login_token"] = self._token(role)
                app.run()
                app.switch_page(f"parliament_app/ui/pages/{page}.py")
                clear_caches()  # cold: the first view an app process serves
                begun = time.perf_counter()
                app.run()
                if index:
                    runs.append(_ms(time.perf_counter() - begun))
                    if page in REMEMBERING_PAGES:
                        begun = time.perf_counter()
                        app.run()
                        again.append(_ms(time.perf_counter() - begun))
                problem = problem or _app_problem(app)
            title = app.title[0].value if app.title else ""
            self.say(f"   page {page} as {role.value}: {_median(runs):.0f} ms {problem}")
            name = f"Page “{page}” as {role.value.replace('_', ' ')}"
            figures.append(
                _page_figure(
                    f"page_{page}",
                    name,
                    runs,
                    floors,
                    note=problem or f"title: {title}; caches cleared before each run",
                    error=problem if problem.startswith("exception") else "",
                )
            )
            if again:
                figures.append(
                    _page_figure(
                        f"page_{page}_again",
                        f"{name}, viewed again",
                        again,
                        floors,
                        note="the same view right after: remembered chance levels",
                    )
                )
        return figures

    # 4. QR check-ins

    def _checkin_plan(self) -> list[tuple[int, int, str, datetime, int]]:
        """(occurrence, child, token text, scan time, facilitator) for 1,000 scans: about 900
        children of upcoming sessions, and 100 of them scanned a second time."""
        from parliament_app.models.attendance import Badge
        from parliament_app.models.meetings import Occurrence, OccurrenceStatus
        from sessions.checkin.badges import badge_token

        now = datetime.now(UTC)
        pairs: list[tuple[int, int, str, datetime, int]] = []
        with self.factory() as session:
            upcoming = session.execute(
                select(Occurrence.id, Occurrence.group_id, Occurrence.starts_at)
                .where(
                    Occurrence.status == OccurrenceStatus.SCHEDULED,
                    Occurrence.starts_at > now + timedelta(hours=2),
                    Occurrence.closed_at.is_(None),
                )
                .order_by(Occurrence.starts_at, Occurrence.id)
                .limit(400)
            ).all()
            for occurrence_id, group_id, starts_at in upcoming:
                leader = session.scalar(
                    select(GroupLeader.user_id).where(GroupLeader.group_id == group_id).limit(1)
                )
                roster = session.execute(
                    select(Enrolment.child_id, Badge.token_id)
                    .join(Badge, Badge.child_id == Enrolment.child_id)
                    .where(
                        Enrolment.group_id == group_id,
                        Enrolment.status == EnrolmentStatus.ACTIVE,
                        Badge.revoked_at.is_(None),
                    )
                    .order_by(Enrolment.child_id)
                ).all()
                at = starts_at.astimezone(UTC) + timedelta(minutes=3)
                for child_id, token_id in roster:
                    pairs.append(
                        (occurrence_id, child_id, badge_token(BENCH_SECRET, token_id), at, leader)
                    )
                if len(pairs) >= CHECKINS * 9 // 10:
                    break
        if not pairs:
            raise BenchmarkRefused("no upcoming session with badged children to check in")
        unique = pairs[: CHECKINS * 9 // 10]
        shuffle = random.Random(7)
        repeats = [shuffle.choice(unique) for _index in range(CHECKINS - len(unique))]
        plan = unique + repeats
        shuffle.shuffle(plan)
        return plan

    def _checkins(self) -> list[Figure]:
        """The same 1,000 scans twice per run: back to back (each worker scans again as soon
        as the previous scan is committed: the machine's capacity) and paced (each worker scans
        every ``PACE_MS``, still faster than a person at a door); then the floor."""
        plan = self._checkin_plan()
        postgres = self.engine.dialect.name == "postgresql"
        samples: dict[str, list[float]] = {
            key: []
            for key in (
                "p50",
                "p95",
                "paced50",
                "paced95",
                "single50",
                "single95",
                "floor50",
                "floor95",
            )
        }
        lost_runs, duplicate_runs = [], []
        self._floor_table(create=True)
        try:
            for _run in range(self.runs):
                for mode, pace, workers in (
                    ("", 0.0, WORKERS),
                    ("paced", PACE_MS / 1000, WORKERS),
                    ("single", 0.0, 1),
                ):
                    marks = self._marks()
                    latencies, outcomes = self._parallel("scan", plan, pace, workers)
                    lost, duplicated, double_checked_in = self._verify(plan, outcomes)
                    self._undo(marks)
                    p50, p95 = _percentile(latencies, 0.50), _percentile(latencies, 0.95)
                    samples[f"{mode or 'p'}50"].append(p50)
                    samples[f"{mode or 'p'}95"].append(p95)
                    lost_runs.append(float(lost))
                    duplicate_runs.append(float(duplicated + double_checked_in))
                    self.say(
                        f"   check-ins {mode or 'back to back'}: p50 {p50:.1f} ms, p95 "
                        f"{p95:.1f} ms; lost {lost}, duplicated {duplicated} "
                        f"(+{double_checked_in} double 'checked in')"
                    )
                with self.engine.begin() as connection:
                    connection.execute(text("DELETE FROM bench_checkin_floor"))
                floor, _outcomes = self._parallel("floor", plan, 0.0, WORKERS)
                samples["floor50"].append(_percentile(floor, 0.50))
                samples["floor95"].append(_percentile(floor, 0.95))
        finally:
            self._floor_table(create=False)
        unique = len({(o, c) for o, c, *_rest in plan})
        note = (
            f"{CHECKINS} scans ({unique} distinct child-session pairs) by {WORKERS} worker "
            "processes, one transaction each"
        )
        target_note = "" if postgres else "; the 25 ms target is PostgreSQL's"
        floor_label = f"bare INSERT ... ON CONFLICT DO NOTHING, {WORKERS} workers back to back"

        def latency(key: str, title: str, floor_key: str, target: float | None, extra: str):
            return Figure(
                key=key,
                title=title,
                unit="ms",
                median=_median(samples[key.removeprefix("checkin_")]),
                floor=_median(samples[floor_key]),
                floor_label=floor_label,
                target=target,
                target_kind="max",
                runs=samples[key.removeprefix("checkin_")],
                floor_runs=samples[floor_key],
                applies=postgres,
                note=note + extra + (target_note if target else ""),
            )

        back = ", back to back"
        paced = f", every {PACE_MS} ms per worker ({WORKERS * 1000 // PACE_MS} scans/s)"
        single = " (for reference: one worker process scanning alone, back to back)"
        return [
            latency("checkin_p50", "QR check-in latency, back to back, p50", "floor50", None, back),
            latency("checkin_p95", "QR check-in latency, back to back, p95", "floor95", 25.0, back),
            latency("checkin_paced50", "QR check-in latency, paced, p50", "floor50", None, paced),
            latency("checkin_paced95", "QR check-in latency, paced, p95", "floor95", 25.0, paced),
            latency(
                "checkin_single50", "QR check-in latency, one worker, p50", "floor50", None, single
            ),
            latency(
                "checkin_single95", "QR check-in latency, one worker, p95", "floor95", None, single
            ),
            Figure(
                key="checkin_lost",
                title="QR check-ins: lost records (all runs)",
                unit="rows",
                median=sum(lost_runs),
                floor=None,
                floor_label="-",
                target=0,
                target_kind="max",
                runs=lost_runs,
                note=note,
            ),
            Figure(
                key="checkin_duplicated",
                title="QR check-ins: duplicated records (all runs)",
                unit="rows",
                median=sum(duplicate_runs),
                floor=None,
                floor_label="-",
                target=0,
                target_kind="max",
                runs=duplicate_runs,
                note=note + "; extra rows, and a second 'checked in' answer for one pair",
            ),
        ]

    def _parallel(
        self, kind: str, plan: list, pace: float, count: int
    ) -> tuple[list[float], list[tuple[int, int, str]]]:
        """Run ``plan`` in ``count`` processes (like the devices of eight facilitators served by
        several app processes), started together once each has connected."""
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(count)
        results = context.Queue()
        workers = [
            context.Process(
                target=_checkin_worker,
                args=(
                    kind,
                    self.url,
                    plan[index::count],
                    pace,
                    index * pace / count,  # devices are not in step: spread their scans
                    barrier,
                    results,
                ),
                daemon=True,
            )
            for index in range(count)
        ]
        with _plain_main():
            for worker in workers:
                worker.start()
        latencies: list[float] = []
        outcomes: list[tuple[int, int, str]] = []
        failures = []
        for mine, theirs, failure in _results_of(workers, results, barrier):
            latencies += mine
            outcomes += theirs
            if failure:
                failures.append(failure)
        for worker in workers:
            worker.join(timeout=60)
        if failures:
            raise RuntimeError(f"check-in worker failed: {failures[0]}")
        return latencies, outcomes

    def _marks(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {
                table: int(connection.scalar(text(f'SELECT coalesce(max(id), 0) FROM "{table}"')))
                for table in ("attendance", "scan_log", "audit_log")
            }

    def _undo(self, marks: dict[str, int]) -> None:
        with self.engine.begin() as connection:
            for table, last in marks.items():
                connection.execute(text(f'DELETE FROM "{table}" WHERE id > :last'), {"last": last})

    def _verify(self, plan, outcomes) -> tuple[int, int, int]:
        """Lost: a pair scanned but without a record; duplicated: more than one record for a
        pair; double: a pair answered "checked in" more than once."""
        from parliament_app.models.attendance import Attendance

        pairs = {(o, c) for o, c, *_rest in plan}
        occurrences = sorted({o for o, _c in pairs})
        with self.factory() as session:
            counts = {
                (o, c): n
                for o, c, n in session.execute(
                    select(Attendance.occurrence_id, Attendance.child_id, func.count())
                    .where(Attendance.occurrence_id.in_(occurrences))
                    .group_by(Attendance.occurrence_id, Attendance.child_id)
                )
            }
        lost = sum(1 for pair in pairs if counts.get(pair, 0) == 0)
        duplicated = sum(max(0, counts.get(pair, 0) - 1) for pair in pairs)
        checked_in: dict[tuple[int, int], int] = {}
        for o, c, result in outcomes:
            if result == "checked_in":
                checked_in[(o, c)] = checked_in.get((o, c), 0) + 1
        double = sum(n - 1 for n in checked_in.values() if n > 1)
        return lost, duplicated, double

    def _floor_table(self, create: bool) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS bench_checkin_floor"))
            if create:
                connection.execute(
                    text(
                        "CREATE TABLE bench_checkin_floor (occurrence_id INTEGER NOT NULL, "
                        "child_id INTEGER NOT NULL, PRIMARY KEY (occurrence_id, child_id))"
                    )
                )

    # 5. the pupil register import

    def _register_csv(self) -> bytes:
        """10,000 new pupils (synthetic names, none already registered) as a school's CSV."""
        from parliament_app.demo.names import FAMILY_NAMES, GIVEN_NAMES

        shuffle = random.Random(11)
        header = [
            "Ime",
            "Prezime",
            "Datum rođenja",
            "Pol",
            "Razred",
            "Roditelj",
            "Prezime roditelja",
            "Telefon roditelja",
            "Mesto stanovanja",
            "Jezik",
        ]
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        seen: set[tuple[str, str, str]] = set()
        today = self.world.today
        while len(seen) < IMPORT_ROWS:
            community = shuffle.choice(("serbian", "bosniak", "roma", "albanian", "croatian"))
            gender = shuffle.choice(("female", "male"))
            given = shuffle.choice(GIVEN_NAMES[community][gender])
            family = shuffle.choice(FAMILY_NAMES[community]) + "-Bench"
            born = today - timedelta(days=shuffle.randint(7 * 366, 15 * 365))
            key = (given, family, born.isoformat())
            if key in seen:
                continue
            seen.add(key)
            writer.writerow(
                [
                    given,
                    family,
                    born.strftime("%d.%m.%Y"),
                    "Ž" if gender == "female" else "M",
                    f"{shuffle.randint(1, 8)}-{shuffle.randint(1, 4)}",
                    shuffle.choice(GIVEN_NAMES[community]["female"]),
                    family.removesuffix("-Bench"),
                    f"06{shuffle.randint(0, 9)} {shuffle.randint(100, 999)} "
                    f"{shuffle.randint(1000, 9999)}",
                    "Centar",
                    "srpski",
                ]
            )
        return buffer.getvalue().encode("utf-8")

    def _import(self) -> list[Figure]:
        from parliament_app.children.register_import import (
            commit_import,
            plan_import,
            read_register,
        )

        data = self._register_csv()
        runs, floors, imported = [], [], 0
        for index in range(self.runs + 1):
            begun = time.perf_counter()
            rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))
            floor = time.perf_counter() - begun
            del rows
            with self.factory() as session:
                coordinator = session.get(User, self.world.coordinator_id)
                begun = time.perf_counter()
                table = read_register(data, "register.csv")
                plan = plan_import(session, coordinator, self.world.school_id, table)
                if plan.errors:
                    raise BenchmarkRefused(
                        f"the benchmark's register has errors: {plan.errors[:3]}"
                    )
                result = commit_import(session, coordinator, plan, consent_confirmed=True)
                session.flush()
                elapsed = time.perf_counter() - begun
                session.rollback()
            imported = result.imported
            if index:
                runs.append(elapsed)
                floors.append(floor)
        self.say(f"   import of {imported} pupils: {_median(runs):.2f} s")
        return [
            Figure(
                key="register_import",
                title=f"Pupil register import, {IMPORT_ROWS:,} rows",
                unit="s",
                median=_median(runs),
                floor=_median(floors),
                floor_label="reading the CSV with the csv module",
                target=5.0,
                target_kind="max",
                runs=runs,
                floor_runs=floors,
                note=f"read, plan and commit ({imported} pupils with guardians and consents), "
                "then rolled back instead of committed so every run imports the same file",
            )
        ]

    # 6. peak memory

    def _memory(self) -> list[Figure]:
        tokens = {role.value: self._token(role) for _page, role in MEMORY_PAGES}
        env = {**os.environ, **self.env, "PARLIAMENT_BENCH_TOKENS": json.dumps(tokens)}
        runs, floors = [], []
        count = min(self.runs, 3)
        for _index in range(count):
            floors.append(_vmhwm_mb([sys.executable, "-c", _FLOOR_PROBE], env))
            runs.append(
                _vmhwm_mb(
                    [
                        sys.executable,
                        "-c",
                        "from parliament_app.devtools.bench import memory_probe; memory_probe()",
                    ],
                    env,
                )
            )
            self.say(f"   peak memory {runs[-1]:.0f} MB (floor {floors[-1]:.0f} MB)")
        pages = ", ".join(f"{page} ({role.value})" for page, role in MEMORY_PAGES)
        return [
            Figure(
                key="memory_peak",
                title="Peak memory of one app process serving the report pages",
                unit="MB",
                median=_median(runs),
                floor=_median(floors),
                floor_label="bare Python process importing streamlit",
                target=600.0,
                target_kind="max",
                runs=runs,
                floor_runs=floors,
                note=f"VmHWM after AppTest runs of {pages}; {count} runs",
            )
        ]


def _page_figure(
    key: str, title: str, runs: list[float], floors: list[float], note: str, error: str = ""
) -> Figure:
    return Figure(
        key=key,
        title=title,
        unit="ms",
        median=_median(runs),
        floor=_median(floors),
        floor_label="AppTest run of a one-line script",
        target=500.0,
        target_kind="max",
        runs=runs,
        floor_runs=floors,
        note=note,
        error=error,
    )


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """Start spawned processes from a blank ``__main__``. A spawned child first re-runs the
    parent's ``__main__`` file; after a Streamlit script run (AppTest) that can be a page, which
    crashes outside Streamlit (seen in CI: the check-in workers died running quiz_results.py)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _results_of(workers: list, results, barrier, limit: float = 1800.0) -> Iterator[tuple]:
    """One result per worker. A worker that dies before reporting (a crash while it starts:
    workers that report exit with 0) fails the benchmark at once: the others are released from
    the starting barrier instead of waiting for the limit."""
    deadline = time.monotonic() + limit
    received = 0
    while received < len(workers):
        try:
            result = results.get(timeout=1.0)
        except queue.Empty:
            codes = [worker.exitcode for worker in workers]
            if any(code not in (None, 0) for code in codes):
                barrier.abort()
                raise RuntimeError(
                    f"a check-in worker ended without a result (exit codes {codes}; its error "
                    "is on standard error)"
                ) from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"check-in workers gave no result in {limit:.0f} s") from None
            continue
        received += 1
        yield result


def _checkin_worker(
    kind: str, url: str, share: list, pace: float, offset: float, barrier, results
) -> None:
    """One check-in worker process: ``scan`` (the badge scan, one transaction each) or
    ``floor`` (a bare INSERT ... ON CONFLICT DO NOTHING). Puts (latencies, outcomes, error)."""
    latencies: list[float] = []
    outcomes: list[tuple[int, int, str]] = []
    failure = ""
    try:
        from parliament_app.core.config import get_settings
        from sessions.checkin.scanning import scan

        engine = make_engine(url)
        factory = session_factory(engine)
        settings = get_settings()
        insert = text(
            "INSERT INTO bench_checkin_floor (occurrence_id, child_id) VALUES (:o, :c) "
            "ON CONFLICT DO NOTHING"
        )
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        barrier.wait(timeout=120)
        started = time.perf_counter()
        for number, (occurrence_id, child_id, token, at, leader) in enumerate(share):
            if pace:
                time.sleep(max(0.0, started + offset + number * pace - time.perf_counter()))
            begun = time.perf_counter()
            if kind == "floor":
                with engine.begin() as connection:
                    connection.execute(insert, {"o": occurrence_id, "c": child_id})
                result = ""
            else:
                with unit_of_work(factory) as session:
                    user = session.get(User, leader)
                    result = scan(
                        session,
                        user,
                        occurrence_id,
                        token,
                        at=at,
                        device="bench",
                        secret=BENCH_SECRET,
                        settings=settings,
                    ).result.value
            latencies.append(_ms(time.perf_counter() - begun))
            outcomes.append((occurrence_id, child_id, result))
        engine.dispose()
    except BaseException as error:  # reported by the parent
        failure = repr(error)
    results.put((latencies, outcomes, failure))


_FLOOR_PROBE = (
    "import streamlit, re, pathlib; "
    "print(re.search(r'VmHWM:\\s+(\\d+)', pathlib.Path('/proc/self/status').read_text())[1])"
)


def _vmhwm_mb(command: list[str], env: dict[str, str]) -> float:
    finished = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False
    )
    lines = [line for line in finished.stdout.splitlines() if line.strip().isdigit()]
    if finished.returncode or not lines:
        raise RuntimeError(f"memory probe failed: {finished.stderr[-2000:]}")
    return int(lines[-1]) / 1024.0


def memory_probe() -> None:
    """Run in a fresh process: render the report pages with AppTest, print VmHWM in kB."""
    from streamlit.testing.v1 import AppTest

    tokens = json.loads(os.environ["PARLIAMENT_BENCH_TOKENS"])
    for page, role in MEMORY_PAGES:
        app = AppTest.from_file(str(ENTRY), default_timeout=600)
        app.session_state["login_token"] = tokens[role.value]
        app.run()
        app.switch_page(f"parliament_app/ui/pages/{page}.py").run()
        problem = _app_problem(app)
        if problem:
            print(problem, file=sys.stderr)
    status = Path("/proc/self/status").read_text()
    print(re.search(r"VmHWM:\s+(\d+)", status)[1])


def _app_problem(app) -> str:
    if app.exception:
        return f"exception: {app.exception[0].value}"[:200]
    if app.error:
        return f"error shown: {app.error[0].value}"[:200]
    return ""


# --- output --------------------------------------------------------------------------------


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "rows":
        return f"{value:.0f}"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _target(figure: Figure) -> str:
    if figure.target is None:
        return "—"
    if figure.target_kind == "ratio":
        return f"≤ {figure.target:g}× floor"
    text = f"≤ {_number(figure.target, figure.unit)}"
    return text if figure.applies else f"({text} on PostgreSQL)"


def _met(figure: Figure) -> str:
    return {True: "yes", False: "NO", None: "—"}[figure.met]


def table(result: BenchResult, markdown: bool = False) -> str:
    """The figures as a plain-text (or Markdown) table."""
    header = ("figure", "median", "floor", "ratio", "target", "met?")
    rows = [
        (
            figure.title,
            _number(figure.median, figure.unit),
            _number(figure.floor, figure.unit),
            f"{figure.ratio:.1f}×" if figure.ratio is not None else "—",
            _target(figure),
            _met(figure),
        )
        for figure in result.figures
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(lines)


def run_benchmark(
    url: str,
    runs: int = 5,
    groups: tuple[str, ...] = GROUPS,
    progress: Callable[[str], None] | None = None,
) -> BenchResult:
    return Bench(url, runs, progress).run(groups)
