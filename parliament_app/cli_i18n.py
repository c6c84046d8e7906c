"""``i18n`` command group: extract, update, transliterate and check catalogs."""

from __future__ import annotations

from pathlib import Path

import click

from parliament_app.i18n_tools import (
    LANGUAGES,
    REPO_ROOT,
    catalog_path,
    check_catalogs,
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
@click.pass_context
def check(ctx: click.Context, root: Path) -> None:
    """Report missing, untranslated or inconsistent translations; exit 1 if any."""
    template = extract_template(root)
    problems = check_catalogs(root, template)
    for problem in problems:
        click.echo(problem)
    click.echo(
        f"i18n check: {len(LANGUAGES)} catalogs, {len(template)} messages, {len(problems)} problems"
    )
    if problems:
        ctx.exit(1)
