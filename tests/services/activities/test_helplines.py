"""Helplines a child can trust: children see only active lines verified recently, always with
hours and cost; the shipped data has no 112 where it does not work; staff see every line and
what is due; the command line prints what each audience sees."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from activities.quizzes.bank import (
    cost_text,
    countries_without_trusted_line,
    ensure_question_bank,
    helplines_for,
    hours_text,
    lines_due_for_verification,
    save_helpline,
)
from activities.quizzes.bank.helplines import verified_since
from parliament_app.cli.quiz import quiz
from parliament_app.core.actors import OPERATOR
from parliament_app.core.clock import local_today
from parliament_app.core.config import get_settings
from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import set_language
from parliament_app.models import Role
from parliament_app.places.services import ensure_countries
from tests.factories import make_user

COUNTRIES = ["RS", "XK", "MK", "BA"]
SOURCE = "https://example.org/helpline"


@pytest.fixture
def shipped(db: Session) -> Session:
    ensure_countries(db, COUNTRIES)
    ensure_question_bank(db, actor=OPERATOR)
    db.flush()
    return db


def numbers(lines) -> list[str]:
    return [line.number for line in lines]


def test_no_112_where_it_does_not_work_and_nothing_unverified(shipped: Session) -> None:
    assert "112" not in numbers(helplines_for(shipped, "BA", "bs"))  # does not exist in BiH
    serbia = numbers(helplines_for(shipped, "RS", "sr"))
    assert "112" not in serbia and {"192", "194", "116 111"} <= set(serbia)
    assert "112" in numbers(helplines_for(shipped, "XK", "sq"))  # working since 2001
    assert "112" in numbers(helplines_for(shipped, "MK", "mk"))  # working since 2022
    assert "116 111" not in numbers(helplines_for(shipped, "MK", "mk"))  # assigned, not live
    assert "0800 11112" not in numbers(helplines_for(shipped, "XK", "sq"))  # sources ~2012
    for country in COUNTRIES:
        for line in helplines_for(shipped, country, "en"):
            assert line.verified_on and line.source and line.source.startswith("http")
            assert "check whether it works" not in line.description


def test_children_never_see_an_unverified_expired_or_switched_off_line(db: Session) -> None:
    ensure_countries(db, COUNTRIES)
    admin = make_user(db, "admin", Role.ADMINISTRATOR, None)
    today = local_today()
    cases = {
        "0800 100 001": {"verified_on": today},  # shown
        "0800 100 002": {},  # never verified
        "0800 100 003": {"verified_on": today - timedelta(days=400)},  # over 12 months ago
        "0800 100 004": {"verified_on": today, "active": False},  # switched off
    }
    for number, fields in cases.items():
        verified = fields.get("verified_on")
        save_helpline(
            db,
            admin,
            "RS",
            number,
            {"en": f"Line {number}"},
            {},
            free=True,
            hours="24/7",
            kind="child",
            verified_by="Test team" if verified else None,
            source=SOURCE if verified else None,
            **fields,
        )
    assert numbers(helplines_for(db, "RS", "en")) == ["0800 100 001"]
    staff = {line.number: line.shown_to_children for line in helplines_for(db, "RS", "en", "staff")}
    assert staff == {
        "0800 100 001": True,
        "0800 100 002": False,
        "0800 100 003": False,
        "0800 100 004": False,
    }
    assert numbers(lines_due_for_verification(db)) == ["0800 100 002", "0800 100 003"]


def test_the_period_is_a_setting(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    today = date(2026, 12, 7)
    assert verified_since(today) == date(2025, 12, 7)
    monkeypatch.setenv("PARLIAMENT_HELPLINE_VERIFIED_MONTHS", "6")
    get_settings.cache_clear()
    try:
        assert verified_since(today) == date(2026, 6, 7)
    finally:
        get_settings.cache_clear()


def test_a_country_without_a_verified_child_line_is_named(shipped: Session) -> None:
    assert countries_without_trusted_line(shipped, COUNTRIES) == ["XK"]
    later = local_today() + timedelta(days=800)  # every verification has expired
    assert countries_without_trusted_line(shipped, COUNTRIES, today=later) == COUNTRIES


@pytest.mark.parametrize(
    "language,expected",
    [
        (
            "en",
            ["every day, day and night", "every day 08:00–20:00", "Monday to Friday 09:00–22:00"],
        ),
        (
            "sq",
            [
                "çdo ditë, ditë e natë",
                "çdo ditë 08:00–20:00",
                "nga e hëna në të premten 09:00–22:00",
            ],
        ),
    ],
)
def test_hours_and_cost_are_said_in_the_readers_language(language: str, expected) -> None:
    set_language(language)
    assert [
        hours_text(hours) for hours in ("24/7", "daily 08:00-20:00", "weekdays 09:00-22:00")
    ] == expected
    assert len({cost_text(True), cost_text(False), cost_text(None)}) == 3
    assert hours_text(None) != hours_text("24/7")


def test_a_verified_line_needs_who_when_and_a_source(db: Session) -> None:
    ensure_countries(db, COUNTRIES)
    admin = make_user(db, "admin", Role.ADMINISTRATOR, None)
    today = local_today()
    refused = [
        {"hours": "8 to 20"},
        {"kind": "gossip"},
        {"verified_on": today, "source": SOURCE},  # who checked?
        {"verified_on": today, "verified_by": "Test team"},  # against what?
        {"verified_on": today, "verified_by": "Test team", "source": "a phone call"},
        {"verified_on": today + timedelta(days=1), "verified_by": "Test team", "source": SOURCE},
    ]
    for fields in refused:
        with pytest.raises(ValidationError):
            save_helpline(db, admin, "RS", "0800 100 009", {"en": "Line"}, {}, **fields)
    assert helplines_for(db, "RS", "en", "staff") == []


def test_the_command_line_prints_what_each_audience_sees(
    shipped: Session, database_url: str, tmp_path
) -> None:
    shipped.commit()
    env = {
        "PARLIAMENT_DATABASE_URL": database_url,
        "PARLIAMENT_DATA_DIR": str(tmp_path),
        "PARLIAMENT_SECRET_KEY": "helpline-test-secret-" * 3,
    }

    def run(*args: str) -> list[dict]:
        get_settings.cache_clear()
        try:
            result = CliRunner(env=env).invoke(quiz, ["helplines", *args, "--format", "json"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.output.splitlines()]

    child = run("--country", "XK", "--audience", "child")
    staff = run("--country", "XK", "--audience", "staff", "--lang", "sq")
    assert all(
        set(line) == {"number", "name", "hours", "free", "verified_on", "source"} for line in child
    )
    assert [line["number"] for line in child] == ["192", "112"]
    assert child[0] == {
        "number": "192",
        "name": "Police",
        "hours": "24/7",
        "free": True,
        "verified_on": "2026-12-01",
        "source": child[0]["source"],
    }
    assert [line["number"] for line in staff] == ["0800 11112", "192", "112"]
    assert staff[1]["name"] == "Policia"
    assert staff[0]["verified_on"] is None
