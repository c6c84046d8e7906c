"""Operator commands for badges and offline scans: the ``qr`` group and ``checkin``.

Registered on ``parliament`` (``parliament_app.cli.main._Commands.FEATURES``) as::

    "checkin": "parliament_app.cli.qr:checkin",  # parliament checkin --occurrence ID TOKEN...
    "qr": "parliament_app.cli.qr:qr",            # parliament qr badges --group GROUP --out FILE.pdf
                                           # parliament qr badge CHILD --out FILE.png

They act as the operator (no signed-in user).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from parliament_app.cli.common import database_errors_reported, find_one, transaction
from parliament_app.core.actors import OPERATOR
from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.models import Group
from parliament_app.models.attendance import AttendanceMethod, ScanResult
from sessions.checkin.badges import badge_for_child, badge_png, badge_sheet_pdf
from sessions.checkin.scanning import scan

# The command line's three results: the facilitator's finer outcomes are reasons of "rejected".
_CLI_RESULTS = {
    ScanResult.CHECKED_IN: "checked_in",
    ScanResult.ALREADY_CHECKED_IN: "already_checked_in",
}
_REASON_IS_RESULT = frozenset(
    {ScanResult.NOT_ENROLLED, ScanResult.BADGE_REPLACED, ScanResult.WRONG_OCCURRENCE}
)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@click.group("qr")
def qr() -> None:
    """Children's badges: printable QR codes that carry no personal data."""


@qr.command("badges")
@click.option("--group", "group_ref", required=True, help="The group's id or exact name.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PDF to write (A4, 12 badges a page).",
)
@database_errors_reported
def qr_badges(group_ref: str, out: Path) -> None:
    """Print the badge sheet of a group's enrolled children (issuing missing badges)."""
    with transaction() as session:
        group = find_one(session, Group, group_ref, "group")
        pdf = badge_sheet_pdf(session, OPERATOR, group.id)
    _write(out, pdf)
    click.echo(f"wrote {out}")


@qr.command("badge")
@click.argument("child_id", metavar="CHILD", type=int)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PNG to write.",
)
@click.option(
    "--reissue",
    is_flag=True,
    help="Issue a new badge and revoke the current one (a lost badge).",
)
@database_errors_reported
def qr_badge(child_id: int, out: Path, reissue: bool) -> None:
    """Write one child's badge QR code (CHILD is the child's id)."""
    with transaction() as session:
        _badge, token = badge_for_child(session, OPERATOR, child_id, reissue=reissue)
    _write(out, badge_png(token))
    click.echo(f"wrote {out}" + (" (the previous badge no longer works)" if reissue else ""))


def _moment(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO time such as 2025-03-01T17:05", param_hint="--at"
        ) from None
    if moment.tzinfo is None:  # a scanner's log is in local time
        moment = moment.replace(tzinfo=LOCAL_TIMEZONE)
    return moment.astimezone(UTC)


@click.command("checkin")
@click.option("--occurrence", "occurrence_id", required=True, type=int, help="The session's id.")
@click.argument("tokens", metavar="TOKEN...", nargs=-1, required=True)
@click.option(
    "--at",
    "at",
    help="When the badges were scanned (ISO time; local time unless it has an "
    "offset). Default: now.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@database_errors_reported
def checkin(
    occurrence_id: int, tokens: tuple[str, ...], at: str | None, output_format: str
) -> None:
    """Record badge scans made elsewhere (an offline scanner's log).

    Prints one line per token; with --format json, one object per line:
    {"token": ..., "result": "checked_in" | "already_checked_in" | "rejected", "reason": ...}.
    Running the same log again changes nothing: its tokens come back already_checked_in.
    """
    moment = _moment(at)
    lines = []
    with transaction() as session:
        for token in tokens:
            outcome = scan(
                session,
                OPERATOR,
                occurrence_id,
                token,
                at=moment,
                device="cli",
                method=AttendanceMethod.OFFLINE_SCAN,
            )
            result = _CLI_RESULTS.get(outcome.result, "rejected")
            if outcome.result in _REASON_IS_RESULT:
                reason = outcome.result.value
            elif result == "rejected":
                reason = outcome.reason or outcome.result.value
            else:
                reason = ""
            lines.append({"token": token.strip(), "result": result, "reason": reason})
    for line in lines:
        if output_format == "json":
            click.echo(json.dumps(line, ensure_ascii=False))
        else:
            click.echo(
                f"{line['token']}\t{line['result']}"
                + (f"\t{line['reason']}" if line["reason"] else "")
            )


checkin_command = checkin  # alias: "checkin" is also the name of the sessions.checkin package


if __name__ == "__main__":
    cli = click.Group("parliament", commands=[qr, checkin])
    cli()
