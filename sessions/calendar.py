"""Calendars: the week and month a user sees, and iCalendar (RFC 5545) feeds.

Who sees which occurrence follows the child-visibility policy of ``parliament_app.policy.access``,
lifted to groups (``calendar_scope``):

- administrators: every occurrence;
- facilitators: occurrences they staff, and every occurrence of the groups they lead;
- school coordinators: occurrences of groups where pupils of their school are enrolled (active);
- social workers: occurrences of groups where children their centre follows are enrolled (active).

A calendar entry and an iCalendar event carry what a schedule needs (group, topic, kind, time,
venue, languages, status) and nothing about children: no names, no rosters, and none of the free
text fields (``description``, ``cancel_reason``) where staff might have written a child's name.

Times are stored in UTC and shown in the programme's one time zone, ``Europe/Belgrade`` (Serbia,
Kosovo, North Macedonia and Bosnia and Herzegovina share its rules). The feeds are built with the
``icalendar`` library, which does RFC 5545's escaping, line folding and VTIMEZONE generation.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar
from babel import Locale, UnknownLocaleError
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, joinedload

from parliament_app.core.clock import LOCAL_TIMEZONE, LOCAL_TIMEZONE_NAME
from parliament_app.core.errors import NotFound
from parliament_app.core.i18n import N_, _, babel_locale, using_language
from parliament_app.models import (
    Group,
    Organisation,
    OrganisationKind,
    User,
    Venue,
)
from parliament_app.models.meetings import (
    Occurrence,
    OccurrenceStatus,
    SessionKind,
)
from parliament_app.policy.meetings import (
    calendar_scope,
    groups_with_pupils_of,
)
from sessions.times import local_midnight

__all__ = [
    "LOCAL_TIMEZONE",
    "OCCURRENCE_STATUS_LABELS",
    "PRODID",
    "SESSION_KIND_LABELS",
    "CalendarEntry",
    "calendar_scope",
    "event_sequence",
    "event_uid",
    "ical_for_group",
    "ical_for_organisation",
    "ical_for_user",
    "ical_for_venue",
    "kind_label",
    "monday_of",
    "month_grid",
    "month_range",
    "visible_occurrences",
    "week_grid",
]

PRODID = "-//Children's Parliament//Calendar//EN"
UID_DOMAIN = "childrens-parliament"

# parliament_app.core.labels has no table for the scheduling codes; shown with ``_()``.
SESSION_KIND_LABELS: dict[SessionKind, str] = {
    SessionKind.PARLIAMENT_SITTING: N_("Parliament sitting"),
    SessionKind.SPECIALIST_WORKSHOP: N_("Specialist workshop"),
    SessionKind.PEER_LEARNING: N_("Peer learning"),
    SessionKind.PRESENTATION: N_("Presentation to schoolmates"),
    SessionKind.FAMILY_WORKSHOP: N_("Family workshop"),
    SessionKind.CLUB_PRACTICE: N_("Club practice"),
    SessionKind.EXCURSION: N_("Excursion"),
}
OCCURRENCE_STATUS_LABELS: dict[OccurrenceStatus, str] = {
    OccurrenceStatus.SCHEDULED: N_("Scheduled"),
    OccurrenceStatus.CANCELLED: N_("Cancelled"),
    OccurrenceStatus.CLOSED: N_("Held"),
}


def kind_label(kind: SessionKind) -> str:
    """The translated name of a session kind, in the current language."""
    return _(SESSION_KIND_LABELS[kind])


# --- who sees what -----------------------------------------------------------------------------


def _occurrences(
    session: Session,
    condition: ColumnElement[bool],
    start: date | None = None,
    end: date | None = None,
) -> list[Occurrence]:
    """Occurrences matching ``condition`` that start on a local day from ``start`` to ``end``."""
    statement = (
        select(Occurrence)
        .where(condition)
        .options(joinedload(Occurrence.group), joinedload(Occurrence.venue))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if start is not None:
        statement = statement.where(Occurrence.starts_at >= local_midnight(start))
    if end is not None:
        statement = statement.where(Occurrence.starts_at < local_midnight(end + timedelta(days=1)))
    return list(session.scalars(statement))


# --- calendar entries and grids ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One occurrence as a calendar shows it; labels are in the language it was built in."""

    occurrence_id: int
    group_name: str
    kind: SessionKind
    kind_label: str
    topic: str
    starts_local: datetime  # aware, Europe/Belgrade
    ends_local: datetime  # aware, Europe/Belgrade
    venue_name: str  # "" when the occurrence has no venue
    status: OccurrenceStatus
    status_label: str

    @property
    def cancelled(self) -> bool:
        return self.status == OccurrenceStatus.CANCELLED

    @property
    def day(self) -> date:
        """The local day the occurrence starts on (where the grids place it)."""
        return self.starts_local.date()


