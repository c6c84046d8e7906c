"""``parliament attendance``: attendance and involvement exports for operators.

Register it in ``parliament_app.cli`` (in ``_register_feature_commands``) with::

    from sessions.attendance_cli import attendance_command
    main.add_command(attendance_command)

Commands::

    parliament attendance export --from 2025-09-01 --to 2026-01-31 [--group GROUP]
                                 --format csv|xlsx [--out FILE]
    parliament attendance involvement --level group [--from DATE --to DATE] [--out FILE]

An operator at the command line sees every group (``user`` None); every export is audited. The
helpers of ``parliament_app.cli`` are imported when a command runs, not when this module is
imported, so that registration cannot become a circular import.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any

import click
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from parliament_app.models import Group

DATE = click.DateTime(["%Y-%m-%d"])


def _errors_reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """``parliament_app.cli.database_errors_reported``, looked up at call time."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from parliament_app.cli import database_errors_reported

        return database_errors_reported(command)(*args, **kwargs)

    return wrapper


def _group(session: Session, reference: str) -> Group:
    from parliament_app.cli import _fail

    condition = Group.name == reference
    if reference.isdigit():
        condition = or_(condition, Group.id == int(reference))
    matches = list(session.scalars(select(Group).where(condition)))
    if len(matches) != 1:
        _fail(f"no single group matches {reference!r} (give its id or exact name)")
    return matches[0]


def _write(data: str | bytes, out: str | None) -> None:
    if out is not None:
        path = Path(out)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
        return
    if isinstance(data, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        click.echo(data, nl=False)


@click.group("attendance")
def attendance_command() -> None:
    """Attendance and parental involvement: exports."""


@attendance_command.command("export")
@click.option("--from", "start", type=DATE, required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=DATE, required=True, help="Last day (YYYY-MM-DD), included.")
@click.option("--group", help="Only this group (id or exact name).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
@_errors_reported
def export_command(
    start: datetime, end: datetime, group: str | None, output: str, out: str | None
) -> None:
    """Export attendance records of the sessions in a period (one row per child and session)."""
    from parliament_app.cli import _fail, _transaction
    from sessions.attendance import export_csv, export_xlsx

    if output == "xlsx" and out is None and sys.stdout.isatty():
        _fail("refusing to write a spreadsheet to a terminal: give --out FILE or redirect")
    with _transaction() as session:
        group_id = _group(session, group).id if group is not None else None
        if output == "csv":
            data: str | bytes = export_csv(session, None, start.date(), end.date(), group_id)
        else:
            data = export_xlsx(session, None, start.date(), end.date(), group_id)
    _write(data, out)
    if out is not None:
        click.echo(f"written: {out}", err=True)


@attendance_command.command("involvement")
@click.option(
    "--level",
    type=click.Choice(["child", "group", "school", "municipality"]),
    default="group",
    show_default=True,
)
@click.option("--from", "start", type=DATE, help="First day (default: this school term).")
@click.option("--to", "end", type=DATE, help="Last day (default: end of this school term).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
@_errors_reported
def involvement_command(
    level: str, start: datetime | None, end: datetime | None, out: str | None
) -> None:
    """Export the parental involvement indicator as CSV (small cells suppressed)."""
    from parliament_app.cli import _transaction
    from sessions.involvement import export_indicator_csv

    first: date | None = start.date() if start else None
    last: date | None = end.date() if end else None
    with _transaction() as session:
        data = export_indicator_csv(session, None, level, first, last)  # type: ignore[arg-type]
    _write(data, out)
    if out is not None:
        click.echo(f"written: {out}", err=True)
