"""``parliament backup``: back the configured database up, restore a backup, check one.

Registered in ``parliament_app.cli.main`` through the lazy command map::

    "backup": "parliament_app.cli.backup:backup",

``create`` is what the nightly ``parliament-backup.timer`` runs; ``restore`` and ``verify`` are the
restore drill of docs/deployment.md. Every failure is one line on standard error, never a
traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from parliament_app.core import backup as backups
from parliament_app.core.config import get_settings
from parliament_app.core.db import DatabaseUnavailable
from parliament_app.core.migrate import head_revision


def fail(message: str, code: int = 1) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def _one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import DBAPIError

        try:
            return command(*args, **kwargs)
        except backups.BackupError as error:
            fail(str(error))
        except DatabaseUnavailable as error:
            fail(error.reason, code=2)
        except DBAPIError as error:
            detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            fail(f"database error: {detail}", code=2)
        except OSError as error:
            fail(str(error))

    return wrapper


def _database_url() -> str:
    return get_settings().database_url


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


def _summary(report: dict[str, Any]) -> str:
    total = sum(report["rows"].values())
    return f"revision {report['revision'] or 'none'}, {report['tables']} tables, {total} rows"


@click.group("backup")
def backup() -> None:
    """Back the database up (SQLite file or PostgreSQL), restore a backup, check one."""


@backup.command("create")
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the backup (created with mode 0700).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="Then delete all but the N newest backups in the directory.",
)
@click.option("--gzip", "compress", is_flag=True, help="SQLite: gzip the copy.")
@_one_line_errors
def create_command(destination: Path, keep: int | None, compress: bool) -> None:
    """Write a consistent, timestamped backup of the configured database (safe while the app
    runs): SQLite through its online backup API, PostgreSQL with pg_dump --format=custom."""
    path = backups.backup(_database_url(), destination, compress=compress)
    report = backups.verify_backup(path)
    click.echo(f"backup: {path} ({_size(path)}; {_summary(report)})")
    if keep:
        removed = backups.prune(destination, keep)
        click.echo(f"kept the newest {keep}, deleted {len(removed)} older backup(s)")


@backup.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds tables.")
@click.option(
    "--into",
    "database_url",
    metavar="URL",
    help="Restore into this database instead of PARLIAMENT_DATABASE_URL (the restore drill's "
    "scratch database).",
)
@_one_line_errors
def restore_command(source: Path, force: bool, database_url: str | None) -> None:
    """Restore SOURCE into the configured database (or --into URL). Stop every app process
    first; a database that already holds tables is refused unless --force."""

    report = backups.restore(database_url or _database_url(), source, force=force)
    click.echo(f"restored {source} ({_summary(report)})")
    for name, count in report["key_rows"].items():
        click.echo(f"  {name:<14} {count}")
    if report["revision"] != head_revision():
        click.echo(
            f"the backup's schema is {report['revision'] or 'empty'}, the newest is "
            f"{head_revision()}: run 'parliament db upgrade' before starting the app"
        )


@backup.command("verify")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The whole report as JSON.")
@_one_line_errors
def verify_command(source: Path, as_json: bool) -> None:
    """Read the backup SOURCE (never the live database) and report its schema revision and the
    row count of every table."""

    report = backups.verify_backup(source)
    if as_json:
        click.echo(json.dumps({**report, "head": head_revision()}, indent=2))
        return
    click.echo(f"{source}: {report['kind']} backup, {_summary(report)}")
    click.echo(f"  newest schema  {head_revision()}")
    for name, count in report["key_rows"].items():
        click.echo(f"  {name:<14} {count}")
