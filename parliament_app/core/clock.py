"""The programme's clock: one time zone for the four countries (Europe/Belgrade: Serbia, Kosovo,
North Macedonia and Bosnia and Herzegovina share it, summer time included).

Times are stored in UTC; calendar days ("today", "a session on the 3rd", "no future dates") are
days in this zone, never the server's own, which is usually UTC: between midnight and one or two
in the morning local time the two disagree about the date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIMEZONE_NAME = "Europe/Belgrade"
LOCAL_TIMEZONE = ZoneInfo(LOCAL_TIMEZONE_NAME)


def local_now() -> datetime:
    return datetime.now(UTC).astimezone(LOCAL_TIMEZONE)


def local_today() -> date:
    return local_now().date()
