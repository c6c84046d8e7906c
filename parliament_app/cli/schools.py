"""Operator commands for schools' data: ``import-pupils`` and the ``org`` group.

Registered lazily in ``parliament_app.cli.main`` (``_Commands.FEATURES``)::

    parliament import-pupils FILE --school SCHOOL ...
    parliament org list / parliament org create

``python -m parliament_app.cli.schools`` runs the same commands on their own.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy import select

from parliament_app.children.register_import import (
    FIELDS,
    IGNORE,
    ImportRejected,
    RowError,
    commit_import,
    plan_import,
    read_register,
)
from parliament_app.cli.common import database_errors_reported, find_one, transaction
from parliament_app.core.actors import OPERATOR
from parliament_app.models import Municipality, Organisation, OrganisationKind
from parliament_app.places.services import create_organisation, get_or_create_municipality

_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)


def _mapping(values: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        header, separator, target = value.rpartition("=")
        if not separator or not header.strip() or not target.strip():
            raise click.BadParameter(
                f"{value!r}: write HEADER=FIELD, FIELD one of {', '.join((*FIELDS, IGNORE))}",
                param_hint="--map",
            )
        mapping[header.strip()] = target.strip()
    return mapping


_IS_SCHOOL = Organisation.kind == OrganisationKind.SCHOOL


def _report(summary: dict[str, Any], output_format: str, dry_run: bool = False) -> None:
    if output_format == "json":
        click.echo(json.dumps(summary, ensure_ascii=False))
        if dry_run:
            click.echo("dry run: nothing was written", err=True)
        return
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb}: {summary['imported']}")
    click.echo(f"duplicates (not imported): {summary['duplicates']}")
    click.echo(f"errors: {len(summary['errors'])}")
    for error in summary["errors"]:
        where = f"row {error['row']}" if error["row"] is not None else "file"
        click.echo(f"  {where}, {error['field']}: {error['message']}")
    if dry_run:
        click.echo("dry run: nothing was written")


def _rejected(error: ImportRejected, output_format: str) -> NoReturn:
    """Report a refusal of the whole file (or of the commit) and exit 1."""
    problem = RowError(None, error.field or "file", error.message)
    _report({"imported": 0, "duplicates": 0, "errors": [problem.as_dict()]}, output_format)
    if output_format == "json":
        click.secho(f"error: {error.message}", fg="red", err=True)
    sys.exit(1)


@click.command("import-pupils")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", required=True, help="The school's id or exact name.")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="HEADER=FIELD",
    help=f"Read the column headed HEADER as FIELD ({', '.join(FIELDS)}, or {IGNORE}). "
    "Repeatable; wins over the recognised header names.",
)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--consent-confirmed",
    is_flag=True,
    help="Confirm the school holds the guardians' signed consents to participation for these "
    "pupils (needed to import).",
)
@_FORMAT
@database_errors_reported
def import_pupils(
    file: Path,
    school: str,
    mappings: tuple[str, ...],
    dry_run: bool,
    consent_confirmed: bool,
    output_format: str,
) -> None:
    """Import a school's pupil register (CSV or XLSX), all or nothing.

    Prints {"imported": N, "duplicates": N, "errors": [{"row", "field", "message"}]} with
    --format json. Rows are spreadsheet row numbers (the header is usually row 1). Exits 1,
    writing nothing, when any row has an error.
    """
    overrides = _mapping(mappings)
    data = file.read_bytes()
    with transaction() as session:
        target = find_one(session, Organisation, school, "school", _IS_SCHOOL)
        try:
            table = read_register(data, file.name)
            plan = plan_import(session, OPERATOR, target.id, table, overrides)
        except ImportRejected as error:
            _rejected(error, output_format)
        if plan.errors:
            _report(plan.summary(), output_format, dry_run=dry_run)
            sys.exit(1)
        if dry_run:
            _report(plan.summary(), output_format, dry_run=True)
            return
        try:
            result = commit_import(session, OPERATOR, plan, consent_confirmed=consent_confirmed)
        except ImportRejected as error:
            _rejected(error, output_format)
        _report(result.as_dict(), output_format)


@click.group("org")
def org() -> None:
    """Organisations: schools, centres for social work, NGOs, municipalities."""


def _organisation_dict(organisation: Organisation, municipality: Municipality) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "kind": organisation.kind.value,
        "name": organisation.name,
        "municipality": municipality.name,
        "country": municipality.country_code,
    }


@org.command("list")
@click.option("--kind", type=click.Choice([kind.value for kind in OrganisationKind]))
@_FORMAT
@database_errors_reported
def org_list(kind: str | None, output_format: str) -> None:
    """List the active organisations: id, kind, name, municipality, country."""
    with transaction() as session:
        query = (
            select(Organisation, Municipality)
            .join(Municipality, Municipality.id == Organisation.municipality_id)
            .where(Organisation.active)
            .order_by(Organisation.name, Organisation.id)
        )
        if kind:
            query = query.where(Organisation.kind == OrganisationKind(kind))
        rows = [
            _organisation_dict(organisation, place)
            for organisation, place in session.execute(query)
        ]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>5}  {row['kind']:<12}  {row['name']}  "
            f"({row['municipality']}, {row['country']})"
        )


@org.command("create")
@click.option("--kind", required=True, type=click.Choice([kind.value for kind in OrganisationKind]))
@click.option("--name", required=True)
@click.option("--municipality", required=True, help="Created when it does not exist yet.")
@click.option("--country", required=True, help="Country code: RS, XK, MK or BA.")
@_FORMAT
@database_errors_reported
def org_create(kind: str, name: str, municipality: str, country: str, output_format: str) -> None:
    """Create an organisation (and its municipality when needed)."""

    with transaction() as session:
        place = get_or_create_municipality(session, OPERATOR, country, municipality)
        organisation = create_organisation(
            session, OPERATOR, OrganisationKind(kind), name, place.id
        )
        row = _organisation_dict(organisation, place)
    if output_format == "json":
        click.echo(json.dumps(row, ensure_ascii=False))
    else:
        click.echo(
            f"created organisation {row['id']}: {row['kind']} {row['name']!r} "
            f"({row['municipality']}, {row['country']})"
        )


@click.group()
def standalone() -> None:
    """Schools' data commands (also registered on ``parliament``)."""


standalone.add_command(import_pupils)
standalone.add_command(org)

if __name__ == "__main__":
    standalone()
