"""Attendance: the roster, marking and corrections, walk-ins, closing, scans (idempotent and
race-safe), the paper sheet and its bulk entry, exports and the command line. Every database test
runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.cli.attendance import attendance_command
from parliament_app.core import config
from parliament_app.core.actors import OPERATOR
from parliament_app.core.config import Settings
from parliament_app.core.db import session_factory
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Municipality,
    Role,
    Venue,
)
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    ScanResult,
)
from parliament_app.models.meetings import (
    Occurrence,
    OccurrenceStaff,
    OccurrenceStatus,
    SessionKind,
)
from sessions.attendance import roster as attendance
from sessions.attendance.roster import (
    NotOnRoster,
    add_walk_in,
    attendance_rows,
    bulk_entry,
    close_occurrence,
    export_csv,
    export_xlsx,
    mark,
    mark_all_present,
    record_check_in,
    reopen_occurrence,
    roster,
    undo_check_in,
)
from sessions.attendance.sheet import attendance_sheet_html
from tests.factories import World, build_world, make_child, make_user

START = datetime(2025, 10, 6, 15, 0, tzinfo=UTC)  # 17:00 in Belgrade
ENROLLED_SINCE = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
P, L, E, A, LE = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
    AttendanceStatus.LEFT_EARLY,
)


@pytest.fixture
def settings_on(settings: Settings) -> Settings:
    return dataclasses.replace(settings, late_after_minutes=10, absent_on_close=True)


@pytest.fixture
def world(db: Session) -> World:
    world = build_world(db)
    db.execute(update(Enrolment).values(created_at=ENROLLED_SINCE))
    db.flush()
    return world


@pytest.fixture
def kids(db: Session, world: World) -> list[Child]:
    """Four more children enrolled in the facilitator's group (five with ``own_pupil``)."""
    children = [world.own_pupil]
    for index, family in enumerate(("Jovanović", "Nikolić", "Hoxha", "Ristić")):
        child = make_child(db, f"Kid{index}", family, world.school, world.municipality)
        db.add(
            Enrolment(
                group_id=world.group.id,
                child_id=child.id,
                status=EnrolmentStatus.ACTIVE,
                created_at=ENROLLED_SINCE,
            )
        )
        children.append(child)
    db.flush()
    return children


def make_occurrence(
    db: Session, world: World, starts_at: datetime = START, **changes
) -> Occurrence:
    occurrence = Occurrence(
        group_id=world.group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic=changes.pop("topic", "Children's rights"),
        starts_at=starts_at,
        duration_minutes=90,
        **changes,
    )
    db.add(occurrence)
    db.flush()
    return occurrence


@pytest.fixture
def occurrence(db: Session, world: World) -> Occurrence:
    return make_occurrence(db, world)


def records(db: Session, occurrence: Occurrence) -> dict[int, Attendance]:
    rows = db.scalars(
        select(Attendance)
        .where(Attendance.occurrence_id == occurrence.id)
        .execution_options(populate_existing=True)
    )
    return {row.child_id: row for row in rows}


def audits(db: Session, record_type: str = "attendance", action: AuditAction | None = None):
    query = select(AuditEntry).where(AuditEntry.record_type == record_type)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(db.scalars(query.order_by(AuditEntry.id)))


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine, self.count = engine, 0

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.count += 1


# --- the roster ------------------------------------------------------------------------------


def test_roster_lists_enrolled_children_and_walk_ins(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence
) -> None:
    rows = roster(db, world.facilitator, occurrence.id)
    assert [row.child_id for row in rows] == sorted(
        (child.id for child in kids),
        key=lambda cid: next(
            (c.family_name.casefold(), c.given_name.casefold()) for c in kids if c.id == cid
        ),
    )
    assert all(row.enrolled and not row.walk_in and row.status is None for row in rows)

    add_walk_in(db, world.facilitator, occurrence.id, world.other_pupil.id)
    mark(db, world.facilitator, occurrence.id, world.own_pupil.id, E, note="ill")
    rows = {row.child_id: row for row in roster(db, world.facilitator, occurrence.id)}
    assert len(rows) == 6
    walk_in = rows[world.other_pupil.id]
    assert (walk_in.enrolled, walk_in.walk_in, walk_in.status) == (False, True, P)
    own = rows[world.own_pupil.id]
    assert (own.status, own.method, own.note) == (E, AttendanceMethod.ROSTER, "ill")


