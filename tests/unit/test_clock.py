"""Calendar days are Belgrade's, not the server's: at 23:30 UTC it is already tomorrow there."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from parliament_app.core import clock
from tests.factories.clock import HalfPastMidnightInBelgrade


@pytest.fixture
def half_past_midnight_in_belgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "datetime", HalfPastMidnightInBelgrade)


def test_today_is_the_programmes_day_not_the_servers(half_past_midnight_in_belgrade) -> None:
    assert clock.local_today() == date(2026, 11, 29)
    assert (clock.local_now().hour, clock.local_now().minute) == (0, 30)


def test_summer_time_is_followed() -> None:
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC).astimezone(clock.LOCAL_TIMEZONE)
    winter = datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone(clock.LOCAL_TIMEZONE)
    assert summer.utcoffset() == timedelta(hours=2)
    assert winter.utcoffset() == timedelta(hours=1)
