"""The attendance and involvement pages (AppTest): the roster opens with the enrolled children,
a status with a note is saved, everyone is marked present, closing makes the unmarked absent,
the paper sheet is offered, and the involvement indicator is drawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from parliament_app.models import Enrolment, EnrolmentStatus, Role
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    GuardianInvolvement,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus, SessionKind
from tests.factories import World, make_child
from tests.pages.app import PAGES, USER_FOR_ROLE, signed_in_app, texts


@pytest.fixture
def occurrence(db: Session, world: World) -> Occurrence:
    """A sitting of the facilitator's group that started an hour ago, with a second child."""
    second = make_child(db, "Marko", "Ilić", world.school, world.municipality)
    db.add(Enrolment(group_id=world.group.id, child_id=second.id, status=EnrolmentStatus.ACTIVE))
    sitting = Occurrence(
        group_id=world.group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic="Our playground",
        starts_at=datetime.now(UTC) - timedelta(hours=1),
        duration_minutes=90,
    )
    db.add(sitting)
    db.commit()
    return sitting


def records(db: Session, occurrence: Occurrence) -> dict[int, Attendance]:
    db.rollback()  # a fresh read of what the app wrote
    found = db.scalars(select(Attendance).where(Attendance.occurrence_id == occurrence.id))
    return {row.child_id: row for row in found}


def open_page(db: Session, world: World, page: str, who: str = "facilitator") -> AppTest:
    app = signed_in_app(db, world.users()[who])
    db.rollback()  # end the test session's read: SQLite serialises transactions
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception, app.exception
    return app


def button(app: AppTest, label: str):
    found = [item for item in app.button if item.label == label]
    assert found, f"no button {label!r}: {[item.label for item in app.button]}"
    return found[0]


def roster_editor(app: AppTest):
    editors = [item for item in app.data_editor if item.key and item.key.startswith("roster_")]
    assert editors, "the roster editor is shown"
    return editors[0]


@pytest.mark.parametrize("who", ["admin", "facilitator"])
def test_roster_shows_the_enrolled_children(
    db: Session, world: World, occurrence: Occurrence, who: str
) -> None:
    app = open_page(db, world, "attendance", who)
    sessions = [box for box in app.selectbox if box.label == "Session"]
    assert sessions and "Our playground" in sessions[0].options[0]
    names = list(roster_editor(app).value["name"])
    assert "Petrović, Ana" in names and "Ilić, Marko" in names
    assert "Not marked yet: **2**" in texts(app)


