"""``parliament calendar``: write an iCalendar (.ics) feed to standard output.

Register it in ``parliament_app.cli`` with::

    from sessions.calendar_cli import calendar_command
    main.add_command(calendar_command)

The helpers of ``parliament_app.cli`` are imported when the command runs, not when this module
is imported, so that registration cannot become a circular import.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from parliament_app.i18n import SOURCE_LANGUAGE, SUPPORTED_LANGUAGES
from parliament_app.models import Group, User, Venue


def _errors_reported(command: Callable[..., Any]) -> Callable[..., Any]:
    """``parliament_app.cli.database_errors_reported``, looked up at call time."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from parliament_app.cli import database_errors_reported

        return database_errors_reported(command)(*args, **kwargs)

    return wrapper


def _one_by_id_or_name(session: Session, model: type[Group] | type[Venue], reference: str):
    from parliament_app.cli import _fail

    condition = model.name == reference
    if reference.isdigit():
        condition = or_(condition, model.id == int(reference))
    matches = list(session.scalars(select(model).where(condition)))
    if len(matches) != 1:
        what = "group" if model is Group else "venue"
        _fail(f"no single {what} matches {reference!r} (give its id or exact name)")
    return matches[0]


@click.command("calendar")
@click.option("--org", "organisation", help="Organisation id or exact name.")
@click.option("--group", help="Group (parliament, club) id or exact name.")
@click.option("--venue", help="Venue id or exact name.")
@click.option("--user", "username", help="Username: what that user's calendar shows.")
@click.option(
    "--language",
    default=SOURCE_LANGUAGE,
    show_default=True,
    type=click.Choice(SUPPORTED_LANGUAGES),
    help="Language of the calendar's labels.",
)
@_errors_reported
def calendar_command(
    organisation: str | None,
    group: str | None,
    venue: str | None,
    username: str | None,
    language: str,
) -> None:
    """Write the iCalendar feed of an organisation, group, venue or user to standard output."""
    from parliament_app.cli import _fail, _organisation, _transaction
    from sessions.calendar import (
        ical_for_group,
        ical_for_organisation,
        ical_for_user,
        ical_for_venue,
    )

    given = [value for value in (organisation, group, venue, username) if value is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --org, --group, --venue or --user")
    with _transaction() as session:
        if organisation is not None:
            org = _organisation(session, organisation)
            data = ical_for_organisation(session, org.id, language=language)
        elif group is not None:
            found = _one_by_id_or_name(session, Group, group)
            data = ical_for_group(session, found.id, language=language)
        elif venue is not None:
            found = _one_by_id_or_name(session, Venue, venue)
            data = ical_for_venue(session, found.id, language=language)
        else:
            key = (username or "").strip().lower()
            user = session.scalar(select(User).where(func.lower(User.username) == key))
            if user is None:
                _fail(f"no user named {username!r}")
            data = ical_for_user(session, user, language=language)
    # The library's bytes as they are: UTF-8 with the CRLF line ends RFC 5545 requires.
    click.echo(data, nl=False)
