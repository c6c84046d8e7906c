"""The check-in pages (AppTest): the scanning station (keyboard-wedge field, walk-ins, the live
self check-in panel with undo), the anonymous self check-in page (first names only, friendly
refusals, its own language) and the badge page (re-issue with confirmation).

The pages are not in the shell's menu yet, so they are run directly: staff pages with the
signed-in user's id in the session state, the anonymous page with its query parameters.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from parliament_app.core.actors import OPERATOR
from parliament_app.core.config import get_settings
from parliament_app.models import User
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    Badge,
    GuardianInvolvement,
    InvolvementRole,
    RateLimitHit,
    ScanLog,
    ScanResult,
)
from parliament_app.models.meetings import Occurrence, SessionKind
from sessions.checkin.badges import issue_badge
from sessions.checkin.scanning import facilitator_session_code, self_check_in, session_code
from tests.factories import World
from tests.pages.app import ENTRY, PAGES

ROOT = ENTRY.rsplit("/", 1)[0]
EVERY_TEXT = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
)


@pytest.fixture
def occurrence(db: Session, world: World) -> Occurrence:
    """A sitting of the facilitator's group that started ten minutes ago."""
    sitting = Occurrence(
        group_id=world.group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic="Our playground",
        starts_at=datetime.now(UTC) - timedelta(minutes=10),
        duration_minutes=90,
    )
    db.add(sitting)
    db.commit()
    return sitting


@pytest.fixture
def token(db: Session, world: World) -> str:
    """Ana's badge (Ana is enrolled in the facilitator's group)."""
    _badge, text = issue_badge(db, OPERATOR, world.own_pupil.id)
    db.commit()
    return text


def page_path(page: str) -> str:
    return f"{ROOT}/{PAGES.format(page)}"


def staff_page(db: Session, user: User, page: str) -> AppTest:
    db.rollback()  # end the test session's read: SQLite serialises transactions
    app = AppTest.from_file(page_path(page), default_timeout=30)
    app.session_state["current_user_id"] = user.id
    app.run()
    assert not app.exception, app.exception
    return app


def check_in_page(db: Session, occurrence_id: int | None, code: str | None, **params) -> AppTest:
    db.rollback()
    app = AppTest.from_file(page_path("check_in"), default_timeout=30)
    if occurrence_id is not None:
        app.query_params["o"] = str(occurrence_id)
    if code is not None:
        app.query_params["c"] = code
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, app.exception
    return app


def run(db: Session, app: AppTest) -> AppTest:
    """Run the app again after a click or an input; the test session ends its read first
    (SQLite serialises transactions)."""
    db.rollback()
    app.run()
    return app


def current_code(db: Session, occurrence: Occurrence) -> str:
    code = facilitator_session_code(db, OPERATOR, occurrence.id).code
    db.rollback()
    return code


def texts(app: AppTest) -> str:
    """Every text on the screen, widget labels and options included."""
    parts = [str(element.value) for kind in EVERY_TEXT for element in getattr(app, kind)]
    parts += [button.label for button in app.button]
    for kind in ("selectbox", "radio", "multiselect"):
        for widget in getattr(app, kind):
            parts.append(widget.label)
            parts += [str(option) for option in widget.options]
    parts += [widget.label for widget in app.text_input]
    parts += [widget.label for widget in app.checkbox]
    return "\n".join(parts)


def big_result(app: AppTest) -> str:
    """The station's last result, in very large type (a level-one heading)."""
    headings = [item.value for item in app.markdown if str(item.value).startswith("# ")]
    assert headings, "a large result is shown"
    return headings[0]


def button(app: AppTest, label: str):
    found = [item for item in app.button if item.label == label]
    assert found, f"no button {label!r}: {[item.label for item in app.button]}"
    return found[0]


def scan_field(app: AppTest):
    return app.text_input(key="scan_field")


def attendance_rows(db: Session, occurrence: Occurrence) -> dict[int, Attendance]:
    db.rollback()
    rows = db.scalars(select(Attendance).where(Attendance.occurrence_id == occurrence.id))
    return {row.child_id: row for row in rows}


# --- the scanning station ----------------------------------------------------------------------


