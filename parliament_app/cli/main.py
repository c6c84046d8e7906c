"""``parliament``: the operators' command line (migrations, accounts, demo data, languages)."""

from __future__ import annotations

import importlib
import secrets
import sys
from typing import ClassVar

import click

from parliament_app.cli.common import (
    connected_engine,
    database_errors_reported,
    fail,
    find_organisation,
    transaction,
)
from parliament_app.cli.i18n import i18n
from parliament_app.core import migrate
from parliament_app.core.actors import OPERATOR
from parliament_app.core.clock import local_today
from parliament_app.core.config import get_settings
from parliament_app.core.db import session_factory as make_factory
from parliament_app.core.db import unit_of_work
from parliament_app.models import Role


class _Commands(click.Group):
    """The core commands plus every area's, each area's module imported only when its command
    runs, so ``parliament --help`` and cron jobs start fast."""

    FEATURES: ClassVar[dict[str, str]] = {
        "alerts": "parliament_app.cli.alerts:alerts",
        "attendance": "parliament_app.cli.attendance:attendance_command",
        "backup": "parliament_app.cli.backup:backup",
        "bench": "parliament_app.cli.bench:bench_command",
        "calendar": "parliament_app.cli.calendar:calendar_command",
        "checkin": "parliament_app.cli.qr:checkin",
        "import-pupils": "parliament_app.cli.schools:import_pupils",
        "org": "parliament_app.cli.schools:org",
        "qr": "parliament_app.cli.qr:qr",
        "quiz": "parliament_app.cli.quiz:quiz",
        "screenshots": "parliament_app.devtools.screenshots:screenshots_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.FEATURES})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.FEATURES:
            module, attribute = self.FEATURES[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_Commands)
def main() -> None:
    """Children's Parliament platform: operator commands."""


main.add_command(i18n)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@database_errors_reported
def db_upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    from parliament_app.places.services import ensure_countries

    engine = connected_engine()
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    from activities.quizzes.bank import ensure_question_bank

    with unit_of_work(make_factory(engine)) as session:
        ensure_countries(session, get_settings().enabled_countries)
        loaded = ensure_question_bank(session, actor=OPERATOR)
    after = migrate.current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"{url}: already at {after}")
    else:
        click.echo(f"{url}: upgraded {before or 'empty'} -> {after}")
    if loaded.added_questions or loaded.added_helplines:
        click.echo(
            f"quiz bank: {loaded.added_questions} new questions, "
            f"{loaded.added_helplines} new helplines"
        )


@db.command("current")
@database_errors_reported
def db_current() -> None:
    """Show the database's schema revision and the newest one."""
    engine = connected_engine()
    click.echo(f"current: {migrate.current_revision(engine) or 'empty'}")
    click.echo(f"head:    {migrate.head_revision()}")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option(
    "--org", "organisation", help="Organisation id or exact name (all roles but administrator)."
)
@click.option("--display-name", help="Defaults to the username.")
@click.option("--email", help="Used to map an OpenID Connect sign-in to this account.")
@click.option("--language", default="en", show_default=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input; otherwise a "
    "random one is generated and printed once.",
)
@database_errors_reported
def create_user_command(
    username: str,
    role: str,
    organisation: str | None,
    display_name: str | None,
    email: str | None,
    language: str,
    password_stdin: bool,
) -> None:
    """Create a staff account."""
    from parliament_app.people.accounts import NewUser, create_user

    if Role(role) != Role.ADMINISTRATOR and not organisation:
        fail(f"--org is required for the role {role}")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
    with transaction() as session:
        org = find_organisation(session, organisation)
        user = create_user(
            session,
            OPERATOR,
            NewUser(
                username=username,
                display_name=display_name or username,
                role=Role(role),
                password=password,
                email=email,
                organisation_id=org.id if org else None,
                preferred_language=language,
            ),
        )
        click.echo(f"created user {user.username} ({role}" + (f", {org.name}" if org else "") + ")")
    if generated:
        click.echo(f"password (shown once): {password}")


