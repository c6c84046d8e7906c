"""``parliament quiz``: the awareness quiz question bank at the command line.

Registered lazily in ``parliament_app.cli.main`` (``_Commands.FEATURES``); edits run as the
operator and are audited.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from activities.quizzes.bank import (
    AUDIENCES,
    QUIZ_LANGUAGES,
    bank_as_json,
    cost_text,
    ensure_question_bank,
    export_po,
    helplines_for,
    hours_text,
    import_po,
)
from parliament_app.cli.common import database_errors_reported, fail, transaction
from parliament_app.core.actors import OPERATOR
from parliament_app.core.config import get_settings

_LANGUAGE = click.Choice(QUIZ_LANGUAGES)


@click.group("quiz")
def quiz() -> None:
    """Awareness quiz: the question bank, its translations and the helplines."""


@quiz.command("bank")
@click.option(
    "--format",
    "output",
    default="json",
    show_default=True,
    type=click.Choice(["json", "text"]),
    help="json: every question with all its locales; text: a readable list in one language.",
)
@click.option(
    "--language",
    default="en",
    show_default=True,
    type=_LANGUAGE,
    help="The language of the text format.",
)
@database_errors_reported
def bank_command(output: str, language: str) -> None:
    """Print the question bank (retired questions included, marked as retired)."""

    with transaction() as session:
        bank = bank_as_json(session)
    if output == "json":
        click.echo(json.dumps(bank, ensure_ascii=False, indent=2))
        return
    for question in bank:
        retired = " [retired]" if question["retired"] else ""
        click.echo(
            f"#{question['id']} {question['key']} ({question['age_band']}, {question['topic']}, "
            f"{question['type']}){retired}"
        )
        texts = question["locales"].get(language)
        if texts is None:
            click.echo(f"  (no {language} translation)")
            continue
        click.echo(f"  {texts['text']}")
        for index, option in enumerate(texts["options"]):
            mark = "*" if index in question["correct"] else " "
            click.echo(f"  {mark} {index}. {option}")
        click.echo(f"  → {texts['explanation']}")
    click.echo(f"{len(bank)} questions")


@quiz.command("load")
@database_errors_reported
def load_command() -> None:
    """Add the built-in questions, translations and helplines that the database lacks
    (existing rows, and so administrators' edits, are never changed)."""

    with transaction() as session:
        result = ensure_question_bank(
            session, enabled_countries=get_settings().enabled_countries, actor=OPERATOR
        )
    click.echo(
        f"quiz bank: added {result.added_questions} questions, "
        f"{result.added_translations} translations, {result.added_helplines} helplines"
    )


@quiz.command("export-po")
@click.option("--language", required=True, type=_LANGUAGE)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    help="The .po file to write ('-' for standard output).",
)
@click.option("--include-retired", is_flag=True, help="Also export retired questions.")
@database_errors_reported
def export_po_command(language: str, out: Path, include_retired: bool) -> None:
    """Write a gettext .po file of the bank for outside translators (msgid = English)."""

    with transaction() as session:
        data = export_po(session, language, include_retired=include_retired)
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out.write_bytes(data)
    click.echo(f"wrote {out} ({language})")


@quiz.command("import-po")
@click.option("--language", required=True, type=_LANGUAGE)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_errors_reported
def import_po_command(language: str, file: Path) -> None:
    """Apply a translated .po file, all or nothing; exit 1 (and change nothing) on errors."""

    with transaction() as session:
        summary = import_po(session, OPERATOR, language, file.read_bytes())
    for error in summary.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    if summary.errors:
        click.echo(f"{file}: {len(summary.errors)} errors, nothing imported", err=True)
        sys.exit(1)
    click.echo(f"{file}: {summary.updated} strings updated, {summary.unchanged} unchanged")


@quiz.command("helplines")
@click.option("--country", required=True, help="Country code: RS, XK, MK or BA.")
@click.option(
    "--audience",
    default="child",
    show_default=True,
    type=click.Choice(AUDIENCES),
    help="child: the lines a child's end screen shows (active, verified recently); "
    "staff: every line.",
)
@click.option(
    "--format",
    "output",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json"]),
    help='json: one object per line: {"number", "name", "hours", "free", "verified_on", "source"}.',
)
@click.option("--lang", "language", default="en", show_default=True, type=_LANGUAGE)
@database_errors_reported
def helplines_command(country: str, audience: str, output: str, language: str) -> None:
    """Print the helplines an audience sees in a country."""
    country = country.strip().upper()
    if country not in get_settings().enabled_countries:
        fail(f"unknown or disabled country {country!r}")
    with transaction() as session:
        lines = helplines_for(session, country, language, audience)
    for line in lines:
        if output == "json":
            record = {
                "number": line.number,
                "name": line.name,
                "hours": line.hours,
                "free": line.free,
                "verified_on": line.verified_on.isoformat() if line.verified_on else None,
                "source": line.source,
            }
            click.echo(json.dumps(record, ensure_ascii=False))
            continue
        status = ""
        if not line.shown_to_children:
            status = "  [staff only: not verified recently or switched off]"
        click.echo(
            f"{line.number}  {line.name} ({hours_text(line.hours)}, {cost_text(line.free)}){status}"
        )
