"""``parliament alerts``: list the early-warning alerts, and evaluate the rules (from cron).

Registered lazily in ``parliament_app.cli.main`` (``_Commands.FEATURES``). Usage::

    parliament alerts [--org CSW] [--status open|acknowledged|resolved|all] [--format text|json]
    parliament alerts evaluate [--org CSW] [--today YYYY-MM-DD] [--format text|json]

A deployment runs the evaluation once a day, e.g. ``15 6 * * * parliament alerts evaluate``;
running it again the same day (or the next) raises nothing new for an episode already raised.
Both commands run as the operator; listing is written to the audit log.
"""

from __future__ import annotations

import json
from datetime import datetime

import click
from sqlalchemy.orm import Session

from parliament_app.cli.common import database_errors_reported, fail, find_organisation, transaction
from parliament_app.models import Organisation, OrganisationKind
from parliament_app.monitoring.alerts import STATUS_FILTERS, alerts_json, evaluate

_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
_ORG = click.option(
    "--org", "organisation", help="Centre for social work: its id or exact name (default: all)."
)


def _centre(session: Session, reference: str | None) -> int | None:
    organisation: Organisation | None = find_organisation(session, reference)
    if organisation is None:
        return None
    if organisation.kind != OrganisationKind.CSW:
        fail(f"{reference!r} is not a centre for social work")
    return organisation.id


@click.group("alerts", invoke_without_command=True)
@_ORG
@click.option(
    "--status",
    type=click.Choice(list(STATUS_FILTERS)),
    default="open",
    show_default=True,
    help="open: not resolved yet (acknowledged included).",
)
@_FORMAT
@click.pass_context
@database_errors_reported
def alerts_command(
    context: click.Context, organisation: str | None, status: str, output_format: str
) -> None:
    """Early-warning alerts: list them (JSON: one object per alert with id, child_id, rule,
    raised_at, status), or `evaluate` the rules."""
    if context.invoked_subcommand is not None:
        return

    with transaction() as session:
        rows = alerts_json(session, _centre(session, organisation), status)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no alerts")
    for row in rows:
        click.echo(
            f"{row['id']:>6}  child {row['child_id']:<6}  {row['rule']:<22}  "
            f"{row['raised_at']}  {row['status']}"
        )


@alerts_command.command("evaluate")
@_ORG
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Evaluate as of the end of this day (default: today).",
)
@_FORMAT
@database_errors_reported
def evaluate_command(organisation: str | None, today: datetime | None, output_format: str) -> None:
    """Apply every centre's rules and raise the alerts of new episodes (run it from cron)."""

    with transaction() as session:
        result = evaluate(
            session, today=today.date() if today else None, csw_id=_centre(session, organisation)
        )
    if output_format == "json":
        click.echo(
            json.dumps(
                {"raised": result.raised, "per_rule": result.per_rule, "prompts": result.prompts},
                indent=2,
            )
        )
        return
    click.echo(f"raised {result.raised} alert(s), {result.prompts} family check-in prompt(s)")
    for rule, count in result.per_rule.items():
        click.echo(f"  {rule}: {count}")


# The name ``parliament_app.cli.main`` registers (``"alerts": "parliament_app.cli.alerts:alerts"``).
alerts = alerts_command
