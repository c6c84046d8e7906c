"""``parliament attendance``: attendance and involvement exports for operators.

Registered lazily in ``parliament_app.cli.main`` (``_Commands.FEATURES``). Commands::

    parliament attendance export --from 2025-09-01 --to 2026-01-31 [--group GROUP]
                                 --format csv|xlsx [--out FILE]
    parliament attendance involvement --level group [--from DATE --to DATE] [--out FILE]

The operator at the command line sees every group; every export is audited.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from parliament_app.cli.common import database_errors_reported, fail, find_one, transaction
from parliament_app.core.actors import OPERATOR
from parliament_app.models import Group
from sessions.attendance.roster import export_csv, export_xlsx
from sessions.involvement import export_indicator_csv

DATE = click.DateTime(["%Y-%m-%d"])


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
@database_errors_reported
def export_command(
    start: datetime, end: datetime, group: str | None, output: str, out: str | None
) -> None:
    """Export attendance records of the sessions in a period (one row per child and session)."""

    if output == "xlsx" and out is None and sys.stdout.isatty():
        fail("refusing to write a spreadsheet to a terminal: give --out FILE or redirect")
    with transaction() as session:
        group_id = find_one(session, Group, group, "group").id if group is not None else None
        if output == "csv":
            data: str | bytes = export_csv(session, OPERATOR, start.date(), end.date(), group_id)
        else:
            data = export_xlsx(session, OPERATOR, start.date(), end.date(), group_id)
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
@database_errors_reported
def involvement_command(
    level: str, start: datetime | None, end: datetime | None, out: str | None
) -> None:
    """Export the parental involvement indicator as CSV (small cells suppressed)."""

    first: date | None = start.date() if start else None
    last: date | None = end.date() if end else None
    with transaction() as session:
        data = export_indicator_csv(session, OPERATOR, level, first, last)
    _write(data, out)
    if out is not None:
        click.echo(f"written: {out}", err=True)
