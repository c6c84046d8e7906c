"""``parliament quiz``: the awareness quiz question bank at the command line.

Register it in ``parliament_app.cli`` (in ``_register_feature_commands``) with::

    from parliament_app.quizzes.bank_cli import quiz
    main.add_command(quiz)

The helpers of ``parliament_app.cli`` are imported when a command runs, not when this module is
imported, so that registration cannot become a circular import.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from parliament_app.quizzes.bank import QUIZ_LANGUAGES

_LANGUAGE = click.Choice(QUIZ_LANGUAGES)


def _errors_reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """``parliament_app.cli.database_errors_reported``, looked up at call time."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from parliament_app.cli import database_errors_reported

        return database_errors_reported(command)(*args, **kwargs)

    return wrapper


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
@_errors_reported
def bank_command(output: str, language: str) -> None:
    """Print the question bank (retired questions included, marked as retired)."""
    from parliament_app.cli import _transaction
    from parliament_app.quizzes.bank import bank_as_json

    with _transaction() as session:
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
@_errors_reported
def load_command() -> None:
    """Add the built-in questions, translations and helplines that the database lacks
    (existing rows, and so administrators' edits, are never changed)."""
    from parliament_app.cli import _transaction
    from parliament_app.config import get_settings
    from parliament_app.quizzes.bank import ensure_question_bank

    with _transaction() as session:
        result = ensure_question_bank(session, enabled_countries=get_settings().enabled_countries)
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
@_errors_reported
def export_po_command(language: str, out: Path, include_retired: bool) -> None:
    """Write a gettext .po file of the bank for outside translators (msgid = English)."""
    from parliament_app.cli import _transaction
    from parliament_app.quizzes.bank import export_po

    with _transaction() as session:
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
@_errors_reported
def import_po_command(language: str, file: Path) -> None:
    """Apply a translated .po file, all or nothing; exit 1 (and change nothing) on errors."""
    from parliament_app.cli import _transaction
    from parliament_app.quizzes.bank import import_po

    with _transaction() as session:
        summary = import_po(session, None, language, file.read_bytes())
    for error in summary.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    if summary.errors:
        click.echo(f"{file}: {len(summary.errors)} errors, nothing imported", err=True)
        sys.exit(1)
    click.echo(f"{file}: {summary.updated} strings updated, {summary.unchanged} unchanged")
