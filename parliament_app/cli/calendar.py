"""``parliament calendar``: write an iCalendar (.ics) feed to standard output.

Registered lazily in ``parliament_app.cli.main`` (``_Commands.FEATURES``).
"""

from __future__ import annotations

import click
from sqlalchemy import func, select

from parliament_app.cli.common import (
    database_errors_reported,
    fail,
    find_one,
    find_organisation,
    transaction,
)
from parliament_app.core.i18n import SOURCE_LANGUAGE, SUPPORTED_LANGUAGES
from parliament_app.models import Group, User, Venue
from sessions.calendar import (
    ical_for_group,
    ical_for_organisation,
    ical_for_user,
    ical_for_venue,
)


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
@database_errors_reported
def calendar_command(
    organisation: str | None,
    group: str | None,
    venue: str | None,
    username: str | None,
    language: str,
) -> None:
    """Write the iCalendar feed of an organisation, group, venue or user to standard output."""

    given = [value for value in (organisation, group, venue, username) if value is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --org, --group, --venue or --user")
    with transaction() as session:
        if organisation is not None:
            org = find_organisation(session, organisation)
            data = ical_for_organisation(session, org.id, language=language)
        elif group is not None:
            found = find_one(session, Group, group, "group")
            data = ical_for_group(session, found.id, language=language)
        elif venue is not None:
            found = find_one(session, Venue, venue, "venue")
            data = ical_for_venue(session, found.id, language=language)
        else:
            key = (username or "").strip().lower()
            user = session.scalar(select(User).where(func.lower(User.username) == key))
            if user is None:
                fail(f"no user named {username!r}")
            data = ical_for_user(session, user, language=language)
    # The library's bytes as they are: UTF-8 with the CRLF line ends RFC 5545 requires.
    click.echo(data, nl=False)