def test_facilitator_marks_late_with_a_note(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = open_page(db, world, "attendance")
    editor = roster_editor(app)
    row = list(editor.value["name"]).index("Petrović, Ana")
    app.session_state[editor.key] = {
        "edited_rows": {row: {"status": "late", "note": "The bus was late"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    button(app, "Save").click().run()
    assert not app.exception, app.exception
    assert any("attendance of 1 child was saved" in item.value for item in app.success)
    saved = records(db, occurrence)
    assert set(saved) == {world.own_pupil.id}
    assert saved[world.own_pupil.id].status == AttendanceStatus.LATE
    assert saved[world.own_pupil.id].note == "The bus was late"


def test_mark_all_present(db: Session, world: World, occurrence: Occurrence) -> None:
    app = open_page(db, world, "attendance")
    button(app, "Mark all present").click().run()
    assert not app.exception, app.exception
    assert any("2 children were marked present" in item.value for item in app.success)
    saved = records(db, occurrence)
    assert len(saved) == 2
    assert {row.status for row in saved.values()} == {AttendanceStatus.PRESENT}


def test_closing_marks_the_unmarked_absent(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    db.add(
        Attendance(
            occurrence_id=occurrence.id,
            child_id=world.own_pupil.id,
            status=AttendanceStatus.PRESENT,
            method=AttendanceMethod.ROSTER,
        )
    )
    db.commit()
    app = open_page(db, world, "attendance")
    assert "1 child without a status is then marked absent" in texts(app)
    button(app, "Close the attendance").click().run()
    assert not app.exception, app.exception
    assert any("1 child without a status was marked absent" in item.value for item in app.success)
    saved = records(db, occurrence)
    assert saved[world.own_pupil.id].status == AttendanceStatus.PRESENT
    absent = [row for child, row in saved.items() if child != world.own_pupil.id]
    assert [row.status for row in absent] == [AttendanceStatus.ABSENT]
    assert absent[0].method == AttendanceMethod.AUTOMATIC
    status = db.scalar(select(Occurrence.status).where(Occurrence.id == occurrence.id))
    assert status == OccurrenceStatus.CLOSED
    assert button(app, "Reopen the attendance")


def test_school_coordinator_cannot_reach_the_attendance_page(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = signed_in_app(db, world.users()[USER_FOR_ROLE[Role.SCHOOL_COORDINATOR]])
    db.rollback()
    with pytest.raises(ValueError):
        app.switch_page(PAGES.format("attendance")).run()


def test_printable_sheet_is_offered(db: Session, world: World, occurrence: Occurrence) -> None:
    app = open_page(db, world, "attendance")
    labels = [item.label for item in app.get("download_button")]
    assert "Print the attendance sheet" in labels
    assert {"Download CSV", "Download Excel"} <= set(labels)


def test_involvement_page_shows_the_indicator_and_a_chart(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = open_page(db, world, "involvement", "admin")
    table = [item.value for item in app.dataframe if "Share" in item.value.columns]
    assert table, "the indicator table is shown"
    assert "Parliament A" in list(table[0]["Group"])
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart"), "a chart is drawn"
    assert "Download CSV" in [item.label for item in app.get("download_button")]


@pytest.mark.parametrize("who", ["facilitator", "coordinator"])
def test_involvement_page_opens_for_facilitators_and_coordinators(
    db: Session, world: World, occurrence: Occurrence, who: str
) -> None:
    app = open_page(db, world, "involvement", who)
    assert app.title[0].value == "Parental involvement"


def test_administrator_adds_a_walk_in(db: Session, world: World, occurrence: Occurrence) -> None:
    app = open_page(db, world, "attendance", "admin")
    search = [item for item in app.text_input if item.label == "Search by name"]
    search[0].input("Blerta").run()
    assert not app.exception, app.exception
    button(app, "Add the walk-in").click().run()
    assert not app.exception, app.exception
    assert any("was added as a walk-in" in item.value for item in app.success)
    saved = records(db, occurrence)
    assert saved[world.other_pupil.id].walk_in
    assert "Krasniqi, Blerta (walk-in)" in list(roster_editor(app).value["name"])


def test_paper_sheet_is_typed_in_all_at_once(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = open_page(db, world, "attendance", "admin")
    sheet = next(item for item in app.data_editor if item.key.startswith("paper_sheet_"))
    walk_ins = next(item for item in app.data_editor if item.key.startswith("paper_walk_ins_"))
    row = list(sheet.value["name"]).index("Petrović, Ana")
    app.session_state[sheet.key] = {
        "edited_rows": {row: {"status": "excused", "note": "Ill"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.session_state[walk_ins.key] = {
        "edited_rows": {},
        "added_rows": [{"id": world.other_pupil.id, "status": "present"}],
        "deleted_rows": [],
    }
    button(app, "Save the sheet").click().run()
    assert not app.exception, app.exception
    assert any("2 records were created or changed" in item.value for item in app.success)
    saved = records(db, occurrence)
    assert saved[world.own_pupil.id].status == AttendanceStatus.EXCUSED
    assert saved[world.own_pupil.id].method == AttendanceMethod.PAPER
    assert saved[world.other_pupil.id].walk_in


def test_guardian_involvement_is_recorded_removed_and_on_the_timeline(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    app = open_page(db, world, "attendance")
    [child] = [item for item in app.selectbox if item.label == "Child whose guardian took part"]
    child.set_value(world.own_pupil.id).run()
    assert "No guardian of this child is recorded for this session yet." in texts(app)
    button(app, "Record the guardian's involvement").click().run()
    assert not app.exception, app.exception
    assert any("Accompanied the child" in item.value for item in app.success)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(GuardianInvolvement)) == 1

    timeline = open_page(db, world, "involvement", "admin")
    [child] = [item for item in timeline.selectbox if item.label == "Child"]
    child.set_value(world.own_pupil.id).run()
    assert not timeline.exception, timeline.exception
    entries = [item.value for item in timeline.dataframe if "What" in item.value.columns]
    assert entries and any("Accompanied the child" in text for text in entries[0]["What"])

    assert "Accompanied the child" in "\n".join(str(item.value) for item in app.get("markdown"))
    button(app, "Remove").click().run()
    assert not app.exception, app.exception
    db.rollback()
    assert db.scalar(select(func.count()).select_from(GuardianInvolvement)) == 0


@pytest.mark.parametrize("page", ["attendance", "involvement"])
def test_pages_open_in_serbian(
    db: Session, world: World, occurrence: Occurrence, page: str
) -> None:
    app = signed_in_app(db, world.admin, "sr")
    db.rollback()
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception, app.exception


@pytest.mark.parametrize("page", ["attendance", "involvement"])
def test_pages_open_without_any_session(db: Session, world: World, page: str) -> None:
    app = open_page(db, world, page)
    assert app.title