def _local_times(occurrence: Occurrence) -> tuple[datetime, datetime]:
    # The end is computed in UTC, then converted: wall-clock arithmetic would be an hour off
    # across a daylight-saving change.
    end = occurrence.starts_at + timedelta(minutes=occurrence.duration_minutes)
    return occurrence.starts_at.astimezone(LOCAL_TIMEZONE), end.astimezone(LOCAL_TIMEZONE)


def _entry(occurrence: Occurrence) -> CalendarEntry:
    starts, ends = _local_times(occurrence)
    return CalendarEntry(
        occurrence_id=occurrence.id,
        group_name=occurrence.group.name,
        kind=occurrence.kind,
        kind_label=kind_label(occurrence.kind),
        topic=occurrence.topic,
        starts_local=starts,
        ends_local=ends,
        venue_name=occurrence.venue.name if occurrence.venue else "",
        status=occurrence.status,
        status_label=_(OCCURRENCE_STATUS_LABELS[occurrence.status]),
    )


def visible_occurrences(
    session: Session, user: User, start: date, end: date
) -> list[CalendarEntry]:
    """What ``user``'s calendar shows from local day ``start`` to ``end``, both included.

    Cancelled occurrences are included (``entry.cancelled``) so a calendar can show them struck
    through; entries come in start order.
    """
    if end < start:
        raise ValueError(f"calendar range ends ({end}) before it starts ({start})")
    return [_entry(o) for o in _occurrences(session, calendar_scope(user), start, end)]


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def month_range(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month (for ``visible_occurrences``)."""
    return date(year, month, 1), date(year, month, stdlib_calendar.monthrange(year, month)[1])


def _in_start_order(entries: Iterable[CalendarEntry]) -> list[CalendarEntry]:
    return sorted(entries, key=lambda entry: (entry.starts_local, entry.occurrence_id))


def week_grid(entries: Iterable[CalendarEntry], week_start: date) -> list[list[CalendarEntry]]:
    """Seven days from ``week_start``, each with its entries in start order; others are left out."""
    days: list[list[CalendarEntry]] = [[] for _day in range(7)]
    for entry in _in_start_order(entries):
        offset = (entry.day - week_start).days
        if 0 <= offset < 7:
            days[offset].append(entry)
    return days


def month_grid(
    entries: Iterable[CalendarEntry], year: int, month: int
) -> list[list[tuple[date | None, list[CalendarEntry]]]]:
    """The month as weeks starting on Monday: each week has seven ``(day, entries)`` cells, the
    cells before the first and after the last day being ``(None, [])``."""
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    for entry in _in_start_order(entries):
        by_day[entry.day].append(entry)
    weeks: list[list[tuple[date | None, list[CalendarEntry]]]] = []
    for week in stdlib_calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        cells: list[tuple[date | None, list[CalendarEntry]]] = []
        for number in week:
            if number == 0:
                cells.append((None, []))
            else:
                day = date(year, month, number)
                cells.append((day, list(by_day.get(day, ()))))
        weeks.append(cells)
    return weeks


# --- iCalendar ---------------------------------------------------------------------------------


def event_uid(occurrence_id: int) -> str:
    """The VEVENT's UID: stable for the life of the occurrence, so clients update, not duplicate."""
    return f"occurrence-{occurrence_id}@{UID_DOMAIN}"


def event_sequence(occurrence: Occurrence) -> int:
    """The VEVENT's SEQUENCE, derived from the occurrence's state rather than stored.

    0 for an occurrence as its series generated it; +1 once it was changed on its own
    (``changed_from_series``); +1 when it is cancelled. Changes move along series → changed →
    cancelled, so the number only grows and clients replace their copy. Limits: changing a
    one-off occurrence (no series) again, or reinstating a cancelled one, does not raise it;
    that needs a stored revision counter on ``Occurrence``.
    """
    return int(occurrence.changed_from_series) + int(
        occurrence.status == OccurrenceStatus.CANCELLED
    )


def _language_name(code: str) -> str:
    """A session language's name in the current language (``sr`` → "Serbian", "српски")."""
    reader = Locale.parse(babel_locale())
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(reader) or code
    except (ValueError, UnknownLocaleError):
        return reader.languages.get(code, code)


def _event(occurrence: Occurrence, stamp: datetime) -> icalendar.Event:
    starts, ends = _local_times(occurrence)
    cancelled = occurrence.status == OccurrenceStatus.CANCELLED
    kind = kind_label(occurrence.kind)
    description = [_("Type: {kind}").format(kind=kind)]
    if occurrence.languages:
        names = ", ".join(_language_name(code) for code in occurrence.languages)
        description.append(_("Languages: {languages}").format(languages=names))
    if cancelled:
        description.append(_(OCCURRENCE_STATUS_LABELS[OccurrenceStatus.CANCELLED]))

    event = icalendar.Event()
    event.add("uid", event_uid(occurrence.id))
    event.add("dtstamp", stamp)
    event.add("created", occurrence.created_at.astimezone(UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"{occurrence.topic} — {occurrence.group.name}")
    if occurrence.venue is not None:
        event.add("location", occurrence.venue.name)
    event.add("description", "\n".join(description))
    event.add("categories", [kind])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", event_sequence(occurrence))
    return event


def _ical(
    name: str,
    occurrences: Sequence[Occurrence],
    now: datetime | None,
    note: str | None = None,
) -> bytes:
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Children's Parliament — {name}").format(name=name))
    cal.add("x-wr-timezone", LOCAL_TIMEZONE_NAME)
    if note:
        # COMMENT is not a calendar property; RFC 7986 DESCRIPTION (and X-WR-CALDESC) are.
        cal.add("description", note)
        cal.add("x-wr-caldesc", note)
    for occurrence in occurrences:
        cal.add_component(_event(occurrence, stamp))
    # The VTIMEZONE only needs to cover the years the events fall in; an empty calendar still
    # gets one, since RFC 5545 wants at least one component in a VCALENDAR.
    years = [stamp.year] + [o.starts_at.astimezone(LOCAL_TIMEZONE).year for o in occurrences]
    first, last = date(min(years), 1, 1), date(max(years) + 2, 1, 1)
    if occurrences:
        cal.add_missing_timezones(first_date=first, last_date=last)
    else:
        cal.add_component(
            icalendar.Timezone.from_tzid(LOCAL_TIMEZONE_NAME, first_date=first, last_date=last)
        )
    return cal.to_ical()


def ical_for_user(
    session: Session, user: User, *, language: str = "en", now: datetime | None = None
) -> bytes:
    """Everything ``user``'s calendar shows, past and future, as an iCalendar file."""
    with using_language(language):
        return _ical(user.display_name, _occurrences(session, calendar_scope(user)), now)


def ical_for_organisation(
    session: Session, organisation_id: int, *, language: str = "en", now: datetime | None = None
) -> bytes:
    """An organisation's feed, for operators and public subscription.

    A school: the groups its pupils are enrolled in (active), and any group it runs itself. An NGO
    or a municipality: the groups it runs. A centre for social work: nothing. Its calendar would
    be made of the groups the children it follows attend, which tells who is followed; its social
    workers see those occurrences in their own calendar (``ical_for_user``), never in a feed.
    """
    with using_language(language):
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise NotFound(_("No such organisation."))
        runs = Occurrence.group_id.in_(
            select(Group.id).where(Group.organisation_id == organisation.id)
        )
        match organisation.kind:
            case OrganisationKind.CSW:
                note = _(
                    "Centres for social work have no shared calendar: it would show which groups "
                    "the children they follow attend. Social workers see these sessions in their "
                    "own calendar."
                )
                return _ical(organisation.name, [], now, note=note)
            case OrganisationKind.SCHOOL:
                condition = or_(
                    runs, Occurrence.group_id.in_(groups_with_pupils_of(organisation.id))
                )
            case _:
                condition = runs
        return _ical(organisation.name, _occurrences(session, condition), now)


def ical_for_group(
    session: Session, group_id: int, *, language: str = "en", now: datetime | None = None
) -> bytes:
    """A group's feed (a parliament, a club): all its occurrences."""
    with using_language(language):
        group = session.get(Group, group_id)
        if group is None:
            raise NotFound(_("No such group."))
        return _ical(group.name, _occurrences(session, Occurrence.group_id == group.id), now)


def ical_for_venue(
    session: Session, venue_id: int, *, language: str = "en", now: datetime | None = None
) -> bytes:
    """A venue's feed: every occurrence held there."""
    with using_language(language):
        venue = session.get(Venue, venue_id)
        if venue is None:
            raise NotFound(_("No such venue."))
        return _ical(venue.name, _occurrences(session, Occurrence.venue_id == venue.id), now)
