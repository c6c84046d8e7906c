"""``parliament``: the operators' command line (migrations, accounts, demo data, languages)."""

from __future__ import annotations

import importlib
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ClassVar

import click
from sqlalchemy import or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from parliament_app import migrate
from parliament_app.cli_i18n import i18n
from parliament_app.clock import local_today
from parliament_app.config import get_settings
from parliament_app.db import DatabaseUnavailable, check_connection, make_engine, unit_of_work
from parliament_app.db import session_factory as make_factory
from parliament_app.errors import ServiceError
from parliament_app.models import Organisation, Role


def _fail(message: str, code: int = 2) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def database_errors_reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an unreachable database or a refused action into one clear line, not a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DatabaseUnavailable as error:
            _fail(error.reason)
        except OperationalError as error:
            _fail(f"database error: {str(error.orig).strip().splitlines()[0]}")
        except ServiceError as error:
            _fail(error.message, code=1)

    return wrapper


def _engine():
    import parliament_app.schema  # noqa: F401  (every table, so cross-package foreign keys resolve)

    engine = make_engine(get_settings().database_url)
    check_connection(engine)
    return engine


@contextmanager
def _transaction(require_schema: bool = True) -> Iterator[Session]:
    engine = _engine()
    if require_schema and not migrate.is_up_to_date(engine):
        _fail("the database schema is not up to date: run 'parliament db upgrade' first")
    with unit_of_work(make_factory(engine)) as session:
        yield session


class _Commands(click.Group):
    """The core commands plus those of the feature packages, imported only when used, so the
    core never imports the features at start-up (and their modules may import this one)."""

    FEATURES: ClassVar[dict[str, str]] = {
        "alerts": "parliament_app.monitoring.cli:alerts",
        "attendance": "sessions.attendance_cli:attendance_command",
        "backup": "parliament_app.backup_cli:backup",
        "bench": "parliament_app.bench_cli:bench_command",
        "calendar": "sessions.calendar_cli:calendar_command",
        "checkin": "sessions.qr_cli:checkin",
        "import-pupils": "sessions.cli:import_pupils",
        "org": "sessions.cli:org",
        "qr": "sessions.qr_cli:qr",
        "quiz": "parliament_app.quizzes.bank_cli:quiz",
        "screenshots": "parliament_app.screenshots:screenshots_command",
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
    from parliament_app.services.places import ensure_countries

    engine = _engine()
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    from parliament_app.quizzes.bank import ensure_question_bank

    with unit_of_work(make_factory(engine)) as session:
        ensure_countries(session, get_settings().enabled_countries)
        loaded = ensure_question_bank(session)
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
    engine = _engine()
    click.echo(f"current: {migrate.current_revision(engine) or 'empty'}")
    click.echo(f"head:    {migrate.head_revision()}")


def _organisation(session: Session, reference: str | None) -> Organisation | None:
    if reference is None:
        return None
    condition = Organisation.name == reference
    if reference.isdigit():
        condition = or_(condition, Organisation.id == int(reference))
    matches = list(session.scalars(select(Organisation).where(condition)))
    if len(matches) != 1:
        _fail(f"no single organisation matches {reference!r} (give its id or exact name)")
    return matches[0]


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
    from parliament_app.services.accounts import NewUser, create_user

    if Role(role) != Role.ADMINISTRATOR and not organisation:
        _fail(f"--org is required for the role {role}")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
    with _transaction() as session:
        org = _organisation(session, organisation)
        user = create_user(
            session,
            None,
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
    from parliament_app.demo_data import DemoDataRefused, generate_demo_data

    if scale != "demo":
        from parliament_app.bench_cli import run_national

        try:
            run_national(
                seed=seed, scale=scale, force=force, echo=lambda line: click.echo(line, err=True)
            )
        except DemoDataRefused as refusal:
            _fail(str(refusal), code=1)
        return

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"  {stage}: {done}/{total}", err=True)

    try:
        with _transaction() as session:
            summary = generate_demo_data(session, seed=seed, force=force, progress=progress)
    except DemoDataRefused as refusal:
        _fail(str(refusal), code=1)
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

    from parliament_app.services.diversity_report import (
        diversity_report,
        export_csv,
        export_json,
        export_xlsx,
        school_terms,
    )

    today = local_today()
    first = start.date() if start else school_terms(today, 1)[0][1]
    last = end.date() if end else today
    with _transaction() as session:
        result = diversity_report(
            session,
            None,
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
            click.echo(export_csv(session, None, result), nl=False)
        else:
            sys.stdout.buffer.write(export_xlsx(session, None, result))
            sys.stdout.flush()


@main.command("check")
@database_errors_reported
def check_command() -> None:
    """Check the deployment: database reachable and migrated, language catalogs complete."""
    from parliament_app.i18n_tools import REPO_ROOT, check_catalogs

    engine = _engine()
    click.echo(f"database: {engine.url.render_as_string(hide_password=True)} reachable")
    problems = 0
    if migrate.is_up_to_date(engine):
        click.echo(f"schema: at {migrate.head_revision()}")
    else:
        problems += 1
        click.echo("schema: NOT up to date (run 'parliament db upgrade')")
    from parliament_app.cli_i18n import check_quiz_content
    from parliament_app.quizzes.bank import CONTENT_DIR

    if get_settings().secret_key.startswith("CHANGE-ME") or len(get_settings().secret_key) < 32:
        problems += 1
        click.echo("secret: PARLIAMENT_SECRET_KEY is a placeholder or too short (32+ characters)")
    else:
        click.echo("secret: set")
    i18n_problems = check_catalogs(REPO_ROOT) + check_quiz_content(CONTENT_DIR).problems
    problems += len(i18n_problems)
    click.echo(
        f"languages: {len(i18n_problems)} problems"
        + (" (run 'parliament i18n check' for details)" if i18n_problems else "")
    )
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
