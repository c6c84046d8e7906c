"""``i18n`` command group: extract, update, transliterate and check catalogs (and the quiz
content files, whose questions are translated in JSON rather than in the catalogs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from activities.quizzes.bank import load_content_files, validate_content
from parliament_app.devtools.catalogs import (
    LANGUAGES,
    REPO_ROOT,
    catalog_path,
    check_catalogs,
    check_glossary,
    extract_template,
    sync_serbian_latin,
    template_path,
    update_catalogs,
    write_template,
)

_ROOT_OPTION = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=REPO_ROOT,
    show_default=True,
    help="Repository root containing the sources and locales/.",
)


QUIZ_CONTENT_SUBDIR = Path("activities") / "quizzes" / "content"


@dataclass(frozen=True)
class QuizContentCheck:
    questions: int
    problems: list[str]


def check_quiz_content(content_dir: Path) -> QuizContentCheck:
    """Validate the quiz content files in ``content_dir``: every question and helpline in every
    locale, consistent options and answers, Serbian Latin = transliterated Cyrillic, enough
    questions per age band. Problems are prefixed with ``quiz: ``."""

    try:
        questions, helplines = load_content_files(content_dir)
    except (OSError, ValueError) as error:
        return QuizContentCheck(0, [f"quiz: cannot read the content files: {error}"])
    problems = validate_content(questions, helplines)
    return QuizContentCheck(len(questions), [f"quiz: {problem}" for problem in problems])


@click.group("i18n")
def i18n() -> None:
    """Manage gettext translation catalogs (English source, locales/<lang>/)."""


@i18n.command()
@_ROOT_OPTION
def extract(root: Path) -> None:
    """Extract marked strings into locales/messages.pot."""
    template = write_template(root)
    click.echo(f"Wrote {template_path(root)} ({len(template)} messages)")


@i18n.command()
@_ROOT_OPTION
def update(root: Path) -> None:
    """Extract, update every language catalog, then regenerate sr_Latn from sr."""
    template = update_catalogs(root)
    sync_serbian_latin(root)
    click.echo(f"Updated {len(LANGUAGES)} catalogs ({len(template)} messages)")


@i18n.command()
@_ROOT_OPTION
def translit(root: Path) -> None:
    """Regenerate sr_Latn from the Serbian Cyrillic catalog."""
    if not catalog_path(root, "sr").exists():
        raise click.ClickException("sr catalog missing; run `i18n update` first")
    sync_serbian_latin(root)
    click.echo(f"Wrote {catalog_path(root, 'sr_Latn')}")


@i18n.command()
@_ROOT_OPTION
@click.option(
    "--quiz-content",
    "quiz_content",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of the quiz content files [default: ROOT/activities/quizzes/content; "
    "skipped when that does not exist].",
)
@click.pass_context
def check(ctx: click.Context, root: Path, quiz_content: Path | None) -> None:
    """Report missing, untranslated or inconsistent translations; exit 1 if any."""
    template = extract_template(root)
    problems = check_catalogs(root, template)
    for problem in problems:
        click.echo(problem)
    if quiz_content is None and (root / QUIZ_CONTENT_SUBDIR).is_dir():
        quiz_content = root / QUIZ_CONTENT_SUBDIR
    if quiz_content is not None:
        quiz = check_quiz_content(quiz_content)
        for problem in quiz.problems:
            click.echo(problem)
        click.echo(f"quiz content: {quiz.questions} questions, {len(quiz.problems)} problems")
        problems += quiz.problems
    warnings = check_glossary(root)
    for warning in warnings:
        click.echo(f"warning: {warning}")
    click.echo(
        f"i18n check: {len(LANGUAGES)} catalogs, {len(template)} messages, {len(problems)} problems"
        + (f", {len(warnings)} glossary warnings" if warnings else "")
    )
    if problems:
        ctx.exit(1)
