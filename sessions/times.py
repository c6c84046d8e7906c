"""Meeting times: Belgrade wall-clock times to UTC and back, the limits on a meeting's length, and
the dates of a recurring series."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import _, format_date
from parliament_app.models.meetings import (
    Occurrence,
    Recurrence,
)

MAX_OCCURRENCES = 200  # ...and at most this many occurrences

MIN_DURATION, MAX_DURATION = 15, 600  # minutes


def to_utc(day: date, at: time) -> datetime:
    """Europe/Belgrade wall-clock to UTC; a time the clocks skip is refused."""
    wall = datetime.combine(day, at.replace(tzinfo=None))
    moment = wall.replace(tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    if moment.astimezone(LOCAL_TIMEZONE).replace(tzinfo=None) != wall:
        raise ValidationError(
            _(
                "{time} does not exist on {day}: the clocks move forward that night. "
                "Please choose another time."
            ).format(time=at.strftime("%H:%M"), day=format_date(day)),
            "start_time",
        )
    return moment


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TIMEZONE)


def local_end(occurrence: Occurrence) -> datetime:
    return local(occurrence.starts_at + timedelta(minutes=occurrence.duration_minutes))


def local_midnight(day: date) -> datetime:
    """The start of a Belgrade calendar day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, clamped to the end of a shorter month."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nth_date(recurrence: Recurrence, first_date: date, sequence: int) -> date:
    """The date of occurrence number ``sequence`` (1 is ``first_date``)."""
    steps = sequence - 1
    match recurrence:
        case Recurrence.WEEKLY:
            return first_date + timedelta(weeks=steps)
        case Recurrence.BIWEEKLY:
            return first_date + timedelta(weeks=2 * steps)
        case Recurrence.MONTHLY:
            return add_months(first_date, steps)
    raise ValueError(recurrence)


def series_dates(recurrence: Recurrence, first_date: date, last_date: date) -> list[date]:
    """Every date of a series, at most ``MAX_OCCURRENCES + 1`` (enough to tell it is too many)."""
    dates: list[date] = []
    while len(dates) <= MAX_OCCURRENCES:
        day = nth_date(recurrence, first_date, len(dates) + 1)
        if day > last_date:
            break
        dates.append(day)
    return dates