@main.command("demo-data")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--force", is_flag=True, help="Run even though the database holds other data.")
@click.option(
    "--scale",
    default="demo",
    show_default=True,
    help="'demo' (one municipality, ~600 children) or 'national' (~200,000 children "
    "in 80 municipalities, for benchmarks), or a fraction of national.",
)
@database_errors_reported
def demo_data_command(seed: int, force: bool, scale: str) -> None:
    """Fill a synthetic demo municipality (synthetic names only)."""
    from parliament_app.demo.municipality import DemoDataRefused, generate_demo_data

    if scale != "demo":
        from parliament_app.cli.bench import run_national

        try:
            run_national(
                seed=seed, scale=scale, force=force, echo=lambda line: click.echo(line, err=True)
            )
        except DemoDataRefused as refusal:
            fail(str(refusal), code=1)
        return

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"  {stage}: {done}/{total}", err=True)

    try:
        with transaction() as session:
            summary = generate_demo_data(session, seed=seed, force=force, progress=progress)
    except DemoDataRefused as refusal:
        fail(str(refusal), code=1)
    click.echo(f"demo municipality: {summary.municipality}")
    click.echo(
        f"children: {summary.children}, guardians: {summary.guardians}, "
        f"consents: {summary.consents}, at-risk records: {summary.risk_records}, "
        f"groups: {summary.groups}, enrolments: {summary.enrolments}"
    )
    click.echo("accounts (passwords shown once):")
    for credentials in summary.users:
        click.echo(f"  {credentials.username:<14} {credentials.role!s:<20} {credentials.password}")


@main.group()
def report() -> None:
    """Reports for municipalities and donors."""


@report.command("diversity")
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day (default: start of the current school term).",
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@click.option(
    "--dimension",
    default="community",
    show_default=True,
    type=click.Choice(["community", "residence_area", "school", "ses_band", "gender", "age_band"]),
)
@click.option(
    "--pool",
    default="programme",
    show_default=True,
    type=click.Choice(["programme", "municipality", "school"]),
)
@click.option("--pool-id", type=int, help="The municipality's or school's id for --pool.")
@click.option("--permutations", default=2000, show_default=True, type=int)
@click.option(
    "--format",
    "output",
    default="json",
    show_default=True,
    type=click.Choice(["json", "csv", "xlsx"]),
)
@database_errors_reported
def report_diversity(
    start, end, dimension: str, pool: str, pool_id: int | None, permutations: int, output: str
) -> None:
    """Composition, mix and segregation of every group (small cells suppressed)."""

    from parliament_app.groups.diversity.report import (
        diversity_report,
        export_csv,
        export_json,
        export_xlsx,
        school_terms,
    )

    today = local_today()
    first = start.date() if start else school_terms(today, 1)[0][1]
    last = end.date() if end else today
    with transaction() as session:
        result = diversity_report(
            session,
            OPERATOR,
            dimension,
            first,
            last,
            pool=pool,
            pool_id=pool_id,
            permutations=permutations,
        )
        if output == "json":
            click.echo(export_json(result))
        elif output == "csv":
            click.echo(export_csv(session, OPERATOR, result), nl=False)
        else:
            sys.stdout.buffer.write(export_xlsx(session, OPERATOR, result))
            sys.stdout.flush()


@main.command("check")
@database_errors_reported
def check_command() -> None:
    """Check the deployment: database reachable and migrated, language catalogs complete."""
    from parliament_app.devtools.catalogs import REPO_ROOT, check_catalogs

    engine = connected_engine()
    click.echo(f"database: {engine.url.render_as_string(hide_password=True)} reachable")
    problems = 0
    if migrate.is_up_to_date(engine):
        click.echo(f"schema: at {migrate.head_revision()}")
    else:
        problems += 1
        click.echo("schema: NOT up to date (run 'parliament db upgrade')")
    from activities.quizzes.bank import CONTENT_DIR
    from parliament_app.cli.i18n import check_quiz_content

    if get_settings().secret_key.startswith("CHANGE-ME") or len(get_settings().secret_key) < 32:
        problems += 1
        click.echo("secret: PARLIAMENT_SECRET_KEY is a placeholder or too short (32+ characters)")
    else:
        click.echo("secret: set")
    _warn_about_helplines(engine)
    i18n_problems = check_catalogs(REPO_ROOT) + check_quiz_content(CONTENT_DIR).problems
    problems += len(i18n_problems)
    click.echo(
        f"languages: {len(i18n_problems)} problems"
        + (" (run 'parliament i18n check' for details)" if i18n_problems else "")
    )
    if problems:
        sys.exit(1)


def _warn_about_helplines(engine) -> None:
    """A warning, not a failure: a country may have no line anyone could verify (Kosovo has no
    child helpline today); its children are then told whom to tell instead."""
    from activities.quizzes.bank import countries_without_trusted_line

    with unit_of_work(make_factory(engine)) as session:
        missing = countries_without_trusted_line(session, list(get_settings().enabled_countries))
    for country in missing:
        click.echo(
            f"helplines: warning: {country} has no verified child or anti-trafficking line "
            "that children are shown (parliament quiz helplines --country "
            f"{country} --audience staff)"
        )
    if not missing:
        click.echo("helplines: every country has a verified child or anti-trafficking line")


if __name__ == "__main__":
    main()