def test_roster_takes_a_constant_number_of_queries(
    db: Session, engine: Engine, world: World, occurrence: Occurrence
) -> None:
    db.flush()
    db.expire_all()
    with QueryCounter(engine) as small:
        assert len(roster(db, world.admin, occurrence.id)) == 1
    for index in range(8):
        child = make_child(db, f"Extra{index}", "Marković", world.school, world.municipality)
        db.add(
            Enrolment(
                group_id=world.group.id,
                child_id=child.id,
                status=EnrolmentStatus.ACTIVE,
                created_at=ENROLLED_SINCE,
            )
        )
    db.flush()
    db.expire_all()
    with QueryCounter(engine) as large:
        rows = roster(db, world.admin, occurrence.id)
    assert len(rows) == 9
    assert large.count == small.count <= 4  # occurrence, user, leader check, rows


def test_roster_is_the_enrolment_at_the_occurrence(db: Session, world: World) -> None:
    past = make_occurrence(db, world, START)
    made = {}
    # With a status history: ended after the occurrence (on it), ended before (not), promoted from
    # the waiting list only after the occurrence (not), still waiting (not).
    history = {
        "ended_after": [("active", -30), ("ended", +10)],
        "ended_before": [("active", -30), ("ended", -1)],
        "promoted_late": [("waiting", -30), ("active", +2)],
        "waiting": [("waiting", -30)],
        "enrolled_the_same_hour": [("active", 0)],
    }
    for name, events in history.items():
        child = make_child(db, name, "History", world.school, world.municipality)
        status = EnrolmentStatus(events[-1][0])
        enrolment = Enrolment(
            group_id=world.group.id,
            child_id=child.id,
            status=status,
            created_at=START + timedelta(days=events[0][1]),
        )
        db.add(enrolment)
        db.flush()
        for event_status, days in events:
            db.add(
                EnrolmentEvent(
                    enrolment_id=enrolment.id,
                    status=EnrolmentStatus(event_status),
                    at=START + timedelta(days=days),
                    note="x",
                )
            )
        made[name] = child.id
    # Without history (rows made directly): ended before the occurrence.
    gone = make_child(db, "gone", "NoHistory", world.school, world.municipality)
    db.add(
        Enrolment(
            group_id=world.group.id,
            child_id=gone.id,
            status=EnrolmentStatus.ENDED,
            created_at=ENROLLED_SINCE,
            ended_at=START - timedelta(days=3),
        )
    )
    db.flush()
    ids = {row.child_id for row in roster(db, world.facilitator, past.id)}
    assert made["ended_after"] in ids
    assert made["enrolled_the_same_hour"] in ids
    assert world.own_pupil.id in ids
    assert not ids & {made["ended_before"], made["promoted_late"], made["waiting"], gone.id}


# --- marking and corrections -----------------------------------------------------------------


