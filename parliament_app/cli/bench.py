"""``parliament national-data`` and ``parliament bench``: the national dataset and the benchmark.

Registered lazily in ``parliament_app.cli.main`` (``_Commands.FEATURES``)::

    "national-data": "parliament_app.cli.bench:national_data_command",
    "bench": "parliament_app.cli.bench:bench_command",

``run_national`` is the generator behind both ``parliament national-data`` and
``parliament demo-data --scale national``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from parliament_app.devtools.national_data import (
    STAGES,
    NationalDataRefused,
    NationalSummary,
    generate_national_data,
)

SCALES = {"national": 1.0}
BENCH_URL_VARIABLES = {
    "sqlite": "PARLIAMENT_BENCH_SQLITE_URL",
    "postgresql": "PARLIAMENT_BENCH_POSTGRESQL_URL",
}


def parse_scale(value: float | str) -> float:
    """``"national"`` (or 1.0) is the full national dataset; 0.01 a hundredth of it."""
    if isinstance(value, str) and value.strip().lower() in SCALES:
        return SCALES[value.strip().lower()]
    try:
        scale = float(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a scale: give 'national' or a number") from None
    if not 0 < scale <= 4:
        raise click.BadParameter("the scale must be above 0 and at most 4")
    return scale


class _Progress:
    """One line when a stage starts, then at every tenth of it, with the time since the start."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.started = time.perf_counter()
        self.shown: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        tenth = 10 * done // total if total else 10
        if self.shown.get(stage, -1) >= tenth:
            return
        self.shown[stage] = tenth
        position = STAGES.index(stage) + 1 if stage in STAGES else 0
        elapsed = time.perf_counter() - self.started
        self.echo(f"  [{elapsed:6.1f} s] {position:2d}/{len(STAGES)} {stage}: {done:,}/{total:,}")


def run_national(
    seed: int = 1,
    scale: float | str = "national",
    force: bool = False,
    echo: Callable[[str], None] = click.echo,
    url: str | None = None,
) -> NationalSummary:
    """Load the national dataset into the configured database (or ``url``) and report it
    through ``echo``: progress, the counts, the time taken and the staff password (once).

    Raises ``NationalDataRefused`` (a ``DemoDataRefused``) when the database holds children
    (unless ``force``), already holds the national dataset, or is not migrated; and
    ``parliament_app.core.db.DatabaseUnavailable`` when it cannot be reached.
    """
    import parliament_app.models  # noqa: F401  (registers every table)
    from parliament_app.core import migrate
    from parliament_app.core.config import get_settings
    from parliament_app.core.db import check_connection, make_engine

    scale = parse_scale(scale)
    engine = make_engine(url or get_settings().database_url)
    try:
        check_connection(engine)
        if not migrate.is_up_to_date(engine):
            raise NationalDataRefused(
                "the database schema is not up to date: run 'parliament db upgrade' first"
            )
        where = engine.url.render_as_string(hide_password=True)
        echo(f"national dataset (seed {seed}, scale {scale:g}) into {where}")
        summary = generate_national_data(
            engine, seed=seed, scale=scale, progress=_Progress(echo), force=force
        )
    finally:
        engine.dispose()
    echo(f"done in {summary.seconds:.1f} s on {summary.engine} (data as of {summary.today})")
    echo(
        "  stages: "
        + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in summary.stage_seconds.items())
    )
    for table, count in summary.counts.items():
        echo(f"  {table:<24} {count:>10,}")
    echo("staff accounts (one password for all generated accounts, shown once):")
    for role, names in summary.usernames.items():
        echo(f"  {role:<20} {', '.join(names)}{', …' if role != 'administrator' else ''}")
    echo(f"  password: {summary.password}")
    return summary


@click.command("national-data")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--scale",
    default="national",
    show_default=True,
    help="'national' (= 1.0: 200,000 children, 2,000,000 attendance records) or a fraction.",
)
@click.option("--force", is_flag=True, help="Load even though the database holds children.")
@click.option("--url", help="Database URL (default: the configured database).")
def national_data_command(seed: int, scale: str, force: bool, url: str | None) -> None:
    """Fill the database with the national-scale synthetic dataset (for load tests)."""
    from parliament_app.core.db import DatabaseUnavailable

    try:
        run_national(seed, scale, force, click.echo, url)
    except NationalDataRefused as refusal:
        click.secho(f"error: {refusal}", fg="red", err=True)
        sys.exit(1)
    except DatabaseUnavailable as error:
        click.secho(f"error: {error.reason}", fg="red", err=True)
        sys.exit(2)


def bench_url(engine: str | None, url: str | None) -> str:
    """``--url``; else the configured database when it is of the asked engine; else
    ``PARLIAMENT_BENCH_SQLITE_URL`` / ``PARLIAMENT_BENCH_POSTGRESQL_URL``."""
    from parliament_app.core.config import get_settings

    if url:
        return url
    configured = get_settings().database_url
    if engine is None or make_url(configured).get_backend_name() == engine:
        return configured
    variable = BENCH_URL_VARIABLES[engine]
    if os.environ.get(variable):
        return os.environ[variable]
    raise click.UsageError(f"the configured database is not {engine}: give --url or set {variable}")


@click.command("bench")
@click.option(
    "--engine",
    type=click.Choice(["sqlite", "postgresql"]),
    help="Which database to measure (default: the configured one).",
)
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--url", help="Database URL holding the national dataset (overrides --engine).")
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(["diversity", "caseload", "pages", "checkins", "import", "memory"]),
    help="Measure only these figures (repeatable).",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write results here.")
@click.option("--markdown", is_flag=True, help="Print the table as Markdown.")
@click.option("--strict", is_flag=True, help="Exit with status 3 when a target is missed.")
def bench_command(
    engine: str | None,
    runs: int,
    url: str | None,
    only: tuple[str, ...],
    json_path: str | None,
    markdown: bool,
    strict: bool,
) -> None:
    """Benchmark the national dataset: medians, floors, ratios and targets."""
    from parliament_app.devtools.bench import GROUPS, BenchmarkRefused, run_benchmark, table

    target = bench_url(engine, url)
    groups = tuple(group for group in GROUPS if not only or group in only)
    click.echo(f"benchmark of {make_url(target).render_as_string(hide_password=True)}, {runs} runs")
    try:
        result = run_benchmark(target, runs, groups, lambda line: click.echo(line, err=True))
    except BenchmarkRefused as refusal:
        click.secho(f"error: {refusal}", fg="red", err=True)
        sys.exit(1)
    result.command = " ".join(["parliament", *sys.argv[1:]])
    click.echo(table(result, markdown=markdown))
    machine = result.machine
    click.echo(
        f"\n{result.engine} {machine.get('postgresql', machine.get('sqlite'))} · "
        f"{machine.get('nproc')} cores · {machine.get('memory_gb')} GB · {machine.get('cpu')} · "
        f"load {' '.join(machine.get('load_average', []))} · {result.seconds:.0f} s"
    )
    if json_path:
        Path(json_path).write_text(json.dumps(result.as_dict(), indent=2, default=str))
        click.echo(f"results written to {json_path}")
    if strict and any(figure.met is False for figure in result.figures):
        sys.exit(3)
