"""Data-protection rights: the subject access export (JSON and a readable page), erasure (the
name is gone from every text column, aggregate reports do not move, the erasure is audited) and
the retention review with bulk erasure. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import JSON, Enum, String, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from parliament_app.children.privacy import (
    erase_child,
    erase_many,
    retention_candidates,
    subject_access_export,
    subject_access_html,
)
from parliament_app.children.privacy.registry import CHILD_TABLES, Erasure
from parliament_app.children.services import get_child
from parliament_app.core.actors import OPERATOR
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.groups.diversity.report import DIMENSIONS, composition_counts
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    ChildGuardian,
    ChildInterest,
    Consent,
    ConsentScope,
    EndReason,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Guardian,
    GuardianRelationship,
    InterestKind,
    RiskRecord,
    metadata,
)
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    Badge,
    GuardianInvolvement,
    InvolvementRole,
)
from parliament_app.models.clubs import ExcursionConsent
from parliament_app.models.monitoring import Alert, AlertNote, FamilyCheckPrompt
from parliament_app.models.quizzes import QuizPlayer
from parliament_app.monitoring.alerts import alerts_json, evaluate, family_prompts, inbox
from parliament_app.monitoring.caseload import caseload
from parliament_app.policy.access import exclude_erased
from sessions.attendance.roster import attendance_rows
from tests.factories import World, build_world, make_child
from tests.factories.groups import enrol, make_group
from tests.factories.meetings import (
    TODAY,
    A,
    P,
    at,
    days_ago,
    mark,
    occurrence,
    sessions_with,
)
from tests.factories.monitoring import follow, guardian_id
from tests.factories.quizzes import answer, quiz_player
from tests.probes import audit_count

GIVEN, FAMILY = "Zorana", "Ćirković"
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


def _rich_child(db: Session, world: World):
    """A followed, referred child with something in every table that can hold her data."""
    group = make_group(db, world, "Workshops")
    child = follow(db, world, GIVEN, FAMILY, group=group, basis="referral")
    child.school_class = "5b"
    child.residence_area = "Centar"
    child.home_languages = ["sr", "rom"]
    db.add(ChildInterest(child_id=child.id, kind=InterestKind.MUSIC, label="Guitar"))
    enrolment = db.scalar(
        select(Enrolment).where(Enrolment.child_id == child.id, Enrolment.group_id == group.id)
    )
    db.add(
        EnrolmentEvent(
            enrolment_id=enrolment.id,
            status=EnrolmentStatus.ACTIVE,
            at=enrolment.created_at,
            note="enrolled",
        )
    )
    # A sibling shares a second guardian: that guardian stays, only the link to her goes.
    sibling = make_child(db, "Luka", "Stojanov", world.school, world.municipality)
    shared = Guardian(given_name="Petar", family_name="Stojanov", phone="061111111")
    db.add(shared)
    db.flush()
    for kid in (child, sibling):
        db.add(
            ChildGuardian(
                child_id=kid.id,
                guardian_id=shared.id,
                relationship_kind=GuardianRelationship.FATHER,
            )
        )
    db.add(
        Consent(
            child_id=child.id,
            guardian_id=guardian_id(db, child),
            scope=ConsentScope.PHOTOS,
            note=f"Asked by {GIVEN}'s mother",
        )
    )
    rows = sessions_with(db, group, child, [(days_ago(20), P), (days_ago(13), A), (days_ago(6), A)])
    enrol(db, group, sibling, at(days_ago(120)))
    for row in rows:
        mark(db, row, sibling, P)
    first = db.scalar(
        select(Attendance).where(
            Attendance.child_id == child.id, Attendance.occurrence_id == rows[0].id
        )
    )
    first.note = f"{GIVEN} came with her mother"
    db.add(
        GuardianInvolvement(
            guardian_id=guardian_id(db, child),
            occurrence_id=rows[0].id,
            role=InvolvementRole.ACCOMPANIED,
            child_id=child.id,
            method=AttendanceMethod.ROSTER,
        )
    )
    player = quiz_player(db, world, child, group)
    player.nickname = GIVEN
    answer(db, player, correct=True)
    answer(db, player, correct=False)
    db.add(Badge(token_id="secret-token-0001", child_id=child.id))
    db.add(
        ExcursionConsent(
            occurrence_id=rows[0].id, child_id=child.id, guardian_id=guardian_id(db, child)
        )
    )
    risk = db.scalar(select(RiskRecord).where(RiskRecord.child_id == child.id))
    risk.note = f"{GIVEN} {FAMILY} lives with her grandmother"
    db.flush()
    evaluate(db, today=TODAY)
    alert = db.scalar(select(Alert).where(Alert.child_id == child.id).limit(1))
    db.add(
        AlertNote(
            alert_id=alert.id,
            author_id=world.social_worker.id,
            text=f"Spoke with {GIVEN}'s grandmother",
        )
    )
    db.flush()
    return group, child, sibling, shared


# --- subject access ----------------------------------------------------------------------------


def test_subject_access_export_holds_everything_and_is_audited(db: Session) -> None:
    world = build_world(db)
    _group, child, _sibling, shared = _rich_child(db, world)
    get_child(db, world.social_worker, child.id)  # an audited read, to find in the export
    before = audit_count(db, AuditAction.EXPORT)
    data = subject_access_export(db, world.admin, child.id)
    assert audit_count(db, AuditAction.EXPORT) == before + 1
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (entry.record_type, entry.record_id) == ("child", str(child.id))
    assert FAMILY not in json.dumps(entry.detail, ensure_ascii=False)

    json.dumps(data)  # machine-readable as it is
    assert data["child"]["given_name"] == GIVEN and data["child"]["family_name"] == FAMILY
    assert data["child"]["community"] == "serbian" and data["child"]["school_class"] == "5b"
    assert data["child"]["interests"] == [{"kind": "music", "label": "Guitar"}]
    assert {g["id"] for g in data["guardians"]} == {guardian_id(db, child), shared.id}
    assert {c["scope"] for c in data["consents"]} == {"participation", "photos"}
    assert len(data["excursion_consents"]) == 1
    referral = [e for e in data["enrolments"] if e["source"] == "csw"]
    assert referral and referral[0]["referred_by"] == "CSW A"
    assert referral[0]["history"][0]["note"] == "enrolled"
    assert [a["status"] for a in data["attendance"]] == ["present", "absent", "absent"]
    assert data["guardian_involvement"][0]["role"] == "accompanied"
    quiz = data["quiz_participation"]
    assert len(quiz) == 1 and quiz[0]["answers"] == 2 and "chosen" not in quiz[0]
    assert data["badges"] and set(data["badges"][0]) == {"issued_at", "revoked_at"}
    assert "secret-token" not in json.dumps(data)
    assert data["risk_records"][0]["categories"] == ["social_aid"]
    assert data["alerts"] and any(alert["notes"] for alert in data["alerts"])
    assert data["family_check_prompts"]
    reads = [e for e in data["audit_entries"] if e["action"] == "read_special"]
    assert any(e["actor"] == "social_worker" for e in reads)
    assert any(e["record_type"] == "alert_evaluation" for e in data["audit_entries"])


def test_subject_access_page_and_permissions(db: Session) -> None:
    world = build_world(db)
    _group, child, _sibling, _shared = _rich_child(db, world)
    before = audit_count(db, AuditAction.EXPORT)
    page = subject_access_html(db, world.admin, child.id)
    assert audit_count(db, AuditAction.EXPORT) == before + 1
    assert page.startswith("<!DOCTYPE html>") and FAMILY in page
    assert "Everything held about this child" in page and "Attendance" in page
    assert "<script" not in page
    for name in ("social_worker", "coordinator", "facilitator"):
        with pytest.raises(PermissionDenied):
            subject_access_export(db, getattr(world, name), child.id)
        with pytest.raises(PermissionDenied):
            subject_access_html(db, getattr(world, name), child.id)
    with pytest.raises(NotFound):
        subject_access_export(db, world.admin, 999_999)


def test_the_page_escapes_what_it_shows(db: Session) -> None:
    world = build_world(db)
    child = make_child(db, "<b>Bold</b>", "O'Brien & Co", world.school, world.municipality)
    page = subject_access_html(db, world.admin, child.id)
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page


# --- erasure -----------------------------------------------------------------------------------


def _text_hits(db: Session, needles: list[str]) -> list[str]:
    """Every text column of every table (JSON as text, escaped or not) holding a needle."""
    db.flush()
    hits = []
    forms = set()
    for needle in needles:
        forms |= {needle, needle.lower(), json.dumps(needle)[1:-1]}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Enum):
                continue
            if isinstance(column.type, JSON):
                expression = cast(column, Text)
            elif isinstance(column.type, String | Text):
                expression = column
            else:
                continue
            condition = or_(*(expression.like(f"%{form}%") for form in forms))
            count = db.scalar(select(func.count()).select_from(table).where(condition))
            if count:
                hits.append(f"{table.name}.{column.name}")
    return hits


def _reports(db: Session) -> dict:
    counts = {dimension: composition_counts(db, dimension, *PERIOD) for dimension in DIMENSIONS}
    rows = attendance_rows(db, OPERATOR, *PERIOD)
    counts["attendance"] = Counter((row.group, row.status) for row in rows)
    counts["attendance_by_status"] = dict(
        db.execute(select(Attendance.status, func.count()).group_by(Attendance.status)).all()
    )
    return counts


def test_erasure_removes_identity_and_keeps_reports(db: Session) -> None:
    world = build_world(db)
    group, child, sibling, shared = _rich_child(db, world)
    get_child(db, world.admin, child.id)
    caseload(db, world.social_worker, today=TODAY)
    assert _text_hits(db, [GIVEN, FAMILY])  # she is there before
    queue = make_group(db, world, "Full club")
    enrol(db, queue, child, at(days_ago(40)), status=EnrolmentStatus.WAITING)
    reports = _reports(db)
    attendance_before = db.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.child_id == child.id)
    )
    own_guardian = guardian_id(db, child)

    before = audit_count(db, AuditAction.DELETE)
    erase_child(db, world.admin, child.id, f"Request of {GIVEN} {FAMILY.upper()}'s mother")
    assert audit_count(db, AuditAction.DELETE) == before + 1
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.record_type == "child" and entry.record_id == str(child.id)
    assert entry.detail["erasure"] is True
    assert entry.detail["reason"] == "Request of … …'s mother"

    # The name is nowhere: children, guardians, notes, nicknames, the audit log.
    assert _text_hits(db, [GIVEN, FAMILY]) == []
    # Aggregate reports are the same.
    assert _reports(db) == reports
    db.expire_all()
    erased = db.get(Child, child.id)
    assert (erased.given_name, erased.family_name, erased.school_class) == ("", "", "")
    assert erased.birth_date == date(2014, 1, 1) and erased.erased_at is not None
    assert erased.residence_area == "Centar" and erased.home_languages == ["sr", "rom"]
    assert erased.care_situation.value == "unknown"
    assert (
        db.scalar(
            select(func.count()).select_from(Attendance).where(Attendance.child_id == child.id)
        )
        == attendance_before
    )
    # Her place in the workshop ended (the row stays, anonymous); the waiting place is gone.
    enrolments = list(db.scalars(select(Enrolment).where(Enrolment.child_id == child.id)))
    assert [(e.group_id, e.status, e.end_reason) for e in enrolments] == [
        (group.id, EnrolmentStatus.ENDED, EndReason.REMOVED)
    ]
    for model in (
        Consent,
        ChildGuardian,
        ChildInterest,
        Badge,
        RiskRecord,
        Alert,
        FamilyCheckPrompt,
        ExcursionConsent,
    ):
        assert (
            db.scalar(select(func.count()).select_from(model).where(model.child_id == child.id))
            == 0
        ), model
    assert db.get(Guardian, own_guardian) is None
    assert db.get(Guardian, shared.id) is not None  # still the sibling's father
    assert db.get(ChildGuardian, (sibling.id, shared.id)) is not None
    player = db.scalar(select(QuizPlayer).where(QuizPlayer.run_id.is_not(None)).limit(1))
    assert player.child_id is None and player.nickname == f"~{player.id}"

    # She has left every list.
    assert child.id not in {r.child_id for r in caseload(db, world.social_worker, today=TODAY)}
    assert all(view.child_id != child.id for view in inbox(db, world.admin, "all"))
    assert all(row["child_id"] != child.id for row in alerts_json(db, None, "all"))
    assert all(p.child_id != child.id for p in family_prompts(db, world.facilitator))
    assert (
        db.scalar(
            select(func.count()).select_from(Child).where(Child.id == child.id, exclude_erased())
        )
        == 0
    )
    # Evaluating again raises nothing for her.
    evaluate(db, today=TODAY + timedelta(days=1))
    assert db.scalar(select(func.count()).select_from(Alert).where(Alert.child_id == child.id)) == 0
    # Once is enough; only administrators; a reason is needed.
    with pytest.raises(ValidationError):
        erase_child(db, world.admin, child.id, "again")
    with pytest.raises(PermissionDenied):
        erase_child(db, world.social_worker, sibling.id, "no")
    with pytest.raises(ValidationError):
        erase_child(db, world.admin, sibling.id, "   ")
    # The export of an erased child holds only the anonymous rest.
    data = subject_access_export(db, world.admin, child.id)
    assert data["child"]["given_name"] == "" and data["guardians"] == []
    assert len(data["attendance"]) == attendance_before
    assert group.id in {e["group_id"] for e in data["enrolments"]}


def test_erasure_frees_the_place_for_the_waiting_list(db: Session) -> None:
    world = build_world(db)
    group = make_group(db, world, "One place")
    group.capacity = 1
    child = make_child(db, "Only", "Place", world.school, world.municipality)
    active = enrol(db, group, child, at(days_ago(30)))
    waiting_child = make_child(db, "Next", "InLine", world.school, world.municipality)
    waiting = enrol(db, group, waiting_child, at(days_ago(20)), status=EnrolmentStatus.WAITING)
    erase_child(db, world.admin, child.id, "Guardian's request")
    db.expire_all()
    assert db.get(Enrolment, active.id).status == EnrolmentStatus.ENDED
    assert db.get(Enrolment, waiting.id).status == EnrolmentStatus.ACTIVE
    history = list(
        db.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == active.id))
    )
    assert [(event.status, event.note) for event in history] == [(EnrolmentStatus.ENDED, "removed")]


# --- retention ---------------------------------------------------------------------------------


def _old_child(db: Session, world: World, given: str, years: int = 3) -> Child:
    long_ago = at(TODAY - timedelta(days=365 * years))
    child = make_child(db, given, "Old", world.school, world.municipality)
    child.created_at = long_ago
    group = make_group(db, world, f"Old group {child.id}")
    enrolment = enrol(db, group, child, long_ago)
    enrolment.status = EnrolmentStatus.ENDED
    enrolment.ended_at = long_ago + timedelta(days=60)
    row = occurrence(db, group, (long_ago + timedelta(days=30)).date())
    mark(db, row, child, P)
    db.flush()
    return child


def test_retention_candidates_and_bulk_erasure(db: Session) -> None:
    world = build_world(db)
    stale = _old_child(db, world, "Stale")
    recent = _old_child(db, world, "Recent")
    group = make_group(db, world, "Now")
    enrol(db, group, recent, at(days_ago(200))).status = EnrolmentStatus.ENDED
    followed = _old_child(db, world, "Followed")
    db.add(
        RiskRecord(
            child_id=followed.id,
            csw_id=world.csw.id,
            categories=["neglected"],
            opened_on=date(2022, 1, 1),
            legal_basis="Family law",
        )
    )
    waiting = _old_child(db, world, "Waiting")
    enrol(
        db,
        make_group(db, world, "Queue"),
        waiting,
        at(TODAY - timedelta(days=900)),
        status=EnrolmentStatus.WAITING,
    )
    quizzer = _old_child(db, world, "Quizzer")
    player = quiz_player(db, world, quizzer, None)
    player.joined_at = at(days_ago(10))
    db.flush()

    found = retention_candidates(db, world.admin, 730, today=TODAY)
    assert [c.child_id for c in found] == [stale.id]
    assert found[0].last_activity < TODAY - timedelta(days=730)
    assert found[0].registered_on == at(TODAY - timedelta(days=365 * 3)).date()
    # A shorter period finds the child inactive for 200 days too.
    assert {c.child_id for c in retention_candidates(db, world.admin, 150, today=TODAY)} == {
        stale.id,
        recent.id,
    }
    with pytest.raises(ValidationError):
        retention_candidates(db, world.admin, 5, today=TODAY)
    for name in ("social_worker", "coordinator", "facilitator"):
        with pytest.raises(PermissionDenied):
            retention_candidates(db, getattr(world, name), today=TODAY)
        with pytest.raises(PermissionDenied):
            erase_many(db, getattr(world, name), [stale.id], "retention")

    before = audit_count(db, AuditAction.DELETE)
    assert erase_many(db, world.admin, [stale.id, recent.id, stale.id], "Retention review") == 2
    assert audit_count(db, AuditAction.DELETE) == before + 2
    assert erase_many(db, world.admin, [stale.id, 999_999], "Retention review") == 0
    assert retention_candidates(db, world.admin, 150, today=TODAY) == []
    assert _text_hits(db, ["Stale", "Recent"]) == []


def test_every_child_linked_table_is_declared_for_erasure() -> None:
    """A new table holding rows about a child cannot be forgotten by the erasure."""
    declared = {table.model.__table__.name for table in CHILD_TABLES}
    linked = {table.name for table in metadata.sorted_tables if "child_id" in table.columns}
    assert linked - declared == set()
    assert all(table.why for table in CHILD_TABLES)


def test_erasure_empties_every_table_declared_for_deletion(db: Session) -> None:
    world = build_world(db)
    _group, child, _sibling, _shared = _rich_child(db, world)
    deleted = [table.model for table in CHILD_TABLES if table.erasure == Erasure.DELETE]
    held = {
        model.__name__: db.scalar(
            select(func.count()).select_from(model).where(model.child_id == child.id)
        )
        for model in deleted
    }
    assert all(held.values()), held  # the rich child has a row in each before
    erase_child(db, world.admin, child.id, "Guardian's request")
    for model in deleted:
        remaining = db.scalar(
            select(func.count()).select_from(model).where(model.child_id == child.id)
        )
        assert remaining == 0, model.__name__