def test_scanning_a_badge_checks_in_then_says_already(
    db: Session, world: World, occurrence: Occurrence, token: str
) -> None:
    app = staff_page(db, world.facilitator, "scan")
    assert "Our playground" in app.selectbox(key="scan_occurrence").options[0]
    assert "Ready" in texts(app)

    run(db, scan_field(app).input(token + "\n"))
    assert not app.exception, app.exception
    assert "✅" in big_result(app) or "🕒" in big_result(app)
    assert "Checked in" in big_result(app)
    assert any(item.value == "## Ana" for item in app.markdown)
    assert scan_field(app).value == ""  # ready for the next badge
    saved = attendance_rows(db, occurrence)
    assert saved[world.own_pupil.id].method == AttendanceMethod.BADGE_SCAN

    run(db, scan_field(app).input(token))
    assert not app.exception, app.exception
    assert "☑️ Already checked in" in big_result(app)
    assert len(attendance_rows(db, occurrence)) == 1
    recent = "\n".join(str(item.value) for item in app.markdown if "Recent" not in item.value)
    assert recent.count("Ana") >= 2  # both scans in the station's recent list


def test_a_forged_badge_is_rejected_and_logged(
    db: Session, world: World, occurrence: Occurrence, token: str
) -> None:
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    app = staff_page(db, world.facilitator, "scan")
    run(db, scan_field(app).input(forged))
    assert not app.exception, app.exception
    assert "⛔" in big_result(app)
    assert "not recognised" in big_result(app)
    assert attendance_rows(db, occurrence) == {}
    log = db.scalars(select(ScanLog).where(ScanLog.occurrence_id == occurrence.id)).all()
    assert [row.result for row in log] == [ScanResult.REJECTED]


