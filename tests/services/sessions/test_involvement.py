"""Parental involvement: recording (idempotent, unique in the database, race-safe), removing,
the family timeline and who sees it, the indicator (counts, scopes, small-cell suppression,
GROUP BY) and its export. Every database test runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core.actors import OPERATOR
from parliament_app.core.db import session_factory
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    ChildGuardian,
    Consent,
    ConsentScope,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Municipality,
)
from parliament_app.models.attendance import (
    AttendanceMethod,
    AttendanceStatus,
    GuardianInvolvement,
    InvolvementRole,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus, SessionKind
from sessions.attendance.roster import add_walk_in, mark
from sessions.involvement import (
    chart_data,
    export_indicator_csv,
    family_timeline,
    involvement_indicator,
    record_involvement,
    remove_involvement,
)
from tests.factories import World, build_world, make_child

START = datetime(2025, 10, 6, 15, 0, tzinfo=UTC)
ENROLLED_SINCE = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
TERM = (date(2025, 9, 1), date(2026, 1, 31))
ACCOMPANIED, WORKSHOP, VOLUNTEERED = (
    InvolvementRole.ACCOMPANIED,
    InvolvementRole.FAMILY_WORKSHOP,
    InvolvementRole.VOLUNTEERED,
)


@pytest.fixture
def world(db: Session) -> World:
    world = build_world(db)
    db.execute(update(Enrolment).values(created_at=ENROLLED_SINCE))
    db.flush()
    return world


def make_occurrence(db: Session, group: Group, starts_at: datetime = START, **changes):
    occurrence = Occurrence(
        group_id=group.id,
        kind=changes.pop("kind", SessionKind.FAMILY_WORKSHOP),
        topic=changes.pop("topic", "Families together"),
        starts_at=starts_at,
        duration_minutes=90,
        **changes,
    )
    db.add(occurrence)
    db.flush()
    return occurrence


def enrol(db: Session, world: World, group: Group, count: int, school=None) -> list[Child]:
    children = []
    for index in range(count):
        child = make_child(
            db,
            f"Kid{index}",
            f"{group.name.split()[0]}{index}",
            school or world.school,
            world.municipality,
        )
        db.add(
            Enrolment(
                group_id=group.id,
                child_id=child.id,
                status=EnrolmentStatus.ACTIVE,
                created_at=ENROLLED_SINCE,
            )
        )
        children.append(child)
    db.flush()
    return children


def guardian_of(db: Session, child: Child) -> int:
    return db.scalar(select(ChildGuardian.guardian_id).where(ChildGuardian.child_id == child.id))


def club(db: Session, world: World, name: str = "Club B") -> Group:
    group = Group(
        kind=GroupKind.OTHER_CLUB,
        name=name,
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
    )
    db.add(group)
    db.flush()
    return group


@pytest.fixture
def occurrence(db: Session, world: World) -> Occurrence:
    return make_occurrence(db, world.group)


def involvement_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(GuardianInvolvement))


# --- recording -------------------------------------------------------------------------------


def test_recording_is_idempotent(db: Session, world: World, occurrence: Occurrence) -> None:
    guardian = guardian_of(db, world.own_pupil)
    first = record_involvement(
        db, world.facilitator, occurrence.id, guardian, ACCOMPANIED, child_id=world.own_pupil.id
    )
    again = record_involvement(db, world.facilitator, occurrence.id, guardian, "accompanied")
    assert again.id == first.id
    assert (first.role, first.method, first.child_id, first.recorded_by_id) == (
        ACCOMPANIED,
        AttendanceMethod.ROSTER,
        world.own_pupil.id,
        world.facilitator.id,
    )
    other_role = record_involvement(
        db, world.facilitator, occurrence.id, guardian, WORKSHOP, method=AttendanceMethod.PAPER
    )
    assert other_role.id != first.id and other_role.method == AttendanceMethod.PAPER
    assert involvement_count(db) == 2
    entries = list(
        db.scalars(select(AuditEntry).where(AuditEntry.record_type == "guardian_involvement"))
    )
    assert [entry.action for entry in entries] == [AuditAction.CREATE, AuditAction.CREATE]
    assert entries[0].detail["role"] == "accompanied"
    assert "Guardian" not in repr(entries[0].detail)


def test_one_involvement_per_guardian_occurrence_and_role_in_the_database(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    guardian = guardian_of(db, world.own_pupil)

    def row() -> GuardianInvolvement:
        return GuardianInvolvement(
            guardian_id=guardian,
            occurrence_id=occurrence.id,
            role=ACCOMPANIED,
            method=AttendanceMethod.ROSTER,
        )

    db.add(row())
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(row())
        db.flush()
    assert involvement_count(db) == 1


def test_simultaneous_recording_leaves_one_row(
    db: Session, engine: Engine, world: World, occurrence: Occurrence
) -> None:
    guardian, occurrence_id, user_id = (
        guardian_of(db, world.own_pupil),
        occurrence.id,
        world.facilitator.id,
    )
    db.commit()
    factory = session_factory(engine)
    barrier = threading.Barrier(6)
    ids: list[int] = []
    errors: list[BaseException] = []

    def device() -> None:
        try:
            barrier.wait(timeout=30)
            with factory() as session:
                user = session.get(type(world.facilitator), user_id)
                row = record_involvement(session, user, occurrence_id, guardian, VOLUNTEERED)
                session.commit()
                ids.append(row.id)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=device) for _index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(ids) == 6 and len(set(ids)) == 1
    assert involvement_count(db) == 1


def test_recording_refusals(db: Session, world: World, occurrence: Occurrence) -> None:
    guardian = guardian_of(db, world.own_pupil)
    with pytest.raises(ValidationError):
        record_involvement(db, world.facilitator, occurrence.id, guardian, "cheering")
    with pytest.raises(ValidationError):  # not this guardian's child
        record_involvement(
            db,
            world.facilitator,
            occurrence.id,
            guardian,
            ACCOMPANIED,
            child_id=world.other_pupil.id,
        )
    with pytest.raises(NotFound):
        record_involvement(db, world.facilitator, occurrence.id, 987_654, ACCOMPANIED)
    # A guardian whose child is neither on the roster nor visible to the facilitator...
    visitor = guardian_of(db, world.other_pupil)
    with pytest.raises(NotFound):
        record_involvement(db, world.facilitator, occurrence.id, visitor, ACCOMPANIED)
    # ...until the child comes as a walk-in.
    add_walk_in(db, world.facilitator, occurrence.id, world.other_pupil.id)
    assert record_involvement(db, world.facilitator, occurrence.id, visitor, ACCOMPANIED)
    for user in (world.other_facilitator, world.coordinator, world.social_worker):
        with pytest.raises(PermissionDenied):
            record_involvement(db, user, occurrence.id, guardian, ACCOMPANIED)
    cancelled = make_occurrence(db, world.group, status=OccurrenceStatus.CANCELLED)
    with pytest.raises(ValidationError):
        record_involvement(db, world.facilitator, cancelled.id, guardian, ACCOMPANIED)
    assert involvement_count(db) == 1


def test_remove_involvement(db: Session, world: World, occurrence: Occurrence) -> None:
    guardian = guardian_of(db, world.own_pupil)
    row = record_involvement(db, world.facilitator, occurrence.id, guardian, ACCOMPANIED)
    with pytest.raises(PermissionDenied):
        remove_involvement(db, world.other_facilitator, occurrence.id, guardian, ACCOMPANIED)
    assert remove_involvement(db, world.facilitator, occurrence.id, guardian, ACCOMPANIED)
    assert not remove_involvement(db, world.facilitator, occurrence.id, guardian, ACCOMPANIED)
    assert involvement_count(db) == 0
    deleted = db.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.DELETE))
    assert deleted.record_id == str(row.id) and deleted.detail["role"] == "accompanied"


# --- the family timeline ---------------------------------------------------------------------


def test_family_timeline(db: Session, world: World) -> None:
    guardian = guardian_of(db, world.own_pupil)
    # A sibling in the same group, with the same guardian.
    sibling = make_child(db, "Sara", "Petrović", world.school, world.municipality)
    db.add(
        ChildGuardian(
            child_id=sibling.id,
            guardian_id=guardian,
            relationship_kind=world.own_pupil.guardian_links[0].relationship_kind,
        )
    )
    db.add(
        Enrolment(
            group_id=world.group.id,
            child_id=sibling.id,
            status=EnrolmentStatus.ACTIVE,
            created_at=ENROLLED_SINCE,
        )
    )
    db.flush()
    later = make_occurrence(db, world.group, START + timedelta(days=7), topic="Second")
    first = make_occurrence(db, world.group, START, topic="First")
    elsewhere = make_occurrence(db, club(db, world), START + timedelta(days=3), topic="Club")

    mark(db, world.facilitator, first.id, world.own_pupil.id, AttendanceStatus.PRESENT)
    mark(db, world.facilitator, later.id, sibling.id, AttendanceStatus.LATE)
    record_involvement(
        db, world.facilitator, first.id, guardian, ACCOMPANIED, child_id=world.own_pupil.id
    )
    record_involvement(db, world.facilitator, later.id, guardian, WORKSHOP)
    add_walk_in(db, world.admin, elsewhere.id, world.own_pupil.id)
    record_involvement(db, world.admin, elsewhere.id, guardian, VOLUNTEERED)

    entries = family_timeline(db, world.admin, guardian)
    assert [(e.topic, e.kind, e.label) for e in entries] == [
        ("First", "involvement", "Accompanied the child"),
        ("First", "attendance", "Present"),
        ("Club", "involvement", "Volunteered"),
        ("Club", "attendance", "Present"),
        ("Second", "involvement", "Took part in a family workshop"),
        ("Second", "attendance", "Late"),
    ]
    assert entries[0].child_given_name == "Ana" and entries[5].child_id == sibling.id
    assert [e.at for e in entries] == sorted(e.at for e in entries)

    # The facilitator sees the sessions they lead, not the club's.
    assert [e.topic for e in family_timeline(db, world.facilitator, guardian)] == [
        "First",
        "First",
        "Second",
        "Second",
    ]
    assert len(family_timeline(db, world.coordinator, guardian)) == 6  # their pupils
    for user in (world.other_facilitator, world.other_coordinator, world.social_worker):
        with pytest.raises(NotFound):
            family_timeline(db, user, guardian)
    with pytest.raises(NotFound):
        family_timeline(db, world.admin, 987_654)


def test_social_workers_see_a_timeline_only_with_consent_to_share(
    db: Session, world: World, occurrence: Occurrence
) -> None:
    child = world.followed_child
    guardian = guardian_of(db, child)
    add_walk_in(db, world.admin, occurrence.id, child.id)
    with pytest.raises(NotFound):
        family_timeline(db, world.social_worker, guardian)
    db.add(Consent(child_id=child.id, guardian_id=guardian, scope=ConsentScope.CSW_SHARING))
    db.flush()
    [entry] = family_timeline(db, world.social_worker, guardian)
    assert (entry.kind, entry.status) == ("attendance", AttendanceStatus.PRESENT)
    with pytest.raises(NotFound):
        family_timeline(db, world.other_social_worker, guardian)


# --- the indicator ---------------------------------------------------------------------------


@pytest.fixture
def programme(db: Session, world: World) -> dict[str, object]:
    """Group A: own_pupil and six more (seven); five families involved, one of them twice.
    Club B: three pupils of the other school, one family involved."""
    a_kids = [world.own_pupil, *enrol(db, world, world.group, 6)]
    group_b = club(db, world)
    b_kids = enrol(db, world, group_b, 3, school=world.other_school)
    a_first = make_occurrence(db, world.group, START)
    a_second = make_occurrence(db, world.group, START + timedelta(days=14))
    b_first = make_occurrence(db, group_b, START + timedelta(days=1))
    for child in a_kids[:5]:
        record_involvement(db, world.admin, a_first.id, guardian_of(db, child), WORKSHOP)
    record_involvement(db, world.admin, a_second.id, guardian_of(db, a_kids[0]), VOLUNTEERED)
    record_involvement(db, world.admin, b_first.id, guardian_of(db, b_kids[0]), ACCOMPANIED)
    # Not counted: outside the term, and a cancelled session.
    old = make_occurrence(db, world.group, datetime(2025, 5, 5, 15, tzinfo=UTC))
    record_involvement(db, world.admin, old.id, guardian_of(db, a_kids[5]), WORKSHOP)
    cancelled = make_occurrence(db, world.group, START + timedelta(days=2))
    record_involvement(db, world.admin, cancelled.id, guardian_of(db, a_kids[6]), WORKSHOP)
    cancelled.status = OccurrenceStatus.CANCELLED
    db.flush()
    return {"a_kids": a_kids, "b_kids": b_kids, "group_b": group_b, "a_first": a_first}


def numbers(row) -> tuple:
    return (row.children, row.children_with_involved_guardian, row.share, row.involvements)


def test_indicator_per_group(db: Session, world: World, programme: dict) -> None:
    rows = {row.key: row for row in involvement_indicator(db, world.admin, "group", *TERM)}
    assert set(rows) == {world.group.id, programme["group_b"].id}
    assert numbers(rows[world.group.id]) == (7, 5, pytest.approx(5 / 7), 6)
    assert rows[world.group.id].label == "Parliament A"
    assert numbers(rows[programme["group_b"].id]) == (3, 1, pytest.approx(1 / 3), 1)

    # The facilitator sees the group they lead; the operator sees Club B suppressed.
    [own] = involvement_indicator(db, world.facilitator, "group", *TERM)
    assert own.key == world.group.id and numbers(own) == numbers(rows[world.group.id])
    by_operator = {row.key: row for row in involvement_indicator(db, OPERATOR, "group", *TERM)}
    small = by_operator[programme["group_b"].id]
    assert small.suppressed and numbers(small) == (None, None, None, None)
    assert not by_operator[world.group.id].suppressed
    db.add(GroupLeader(group_id=programme["group_b"].id, user_id=world.other_facilitator.id))
    db.flush()
    [club_row] = involvement_indicator(db, world.other_facilitator, "group", *TERM)
    assert club_row.suppressed and club_row.label == "Club B"


def test_few_involved_families_are_suppressed_too(
    db: Session, world: World, programme: dict
) -> None:
    guardian = guardian_of(db, programme["a_kids"][4])
    remove_involvement(db, world.admin, programme["a_first"].id, guardian, WORKSHOP)
    [row] = involvement_indicator(db, world.facilitator, "group", *TERM)
    assert row.suppressed and numbers(row) == (7, None, None, None)
    admin_row = next(
        r for r in involvement_indicator(db, world.admin, "group", *TERM) if r.key == world.group.id
    )
    assert numbers(admin_row) == (7, 4, pytest.approx(4 / 7), 5)


def test_indicator_per_school_municipality_and_child(
    db: Session, world: World, programme: dict
) -> None:
    schools = {
        row.key: numbers(row) for row in involvement_indicator(db, world.admin, "school", *TERM)
    }
    assert schools == {
        world.school.id: (7, 5, pytest.approx(5 / 7), 6),
        world.other_school.id: (3, 1, pytest.approx(1 / 3), 1),
    }
    [municipality] = involvement_indicator(db, world.admin, "municipality", *TERM)
    assert (municipality.key, municipality.label) == (world.municipality.id, "Test Municipality")
    assert numbers(municipality) == (10, 6, pytest.approx(0.6), 7)

    # The coordinator sees their school's pupils only.
    [school] = involvement_indicator(db, world.coordinator, "municipality", *TERM)
    assert numbers(school)[:2] == (7, 5)

    children = involvement_indicator(db, world.facilitator, "child", *TERM)
    assert len(children) == 7 and not any(row.suppressed for row in children)
    first = next(row for row in children if row.key == programme["a_kids"][0].id)
    assert numbers(first) == (1, 1, 1.0, 2)
    assert (
        first.label == f"{programme['a_kids'][0].family_name}, {programme['a_kids'][0].given_name}"
    )
    assert numbers(next(row for row in children if row.key == programme["a_kids"][6].id)) == (
        1,
        0,
        0.0,
        0,
    )
    assert [row["label"] for row in chart_data(children)] == [row.label for row in children]


def test_indicator_uses_two_grouped_queries(
    db: Session, engine: Engine, world: World, programme: dict
) -> None:
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    db.flush()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for level in ("child", "group", "school", "municipality"):
            statements.clear()
            involvement_indicator(db, world.admin, level, *TERM)
            assert len(statements) == 2 and all("GROUP BY" in s for s in statements)
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_indicator_permissions_and_input(db: Session, world: World, programme: dict) -> None:
    with pytest.raises(PermissionDenied):
        involvement_indicator(db, world.social_worker, "group", *TERM)
    with pytest.raises(ValidationError):
        involvement_indicator(db, world.admin, "street", *TERM)
    with pytest.raises(ValidationError):
        involvement_indicator(db, world.admin, "group", TERM[1], TERM[0])
    assert involvement_indicator(db, world.other_facilitator, "group", *TERM) == []
    # Default period: the current school term (nothing of 2025 in it, unless it is 2025).
    assert isinstance(involvement_indicator(db, world.admin, "group"), list)


def test_indicator_export(db: Session, world: World, programme: dict) -> None:
    text = export_indicator_csv(db, world.admin, "group", *TERM)
    table = {line[1]: line for line in csv.reader(io.StringIO(text))}
    assert table["key"] == [
        "level",
        "key",
        "label",
        "children",
        "children_with_involved_guardian",
        "share",
        "involvements",
    ]
    assert table[str(world.group.id)][3:] == ["7", "5", "0.714", "6"]
    # Exports always suppress small cells, even an administrator's.
    assert table[str(programme["group_b"].id)][3:] == ["<5", "<5", "", ""]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT))
    assert entry.record_type == "involvement_indicator" and entry.detail["rows"] == 2

    with pytest.raises(PermissionDenied):  # names leave the app only with an administrator
        export_indicator_csv(db, world.facilitator, "child", *TERM)
    assert len(export_indicator_csv(db, world.admin, "child", *TERM).splitlines()) == 11


def test_children_of_another_municipality_count_where_they_are_registered(
    db: Session, world: World, programme: dict
) -> None:
    elsewhere = Municipality(country_code="RS", name="Aaa Elsewhere")
    db.add(elsewhere)
    db.flush()
    visitor = make_child(db, "Vis", "Itor", None, elsewhere)
    db.add(
        Enrolment(
            group_id=world.group.id,
            child_id=visitor.id,
            status=EnrolmentStatus.ACTIVE,
            created_at=ENROLLED_SINCE,
        )
    )
    db.flush()
    rows = involvement_indicator(db, world.admin, "municipality", *TERM)
    assert [(row.label, row.children) for row in rows] == [
        ("Aaa Elsewhere", 1),
        ("Test Municipality", 10),
    ]
    schools = {row.key: row for row in involvement_indicator(db, world.admin, "school", *TERM)}
    assert schools[None].label == "No school" and schools[None].children == 1
