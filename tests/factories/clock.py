"""A clock stopped at half past midnight in Belgrade (still yesterday in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


class HalfPastMidnightInBelgrade(datetime):
    moment = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # the server (UTC) still says the 28th

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return cls.moment if tz is None else cls.moment.astimezone(tz)