def test_mark_then_correct_is_audited_with_before_and_after(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    child_id = world.own_pupil.id
    row = mark(db, world.facilitator, occurrence.id, child_id, P)
    assert (row.status, row.method, row.marked_by_id) == (
        P,
        AttendanceMethod.ROSTER,
        world.facilitator.id,
    )
    [created] = audits(db, action=AuditAction.CREATE)
    assert created.detail["status"] == "present"

    corrected = mark(db, world.facilitator, occurrence.id, child_id, "left_early", note="bus")
    assert corrected.id == row.id and corrected.status == LE and corrected.note == "bus"
    [correction] = audits(db, action=AuditAction.UPDATE)
    assert correction.record_id == str(row.id)
    assert correction.detail["before"] == "present"
    assert correction.detail["after"] == "left_early"
    assert correction.detail["correction"] is True
    text = repr(correction.detail) + repr(created.detail)
    assert world.own_pupil.given_name not in text and world.own_pupil.family_name not in text

    mark(db, world.facilitator, occurrence.id, child_id, LE)  # note None: kept, nothing changed
    assert records(db, occurrence)[child_id].note == "bus"
    assert len(audits(db, action=AuditAction.UPDATE)) == 1
    assert db.scalar(select(func.count()).select_from(Attendance)) == 1


def test_mark_refuses_children_not_on_the_roster_and_bad_input(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    with pytest.raises(NotOnRoster):
        mark(db, world.facilitator, occurrence.id, world.other_pupil.id, P)
    with pytest.raises(ValidationError):
        mark(db, world.facilitator, occurrence.id, world.own_pupil.id, "sleeping")
    with pytest.raises(ValidationError):
        mark(db, world.facilitator, occurrence.id, world.own_pupil.id, P, note="x" * 301)
    with pytest.raises(NotFound):
        mark(db, world.facilitator, 999_999, world.own_pupil.id, P)
    occurrence.status = OccurrenceStatus.CANCELLED
    with pytest.raises(ValidationError):
        mark(db, world.facilitator, occurrence.id, world.own_pupil.id, P)
    assert records(db, occurrence) == {}


def test_attendance_is_unique_per_child_and_occurrence_in_the_database(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    def row() -> Attendance:
        return Attendance(
            occurrence_id=occurrence.id,
            child_id=world.own_pupil.id,
            status=P,
            method=AttendanceMethod.ROSTER,
        )

    db.add(row())
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(row())
        db.flush()


def test_mark_all_present_touches_only_the_unmarked(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence, settings_on: Settings
) -> None:
    excused, scanned, *rest = kids
    mark(db, world.facilitator, occurrence.id, excused.id, E)
    record_check_in(
        db,
        occurrence,
        scanned.id,
        method=AttendanceMethod.BADGE_SCAN,
        at=START + timedelta(minutes=25),
        actor=world.facilitator,
        settings=settings_on,
    )
    assert mark_all_present(db, world.facilitator, occurrence.id) == len(rest)
    rows = records(db, occurrence)
    assert rows[excused.id].status == E
    assert (rows[scanned.id].status, rows[scanned.id].method) == (L, AttendanceMethod.BADGE_SCAN)
    assert all(rows[child.id].status == P for child in rest)
    [entry] = [a for a in audits(db) if a.detail.get("operation") == "mark_all_present"]
    assert sorted(entry.detail["child_ids"]) == sorted(child.id for child in rest)
    assert mark_all_present(db, world.facilitator, occurrence.id) == 0


# --- walk-ins --------------------------------------------------------------------------------


def test_walk_in(db: Session, world: World, occurrence: Occurrence) -> None:
    row = add_walk_in(db, world.facilitator, occurrence.id, world.other_pupil.id)
    assert (row.walk_in, row.status, row.method) == (True, P, AttendanceMethod.ROSTER)
    assert add_walk_in(db, world.facilitator, occurrence.id, world.other_pupil.id).id == row.id
    assert len(audits(db, action=AuditAction.CREATE)) == 1
    # Now on the roster: the facilitator can correct the walk-in's status.
    assert mark(db, world.facilitator, occurrence.id, world.other_pupil.id, LE).status == LE

    with pytest.raises(ValidationError):  # enrolled: mark on the roster instead
        add_walk_in(db, world.facilitator, occurrence.id, world.own_pupil.id)
    elsewhere = Municipality(country_code="RS", name="Far Away")
    db.add(elsewhere)
    db.flush()
    stranger = make_child(db, "Far", "Away", None, elsewhere)
    with pytest.raises(NotFound):
        add_walk_in(db, world.facilitator, occurrence.id, stranger.id)
    with pytest.raises(NotFound):
        add_walk_in(db, world.facilitator, occurrence.id, 987_654)
    assert add_walk_in(db, world.admin, occurrence.id, stranger.id).walk_in  # admins see all


# --- closing ---------------------------------------------------------------------------------


def test_close_marks_the_unmarked_absent(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence, settings_on: Settings
) -> None:
    mark(db, world.facilitator, occurrence.id, kids[0].id, P)
    add_walk_in(db, world.facilitator, occurrence.id, world.other_pupil.id)
    now = START + timedelta(hours=2)
    assert (
        close_occurrence(db, world.facilitator, occurrence.id, settings=settings_on, now=now) == 4
    )
    assert (occurrence.status, occurrence.closed_at) == (OccurrenceStatus.CLOSED, now)
    rows = records(db, occurrence)
    assert rows[kids[0].id].status == P
    assert rows[world.other_pupil.id].status == P
    for child in kids[1:]:
        assert (rows[child.id].status, rows[child.id].method) == (A, AttendanceMethod.AUTOMATIC)
    [entry] = audits(db, "occurrence")
    assert (entry.action, entry.detail["after"], entry.detail["absent_marked"]) == (
        AuditAction.UPDATE,
        "closed",
        4,
    )
    # Closing again changes nothing; corrections stay possible after closing.
    assert close_occurrence(db, world.facilitator, occurrence.id, settings=settings_on) == 0
    assert mark(db, world.facilitator, occurrence.id, kids[1].id, E).status == E

    assert reopen_occurrence(db, world.facilitator, occurrence.id) == 3
    assert occurrence.status == OccurrenceStatus.SCHEDULED and occurrence.closed_at is None
    assert set(records(db, occurrence)) == {kids[0].id, kids[1].id, world.other_pupil.id}
    with pytest.raises(ValidationError):
        reopen_occurrence(db, world.facilitator, occurrence.id)


def test_close_without_absent_on_close(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence, settings: Settings
) -> None:
    off = dataclasses.replace(settings, absent_on_close=False)
    assert (
        close_occurrence(
            db, world.facilitator, occurrence.id, settings=off, now=START + timedelta(hours=2)
        )
        == 0
    )
    assert occurrence.status == OccurrenceStatus.CLOSED
    assert records(db, occurrence) == {}


def test_close_reads_the_configured_settings(
    db: Session,
    world: World,
    kids: list[Child],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    off = dataclasses.replace(settings, absent_on_close=False)
    monkeypatch.setattr(attendance, "get_settings", lambda: off)
    first = make_occurrence(db, world)
    assert close_occurrence(db, world.admin, first.id) == 0
    monkeypatch.setattr(
        attendance, "get_settings", lambda: dataclasses.replace(off, absent_on_close=True)
    )
    second = make_occurrence(db, world, START + timedelta(days=7))
    assert close_occurrence(db, world.admin, second.id) == len(kids)


def test_close_refuses_future_and_cancelled_sessions(
    db: Session, world: World, settings_on: Settings
) -> None:
    future = make_occurrence(db, world, datetime.now(UTC) + timedelta(days=2))
    with pytest.raises(ValidationError):
        close_occurrence(db, world.facilitator, future.id, settings=settings_on)
    cancelled = make_occurrence(db, world, status=OccurrenceStatus.CANCELLED)
    with pytest.raises(ValidationError):
        close_occurrence(db, world.facilitator, cancelled.id, settings=settings_on)


# --- scans and self check-ins ----------------------------------------------------------------


def test_check_in_is_present_up_to_the_threshold_and_late_after(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence, settings_on: Settings
) -> None:
    def scan(child: Child, at: datetime):
        return record_check_in(
            db,
            occurrence,
            child.id,
            method=AttendanceMethod.BADGE_SCAN,
            at=at,
            actor=world.facilitator,
            device="tablet-1",
            settings=settings_on,
        )

    early, on_the_dot, just_late = kids[:3]
    assert scan(early, START - timedelta(minutes=5))[1].status == P
    result, row = scan(on_the_dot, START + timedelta(minutes=10))
    assert (result, row.status) == ("checked_in", P)
    result, row = scan(just_late, START + timedelta(minutes=10, seconds=1))
    assert (result, row.status, row.checked_in_at) == (
        "checked_in",
        L,
        START + timedelta(minutes=10, seconds=1),
    )
    assert row.method == AttendanceMethod.BADGE_SCAN and not row.walk_in

    # A retry (or the second device) is harmless.
    again, same = scan(just_late, START + timedelta(minutes=30))
    assert again == ScanResult.ALREADY_CHECKED_IN == "already_checked_in"
    assert same.id == row.id and same.status == L
    assert len(records(db, occurrence)) == 3
    created = audits(db, action=AuditAction.CREATE)
    assert len(created) == 3 and created[0].detail["device"] == "tablet-1"

    custom = dataclasses.replace(settings_on, late_after_minutes=30)
    _, row = record_check_in(
        db,
        occurrence,
        kids[3].id,
        method="self_check_in",
        at=START + timedelta(minutes=25),
        actor=None,
        settings=custom,
    )
    assert (row.status, row.marked_by_id) == (P, None)
    assert audits(db, action=AuditAction.CREATE)[-1].actor == "anonymous"


@pytest.mark.parametrize("marked", [E, A])
def test_a_check_in_corrects_an_absence_and_says_what_it_was(
    db: Session, world: World, occurrence: Occurrence, settings_on: Settings, marked
) -> None:
    """The child came after all: the scan is proof, the earlier mark was wrong."""
    mark(db, world.facilitator, occurrence.id, world.own_pupil.id, marked, note="dentist")
    result, row = record_check_in(
        db,
        occurrence,
        world.own_pupil.id,
        method=AttendanceMethod.SELF_CHECK_IN,
        at=START + timedelta(minutes=40),
        actor=None,
        settings=settings_on,
    )
    assert result == "checked_in"
    assert (row.status, row.method, row.note) == (L, AttendanceMethod.SELF_CHECK_IN, "dentist")
    correction = audits(db, action=AuditAction.UPDATE)[-1]
    assert (correction.detail["before"], correction.detail["after"]) == (marked.value, "late")
    assert correction.detail["correction"] is True


@pytest.mark.parametrize("marked", [P, L, LE])
def test_a_check_in_never_changes_a_child_marked_as_there(
    db: Session, world: World, occurrence: Occurrence, settings_on: Settings, marked
) -> None:
    mark(db, world.facilitator, occurrence.id, world.own_pupil.id, marked, note="note")
    result, row = record_check_in(
        db,
        occurrence,
        world.own_pupil.id,
        method=AttendanceMethod.SELF_CHECK_IN,
        at=START + timedelta(minutes=40),
        actor=None,
        settings=settings_on,
    )
    assert result == "already_checked_in"
    assert (row.status, row.method, row.note) == (marked, AttendanceMethod.ROSTER, "note")


def test_check_in_refuses_children_not_on_the_roster(
    db: Session, world: World, occurrence: Occurrence, settings_on: Settings
) -> None:
    def scan():
        return record_check_in(
            db,
            occurrence,
            world.other_pupil.id,
            method=AttendanceMethod.BADGE_SCAN,
            at=START,
            actor=None,
            settings=settings_on,
        )

    with pytest.raises(NotOnRoster):
        scan()
    assert records(db, occurrence) == {}
    add_walk_in(db, world.facilitator, occurrence.id, world.other_pupil.id)
    assert scan()[0] == "already_checked_in"
    with pytest.raises(ValueError):
        record_check_in(
            db,
            occurrence,
            world.own_pupil.id,
            method=AttendanceMethod.PAPER,
            at=START,
            actor=None,
            settings=settings_on,
        )


def test_offline_scans_entered_after_closing(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence, settings_on: Settings
) -> None:
    close_occurrence(
        db, world.facilitator, occurrence.id, settings=settings_on, now=START + timedelta(hours=2)
    )
    with pytest.raises(ValidationError):  # live scans stop when the session is closed
        record_check_in(
            db,
            occurrence,
            kids[0].id,
            method=AttendanceMethod.BADGE_SCAN,
            at=START + timedelta(hours=3),
            actor=None,
            settings=settings_on,
        )
    mark(db, world.facilitator, occurrence.id, kids[1].id, E)
    for _attempt in range(2):  # the scanner's log imported twice
        record_check_in(
            db,
            occurrence,
            kids[0].id,
            method=AttendanceMethod.OFFLINE_SCAN,
            at=START + timedelta(minutes=12),
            actor=world.facilitator,
            settings=settings_on,
        )
        record_check_in(
            db,
            occurrence,
            kids[1].id,
            method=AttendanceMethod.OFFLINE_SCAN,
            at=START + timedelta(minutes=1),
            actor=world.facilitator,
            settings=settings_on,
        )
    rows = records(db, occurrence)
    assert len(rows) == len(kids)
    assert (rows[kids[0].id].status, rows[kids[0].id].method) == (L, AttendanceMethod.OFFLINE_SCAN)
    assert rows[kids[1].id].status == P  # the scanner saw the child: the excuse was wrong
    assert rows[kids[2].id].method == AttendanceMethod.AUTOMATIC


def test_undo_self_check_in(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence, settings_on: Settings
) -> None:
    _, row = record_check_in(
        db,
        occurrence,
        kids[0].id,
        method=AttendanceMethod.SELF_CHECK_IN,
        at=START,
        actor=None,
        settings=settings_on,
    )
    undo_check_in(db, world.facilitator, occurrence.id, kids[0].id)
    assert records(db, occurrence) == {}
    [entry] = audits(db, action=AuditAction.DELETE)
    assert (entry.record_id, entry.detail["method"]) == (str(row.id), "self_check_in")
    with pytest.raises(NotFound):
        undo_check_in(db, world.facilitator, occurrence.id, kids[0].id)
    record_check_in(
        db,
        occurrence,
        kids[1].id,
        method=AttendanceMethod.BADGE_SCAN,
        at=START,
        actor=world.facilitator,
        settings=settings_on,
    )
    with pytest.raises(ValidationError):
        undo_check_in(db, world.facilitator, occurrence.id, kids[1].id)
    # After an undo, the child can check in again.
    assert (
        record_check_in(
            db,
            occurrence,
            kids[0].id,
            method=AttendanceMethod.SELF_CHECK_IN,
            at=START,
            actor=None,
            settings=settings_on,
        )[0]
        == "checked_in"
    )


def test_simultaneous_scans_on_many_devices_leave_one_record_per_child(
    db: Session, engine: Engine, world: World, kids: list[Child], settings_on: Settings
) -> None:
    occurrence = make_occurrence(db, world)
    occurrence_id, child_ids = occurrence.id, [child.id for child in kids]
    db.commit()
    factory = session_factory(engine)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results: list[tuple[int, str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def device(seed: int) -> None:
        order = child_ids[:]
        random.Random(seed).shuffle(order)
        try:
            barrier.wait(timeout=30)
            for child_id in order:
                with factory() as session:
                    scanned = session.get(Occurrence, occurrence_id)
                    result, row = record_check_in(
                        session,
                        scanned,
                        child_id,
                        method=AttendanceMethod.BADGE_SCAN,
                        at=START + timedelta(minutes=seed),
                        actor=None,
                        device=f"device-{seed}",
                        settings=settings_on,
                    )
                    session.commit()
                    with lock:
                        results.append((child_id, str(result), row.id))
        except BaseException as error:  # reported by the main thread
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=device, args=(seed,)) for seed in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == threads_count * len(child_ids)

    db.expire_all()
    rows = records(db, occurrence)
    assert sorted(rows) == sorted(child_ids)
    for child_id in child_ids:
        outcomes = Counter(result for cid, result, _ in results if cid == child_id)
        assert outcomes == {"checked_in": 1, "already_checked_in": threads_count - 1}
        assert {row_id for cid, _, row_id in results if cid == child_id} == {rows[child_id].id}
    assert len(audits(db, action=AuditAction.CREATE)) == len(child_ids)


# --- the paper sheet and bulk entry ----------------------------------------------------------


def test_bulk_entry_writes_the_sheet(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence, settings_on: Settings
) -> None:
    record_check_in(
        db,
        occurrence,
        kids[0].id,
        method=AttendanceMethod.BADGE_SCAN,
        at=START,
        actor=world.facilitator,
        settings=settings_on,
    )
    entries = {
        kids[0].id: P,
        kids[1].id: L,
        kids[2].id: "absent",
        kids[3].id: E,
        world.other_pupil.id: LE,
    }
    written = bulk_entry(
        db,
        world.facilitator,
        occurrence.id,
        entries,
        notes={kids[3].id: "sick note"},
        walk_ins=[world.other_pupil.id],
    )
    assert written == 4  # kids[0] was already present
    rows = records(db, occurrence)
    assert rows[kids[0].id].method == AttendanceMethod.BADGE_SCAN
    assert {rows[k.id].method for k in kids[1:4]} == {AttendanceMethod.PAPER}
    assert rows[kids[3].id].note == "sick note"
    assert rows[world.other_pupil.id].walk_in and rows[world.other_pupil.id].status == LE
    assert kids[4].id not in rows  # not on the sheet: left unmarked

    # Typing the sheet in again changes nothing; a changed box is an audited correction.
    assert bulk_entry(db, world.facilitator, occurrence.id, entries) == 0
    assert bulk_entry(db, world.facilitator, occurrence.id, {kids[1].id: P}) == 1
    correction = audits(db, action=AuditAction.UPDATE)[-1]
    assert (correction.detail["before"], correction.detail["after"]) == ("late", "present")
    assert records(db, occurrence)[kids[1].id].method == AttendanceMethod.PAPER


def test_bulk_entry_is_all_or_nothing(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence
) -> None:
    good = {child.id: P for child in kids}
    with pytest.raises(ValidationError) as refused:
        bulk_entry(db, world.facilitator, occurrence.id, {**good, world.other_pupil.id: P})
    assert str(world.other_pupil.id) in refused.value.message
    assert world.other_pupil.family_name not in refused.value.message
    with pytest.raises(ValidationError):
        bulk_entry(db, world.facilitator, occurrence.id, {**good, 424_242: P}, walk_ins=[424_242])
    with pytest.raises(ValidationError):
        bulk_entry(db, world.facilitator, occurrence.id, {**good, kids[0].id: "sleeping"})
    assert records(db, occurrence) == {}
    assert audits(db) == []
    assert bulk_entry(db, world.facilitator, occurrence.id, good) == len(kids)


def test_attendance_sheet_html(
    db: Session, world: World, kids: list[Child], occurrence: Occurrence
) -> None:
    venue = Venue(name="Dom <omladine>", address="Trg 1", municipality_id=world.municipality.id)
    db.add(venue)
    db.flush()
    occurrence.venue_id = venue.id
    kids[1].given_name = "<script>alert(1)</script>"
    add_walk_in(db, world.facilitator, occurrence.id, world.other_pupil.id)
    db.flush()
    page = attendance_sheet_html(db, world.facilitator, occurrence.id, "en", blank_rows=4)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "size: A4" in page
    for label in (
        "Attendance sheet",
        "Present",
        "Late",
        "Excused",
        "Absent",
        "Left early",
        "Note",
        "Parliament A",
        "Children&#x27;s rights",
    ):
        assert label in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Dom &lt;omladine&gt;, Trg 1" in page
    assert page.count('<tr class="blank">') == 4
    assert page.count('<td class="status"><span></span></td>') == 5 * (len(kids) + 1 + 4)
    assert "(walk-in)" in page

    serbian = attendance_sheet_html(db, world.facilitator, occurrence.id, "sr")
    assert '<html lang="sr">' in serbian
    assert "Група" in serbian and "октобар" in serbian  # translated label, local date
    assert "Група" not in attendance_sheet_html(db, world.facilitator, occurrence.id, "sq")


# --- permissions -----------------------------------------------------------------------------


ACTIONS = {
    "roster": lambda db, user, occ, child: roster(db, user, occ),
    "mark": lambda db, user, occ, child: mark(db, user, occ, child, P),
    "mark_all_present": lambda db, user, occ, child: mark_all_present(db, user, occ),
    "add_walk_in": lambda db, user, occ, child: add_walk_in(db, user, occ, child),
    "close": lambda db, user, occ, child: close_occurrence(
        db, user, occ, now=START + timedelta(hours=2)
    ),
    "reopen": lambda db, user, occ, child: reopen_occurrence(db, user, occ),
    "undo": lambda db, user, occ, child: undo_check_in(db, user, occ, child),
    "bulk_entry": lambda db, user, occ, child: bulk_entry(db, user, occ, {child: P}),
    "sheet": lambda db, user, occ, child: attendance_sheet_html(db, user, occ, "en"),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_sessions_facilitators_and_administrators_take_attendance(
    db: Session, world: World, occurrence: Occurrence, action: str
) -> None:
    refused = [
        world.other_facilitator,  # a facilitator who does not lead the group
        world.coordinator,  # the child's own school coordinator
        world.social_worker,
        make_user(db, "sleeping_admin", Role.ADMINISTRATOR, None, active=False),
    ]
    for user in refused:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](db, user, occurrence.id, world.own_pupil.id)
    assert records(db, occurrence) == {}
    assert occurrence.status == OccurrenceStatus.SCHEDULED


def test_a_facilitator_staffing_the_session_may_take_attendance(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    db.add(OccurrenceStaff(occurrence_id=occurrence.id, user_id=world.other_facilitator.id))
    db.flush()
    assert mark(db, world.other_facilitator, occurrence.id, world.own_pupil.id, P).status == P
    assert mark(db, world.admin, occurrence.id, world.own_pupil.id, L).status == L


def test_takeable_occurrences_agrees_with_may_take_attendance(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    elsewhere = Group(
        kind=GroupKind.WORKSHOP_SERIES,
        name="Workshops B",
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
    )
    db.add(elsewhere)
    db.flush()
    db.add(GroupLeader(group_id=elsewhere.id, user_id=world.other_facilitator.id))
    staffed, unstaffed = (
        Occurrence(
            group_id=elsewhere.id,
            kind=SessionKind.PEER_LEARNING,
            topic="Safety online",
            starts_at=START + timedelta(days=days),
            duration_minutes=90,
        )
        for days in (1, 2)
    )
    db.add_all([staffed, unstaffed])
    db.flush()
    db.add(OccurrenceStaff(occurrence_id=staffed.id, user_id=world.facilitator.id))
    db.flush()
    occurrences = [unstaffed, occurrence, staffed]
    sleeping = make_user(db, "sleeping_facilitator", Role.FACILITATOR, world.ngo, active=False)

    for user in [*world.users().values(), sleeping, None]:
        expected = [item for item in occurrences if attendance.may_take_attendance(db, user, item)]
        assert attendance.takeable_occurrences(db, user, occurrences) == expected
    assert attendance.takeable_occurrences(db, world.facilitator, occurrences) == [
        occurrence,
        staffed,
    ]


# --- exports ---------------------------------------------------------------------------------


@pytest.fixture
def exported(db: Session, world: World, kids: list[Child]) -> dict[str, Occurrence]:
    first = make_occurrence(db, world, topic='=HYPERLINK("http://x")')
    second = make_occurrence(db, world, START + timedelta(days=7), topic="Budgets")
    bulk_entry(db, world.facilitator, first.id, {kids[0].id: P, kids[1].id: A})
    add_walk_in(db, world.facilitator, second.id, world.other_pupil.id)
    outside = make_occurrence(db, world, START + timedelta(days=60), topic="Later")
    mark(db, world.facilitator, outside.id, kids[0].id, P)
    return {"first": first, "second": second}


def test_export_rows_and_csv(
    db: Session, world: World, kids: list[Child], exported: dict[str, Occurrence]
) -> None:
    rows = attendance_rows(db, world.facilitator, date(2025, 10, 1), date(2025, 10, 31))
    assert [
        (row.occurrence_id, row.child_id, row.status, row.method, row.walk_in) for row in rows
    ] == sorted(
        [
            (exported["first"].id, kids[0].id, "present", "paper", False),
            (exported["first"].id, kids[1].id, "absent", "paper", False),
            (exported["second"].id, world.other_pupil.id, "present", "roster", True),
        ],
        key=lambda item: (
            item[0] != exported["first"].id,
            next(c.family_name for c in [*kids, world.other_pupil] if c.id == item[1]),
        ),
    )
    assert rows[0].date == date(2025, 10, 6) and rows[0].group == "Parliament A"

    text = export_csv(db, world.facilitator, date(2025, 10, 1), date(2025, 10, 31))
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "date",
        "group",
        "occurrence_id",
        "topic",
        "child_id",
        "given_name",
        "family_name",
        "status",
        "method",
        "walk_in",
    ]
    assert len(table) == 4
    first_row = next(line for line in table[1:] if line[4] == str(kids[0].id))
    assert first_row[0] == "2025-10-06" and first_row[3].startswith("'=")  # no formula
    [entry] = audits(db, action=AuditAction.EXPORT)
    assert entry.detail["rows"] == 3 and entry.detail["format"] == "csv"

    data = export_xlsx(db, world.admin, date(2025, 10, 1), date(2025, 10, 31), world.group.id)
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "date" and len(values) == 4
    assert all(not str(row[3]).startswith("=") for row in values[1:])
    assert len(audits(db, action=AuditAction.EXPORT)) == 2


def test_export_permissions(db: Session, world: World, exported: dict[str, Occurrence]) -> None:
    period = (date(2025, 10, 1), date(2025, 10, 31))
    assert attendance_rows(db, world.other_facilitator, *period) == []
    with pytest.raises(PermissionDenied):
        attendance_rows(db, world.other_facilitator, *period, group_id=world.group.id)
    for who in ("coordinator", "social_worker"):
        with pytest.raises(PermissionDenied):
            export_csv(db, getattr(world, who), *period)
    assert len(attendance_rows(db, world.admin, *period)) == 3
    assert len(attendance_rows(db, OPERATOR, *period)) == 3  # the operator
    with pytest.raises(ValidationError):
        attendance_rows(db, world.admin, date(2025, 10, 31), date(2025, 10, 1))
    assert audits(db, action=AuditAction.EXPORT) == []


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def operator_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", "test-secret-" * 4)
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def test_cli_export(
    db: Session,
    world: World,
    kids: list[Child],
    exported: dict[str, Occurrence],
    operator_env: None,
    tmp_path: Path,
) -> None:
    db.commit()
    runner = CliRunner()
    result = runner.invoke(
        attendance_command,
        ["export", "--from", "2025-10-01", "--to", "2025-10-31", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0][0] == "date" and len(table) == 4

    result = runner.invoke(
        attendance_command,
        [
            "export",
            "--from",
            "2025-10-01",
            "--to",
            "2025-10-31",
            "--group",
            "Parliament A",
            "--format",
            "xlsx",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"PK")
    assert len(list(load_workbook(io.BytesIO(result.stdout_bytes)).active.iter_rows())) == 4

    out = tmp_path / "october.xlsx"
    result = runner.invoke(
        attendance_command,
        [
            "export",
            "--from",
            "2025-10-06",
            "--to",
            "2025-10-06",
            "--group",
            str(world.group.id),
            "--format",
            "xlsx",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(list(load_workbook(out).active.iter_rows())) == 3

    result = runner.invoke(
        attendance_command,
        ["export", "--from", "2025-10-01", "--to", "2025-10-31", "--group", "No such group"],
    )
    assert result.exit_code == 2 and "no single group" in result.output
    result = runner.invoke(
        attendance_command, ["export", "--from", "2025-10-31", "--to", "2025-10-01"]
    )
    assert result.exit_code == 1

    db.expire_all()
    exports = audits(db, action=AuditAction.EXPORT)
    assert [entry.detail["format"] for entry in exports] == ["csv", "xlsx", "xlsx"]
    assert {entry.actor for entry in exports} == {"anonymous"}