def test_a_child_not_enrolled_can_be_added_as_a_walk_in(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    _badge, other = issue_badge(db, OPERATOR, world.other_pupil.id)
    db.commit()
    app = staff_page(db, world.facilitator, "scan")
    run(db, scan_field(app).input(other))
    assert not app.exception, app.exception
    assert "Not enrolled in this group" in big_result(app)
    assert attendance_rows(db, occurrence) == {}  # never checked in silently

    run(db, button(app, "Add as walk-in").click())
    assert not app.exception, app.exception
    assert "Added as a walk-in" in big_result(app)
    saved = attendance_rows(db, occurrence)
    assert saved[world.other_pupil.id].walk_in
    assert not [item for item in app.button if item.label == "Add as walk-in"]


def test_without_the_decoder_the_camera_is_replaced_by_a_message(
    db: Session, world: World, occurrence: Occurrence, monkeypatch
) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # as if zxing-cpp were not installed
    app = staff_page(db, world.facilitator, "scan")
    assert any("camera is not available" in item.value for item in app.info)
    assert not [item for item in app.toggle if item.key == "scan_camera_on"]
    assert scan_field(app).value == ""  # the scanner field still works


def test_a_user_without_sessions_today_is_told_so(db: Session, world: World) -> None:
    app = staff_page(db, world.facilitator, "scan")
    assert any("no session today" in item.value for item in app.info)


# --- the self check-in panel -------------------------------------------------------------------


def test_the_panel_shows_the_code_and_undo_removes_a_self_check_in(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    outcome = self_check_in(
        db,
        occurrence.id,
        current_code(db, occurrence),
        child_id=world.own_pupil.id,
        at=datetime.now(UTC),
        device="test-tablet",
    )
    assert outcome.accepted
    db.commit()

    app = staff_page(db, world.facilitator, "scan")
    codes = [item.value for item in app.markdown if str(item.value).startswith("# `")]
    assert codes and len(codes[0]) == len("# ``") + 10
    shown = texts(app)
    assert "Self check-ins" in shown and "**Ana**" in shown
    undo = [item for item in app.button if item.key and item.key.startswith("scan_undo_child_")]
    assert len(undo) == 1

    run(db, undo[0].click())
    assert not app.exception, app.exception
    assert any("self check-in was undone" in item.value for item in app.success)
    assert attendance_rows(db, occurrence) == {}
    assert "Nobody has checked in with the code yet." in texts(app)


# --- the anonymous check-in page ---------------------------------------------------------------


def test_the_check_in_page_lists_first_names_only_and_checks_in(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = check_in_page(db, occurrence.id, current_code(db, occurrence))
    shown = texts(app)
    assert "I am Ana" in shown
    for family in ("Petrović", "Krasniqi", "Facilitator"):  # no family or staff names
        assert family not in shown
    assert "Blerta" not in shown  # not on this session's roster

    run(db, button(app, "I am Ana").click())
    assert not app.exception, app.exception
    shown = texts(app)
    assert "You are checked in!" in shown and "Welcome, Ana!" in shown
    saved = attendance_rows(db, occurrence)
    assert saved[world.own_pupil.id].method == AttendanceMethod.SELF_CHECK_IN

    run(db, button(app, "Someone else").click())
    assert not app.exception, app.exception
    assert "I am Ana" in texts(app)


def test_a_guardian_checks_in_with_their_child(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = check_in_page(db, occurrence.id, current_code(db, occurrence))
    run(db, app.selectbox(key="check_in_guardian_child").select(world.own_pupil.id))
    assert not app.exception, app.exception
    assert app.radio(key="check_in_guardian").options == ["Guardian"]
    assert "Petrović" not in texts(app)
    app.selectbox(key="check_in_guardian_role").select(InvolvementRole.ACCOMPANIED.value)
    run(db, app.button(key="check_in_guardian_button").click())
    assert not app.exception, app.exception
    assert "Ana is checked in too." in texts(app)
    db.rollback()
    involvement = db.scalars(select(GuardianInvolvement)).one()
    assert involvement.occurrence_id == occurrence.id
    assert involvement.child_id == world.own_pupil.id
    assert involvement.method == AttendanceMethod.SELF_CHECK_IN
    assert world.own_pupil.id in attendance_rows(db, occurrence)


@pytest.mark.parametrize("kind", ["forged", "expired"])
def test_a_bad_code_shows_a_friendly_message_and_no_names(
    db: Session, world: World, occurrence: Occurrence, kind: str
) -> None:
    secret = get_settings().secret_key
    code = (
        "AAAAAAAAAA"
        if kind == "forged"
        else session_code(secret, occurrence.id, datetime.now(UTC) - timedelta(minutes=3))
    )
    app = check_in_page(db, occurrence.id, code)
    assert any("expired or is not valid" in item.value for item in app.warning)
    shown = texts(app)
    assert "Ana" not in shown and "I am" not in shown
    db.rollback()  # the refused attempt was counted and committed all the same
    assert db.scalar(select(func.sum(RateLimitHit.hits))) >= 1


def test_a_badge_code_typed_on_the_check_in_page(
    db: Session, world: World, occurrence: Occurrence, token: str
) -> None:
    app = check_in_page(db, occurrence.id, current_code(db, occurrence))
    app.text_input(key="check_in_badge_field").input("PB1.nothing.real")
    submit = app.button(key="FormSubmitter:check_in_badge-Check in")
    run(db, submit.click())
    assert not app.exception, app.exception
    assert any("badge code is not recognised" in item.value for item in app.warning)
    assert attendance_rows(db, occurrence) == {}
    app.text_input(key="check_in_badge_field").input(token)
    submit = app.button(key="FormSubmitter:check_in_badge-Check in")
    run(db, submit.click())
    assert "You are checked in!" in texts(app)


def test_without_a_code_the_page_asks_to_scan_or_type_it(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = check_in_page(db, None, None)
    assert any("scan the QR code" in item.value for item in app.info)
    app = check_in_page(db, occurrence.id, None)
    app.text_input(key="check_in_code_field").input(current_code(db, occurrence))
    run(db, app.button(key="FormSubmitter:check_in_code-Continue").click())
    assert not app.exception, app.exception
    assert "I am Ana" in texts(app)


def test_the_check_in_page_has_its_own_language(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = check_in_page(db, occurrence.id, current_code(db, occurrence), lang="sq")
    assert app.selectbox(key="check_in_language").value == "sq"


# --- badges ------------------------------------------------------------------------------------


def test_re_issuing_a_badge_asks_first_and_revokes_the_old_one(
    db: Session, world: World, token: str
) -> None:
    app = staff_page(db, world.facilitator, "badges")
    assert "Petrović, Ana" in app.selectbox(key=f"badges_child_{world.group.id}").options
    assert app.get("download_button"), "the sheet and the badge can be downloaded"
    run(db, button(app, "Re-issue a lost badge").click())
    assert any("stops working at once" in item.value for item in app.warning)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Badge)) == 1  # nothing yet

    run(db, button(app, "Yes, re-issue the badge").click())
    assert not app.exception, app.exception
    assert any("new badge was issued" in item.value for item in app.success)
    db.rollback()
    badges = db.scalars(select(Badge).where(Badge.child_id == world.own_pupil.id)).all()
    assert len(badges) == 2
    assert sum(badge.revoked_at is None for badge in badges) == 1
