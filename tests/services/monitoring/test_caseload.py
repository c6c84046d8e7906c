"""The caseload dashboard and a child's participation timeline: the numbers (rates, last
attendance, consecutive absences, trend) on hand-built attendance, consent gating, who sees what,
auditing, and a query count that does not grow with the caseload. The meetings, groups and
followed children are built with tests/factories/.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import current_language
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    Group,
    RiskRecord,
    utcnow,
)
from parliament_app.models.attendance import (
    AttendanceMethod,
    GuardianInvolvement,
    InvolvementRole,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus
from parliament_app.models.monitoring import Alert, AlertRule, AlertStatus
from parliament_app.monitoring import taskforce
from parliament_app.monitoring.caseload import caseload, participation_timeline
from parliament_app.monitoring.taskforce import (
    latin1_text,
    taskforce_pack,
    taskforce_pack_pdf,
    taskforce_pack_xlsx,
)
from tests.factories import World, build_world
from tests.factories.groups import enrol, make_group
from tests.factories.meetings import (
    LE,
    TODAY,
    UNMARKED,
    A,
    E,
    L,
    P,
    at,
    days_ago,
    mark,
    occurrence,
    sessions_with,
)
from tests.factories.monitoring import follow, guardian_id, share_with_csw
from tests.factories.quizzes import answer, quiz_player
from tests.probes import audit_count, counted_statements

# --- shared helpers ----------------------------------------------------------------------------


# --- the numbers -------------------------------------------------------------------------------


def _row(rows, child: Child):
    matches = [row for row in rows if row.child_id == child.id]
    assert len(matches) == 1, [row.child_id for row in rows]
    return matches[0]


def test_rates_last_attendance_absences_and_trend(db: Session) -> None:
    world = build_world(db)
    group = make_group(db, world, "Workshops")
    child = follow(db, world, "Mila", "Kovač", group=group)
    # Previous 4 weeks (days 55..28 ago): present every week. Last 4 weeks (27..0 ago):
    # present, absent, excused, and a closed session nobody marked her in.
    sessions_with(
        db,
        group,
        child,
        [
            (days_ago(51), P),
            (days_ago(44), L),
            (days_ago(37), LE),
            (days_ago(30), P),
            (days_ago(23), P),
            (days_ago(16), A),
            (days_ago(9), E),
            (days_ago(2), UNMARKED),
        ],
    )
    occurrence(db, group, days_ago(5), OccurrenceStatus.CANCELLED)  # never counts
    occurrence(db, group, TODAY + timedelta(days=5), OccurrenceStatus.SCHEDULED)  # future
    db.add(
        GuardianInvolvement(
            guardian_id=guardian_id(db, child),
            occurrence_id=db.scalar(
                select(Occurrence.id).where(Occurrence.starts_at == at(days_ago(9)))
            ),
            role=InvolvementRole.ACCOMPANIED,
            method=AttendanceMethod.ROSTER,
        )
    )
    player = quiz_player(db, world, child, group)
    answer(db, player)
    quiz_player(db, world, child, group)

    row = _row(caseload(db, world.social_worker, today=TODAY), child)
    assert (row.attended_4w, row.scheduled_4w) == (1, 4)
    assert row.rate_4w == pytest.approx(0.25)
    assert (row.attended_12w, row.scheduled_12w) == (5, 8)
    assert row.rate_12w == pytest.approx(0.625)
    assert row.last_attended == days_ago(23)
    # Absent and unmarked count; the excused absence neither counts nor breaks the run.
    assert row.consecutive_absences == 2
    assert row.trend == "down"
    assert row.guardian_involvements_12w == 1
    assert row.quiz_runs == 2
    assert row.groups == ("Workshops",)
    assert row.basis == "consent"
    assert row.legal_basis == "Family law, art. 1"
    assert row.open_alerts == 0


def test_trend_up_steady_and_nothing_to_count(db: Session) -> None:
    world = build_world(db)
    group = make_group(db, world, "Club")
    rising = follow(db, world, "Rising", "Child", group=group)
    steady = follow(db, world, "Steady", "Child", group=group)
    new = follow(db, world, "New", "Child", group=group)
    previous = [days_ago(50), days_ago(43), days_ago(36), days_ago(29)]
    recent = [days_ago(22), days_ago(15), days_ago(8), days_ago(1)]
    sessions_with(db, group, rising, [(d, A) for d in previous] + [(d, P) for d in recent])
    for row in db.scalars(select(Occurrence).where(Occurrence.group_id == group.id)):
        mark(db, row, steady, P)
    rows = caseload(db, world.social_worker, today=TODAY)
    assert _row(rows, rising).trend == "up"
    assert _row(rows, rising).consecutive_absences == 0
    assert _row(rows, steady).trend == "steady"
    assert _row(rows, steady).rate_4w == 1.0
    # ``new`` was enrolled 120 days ago, so every closed session without a record is an absence.
    assert _row(rows, new).rate_4w == 0.0
    assert _row(rows, new).last_attended is None
    assert _row(rows, new).consecutive_absences == 8


def test_unmarked_sessions_before_the_enrolment_do_not_count(db: Session) -> None:
    world = build_world(db)
    group = make_group(db, world, "Club")
    child = follow(db, world, "Late", "Joiner", group=group, since=at(days_ago(10)))
    occurrence(db, group, days_ago(20))  # before she joined: not hers
    occurrence(db, group, days_ago(3))  # after: unmarked, counts as absent
    row = _row(caseload(db, world.social_worker, today=TODAY), child)
    assert (row.attended_4w, row.scheduled_4w, row.consecutive_absences) == (0, 1, 1)


# --- who sees what -----------------------------------------------------------------------------


def test_consent_gating(db: Session) -> None:
    world = build_world(db)
    # Followed by csw (open record) but neither referred by it nor with a sharing consent.
    assert world.followed_child.id not in {
        row.child_id for row in caseload(db, world.social_worker, today=TODAY)
    }
    with pytest.raises(NotFound):
        participation_timeline(db, world.social_worker, world.followed_child.id)

    consent = share_with_csw(db, world.followed_child)
    rows = caseload(db, world.social_worker, today=TODAY)
    assert _row(rows, world.followed_child).basis == "consent"

    consent.withdrawn_at = utcnow()
    db.flush()
    assert world.followed_child.id not in {
        row.child_id for row in caseload(db, world.social_worker, today=TODAY)
    }

    # Referred by the centre (an enrolment it made): visible again, on the referral.
    enrol(db, world.group, world.followed_child, at(days_ago(30)), referred_by=world.csw.id)
    assert _row(caseload(db, world.social_worker, today=TODAY), world.followed_child).basis == (
        "referral"
    )
    # A referral by another centre does not count for this one.
    other = follow(db, world, "Other", "Referral", basis=None)
    enrol(db, world.group, other, at(days_ago(30)), referred_by=world.other_csw.id)
    assert other.id not in {r.child_id for r in caseload(db, world.social_worker, today=TODAY)}


def test_registration_by_the_centre_counts_as_referral(db: Session) -> None:
    world = build_world(db)
    child = follow(db, world, "Registered", "ByCentre", basis=None)
    assert child.id not in {r.child_id for r in caseload(db, world.social_worker, today=TODAY)}
    child.created_by_id = world.social_worker.id
    db.flush()
    assert _row(caseload(db, world.social_worker, today=TODAY), child).basis == "referral"
    # Registered by another centre's social worker: not a referral by this one.
    child.created_by_id = world.other_social_worker.id
    db.flush()
    assert child.id not in {r.child_id for r in caseload(db, world.social_worker, today=TODAY)}


def test_closing_the_record_ends_the_view(db: Session) -> None:
    world = build_world(db)
    child = follow(db, world, "Closed", "Record")
    assert child.id in {r.child_id for r in caseload(db, world.social_worker, today=TODAY)}
    db.execute(
        RiskRecord.__table__.update().where(RiskRecord.child_id == child.id).values(closed_on=TODAY)
    )
    assert child.id not in {r.child_id for r in caseload(db, world.social_worker, today=TODAY)}


def test_another_centre_sees_none_and_others_are_refused(db: Session) -> None:
    world = build_world(db)
    group = make_group(db, world, "Workshops")
    ours = follow(db, world, "Ours", "Child", group=group)
    theirs = follow(db, world, "Theirs", "Child", csw=world.other_csw, group=group)
    sessions_with(db, group, ours, [(days_ago(3), P)])

    mine = {row.child_id for row in caseload(db, world.social_worker, today=TODAY)}
    other = {row.child_id for row in caseload(db, world.other_social_worker, today=TODAY)}
    assert mine == {ours.id} and other == {theirs.id}
    with pytest.raises(NotFound):
        participation_timeline(db, world.other_social_worker, ours.id)
    for name in ("facilitator", "coordinator", "other_facilitator", "other_coordinator"):
        with pytest.raises(PermissionDenied):
            caseload(db, getattr(world, name), today=TODAY)
        with pytest.raises(NotFound):
            participation_timeline(db, getattr(world, name), ours.id)
    # Administrators name the centre.
    with pytest.raises(ValidationError):
        caseload(db, world.admin, today=TODAY)
    with pytest.raises(ValidationError):
        caseload(db, world.admin, today=TODAY, csw_id=world.school.id)
    assert {r.child_id for r in caseload(db, world.admin, today=TODAY, csw_id=world.csw.id)} == {
        ours.id
    }
    world.social_worker.active = False
    db.flush()
    with pytest.raises(PermissionDenied):
        caseload(db, world.social_worker, today=TODAY)


# --- sorting and filtering ---------------------------------------------------------------------


def test_search_sort_and_filter(db: Session) -> None:
    world = build_world(db)
    club, workshop = make_group(db, world, "Club"), make_group(db, world, "Workshop")
    ana = follow(db, world, "Ana", "Živković", group=club)
    boris = follow(db, world, "Boris", "Antić", group=workshop)
    cvijeta = follow(db, world, "Cvijeta", "Marić", group=club)
    sessions_with(db, club, ana, [(days_ago(15), P), (days_ago(8), P), (days_ago(1), P)])
    sessions_with(db, workshop, boris, [(days_ago(15), P), (days_ago(8), A), (days_ago(1), A)])
    for row in db.scalars(select(Occurrence).where(Occurrence.group_id == club.id)):
        mark(db, row, cvijeta, E)
    db.add(
        Alert(
            child_id=cvijeta.id,
            csw_id=world.csw.id,
            rule=AlertRule.WANTS_TO_TALK,
            episode="1",
            status=AlertStatus.OPEN,
        )
    )
    db.flush()

    def ids(**kwargs) -> list[int]:
        return [r.child_id for r in caseload(db, world.social_worker, today=TODAY, **kwargs)]

    assert ids(sort="name") == [boris.id, cvijeta.id, ana.id]
    # Risk: open alerts first, then absences in a row, then the lowest rate.
    assert ids(sort="risk") == [cvijeta.id, boris.id, ana.id]
    assert ids(sort="rate_4w") == [cvijeta.id, boris.id, ana.id]
    assert ids(sort="absences")[0] == boris.id
    assert ids(search="živ") == [ana.id]
    assert ids(search="ŽIVKOVIĆ") == [ana.id]
    assert ids(search="ana živ") == [ana.id]
    assert ids(group_id=club.id, sort="name") == [cvijeta.id, ana.id]
    assert ids(with_open_alerts=True) == [cvijeta.id]
    with pytest.raises(ValidationError):
        caseload(db, world.social_worker, today=TODAY, sort="shoe_size")


# --- auditing and cost -------------------------------------------------------------------------


def test_one_audit_entry_per_dashboard_read_without_names(db: Session) -> None:
    world = build_world(db)
    children = [follow(db, world, f"Kid{i}", "Jovanović") for i in range(3)]
    referred = follow(db, world, "Referred", "Jovanović", basis="referral")
    before = audit_count(db)
    rows = caseload(db, world.social_worker, today=TODAY, search="jovan")
    assert audit_count(db) == before + 1
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.action == AuditAction.READ_SPECIAL
    assert entry.record_type == "caseload" and entry.record_id == str(world.csw.id)
    assert sorted(entry.detail["child_ids"]) == sorted(r.child_id for r in rows)
    assert len(rows) == len(children) + 1
    assert entry.detail["bases"][str(referred.id)] == "referral"
    assert entry.detail["filtered"] is True
    text = json.dumps(entry.detail, ensure_ascii=False)
    assert "Jovanović" not in text and "jovan" not in text and "Kid" not in text


def _populate(db: Session, world: World, group: Group, count: int, start: int) -> None:
    days = [days_ago(d) for d in (40, 33, 26, 19, 12, 5)]
    rows = [
        db.scalar(
            select(Occurrence).where(Occurrence.group_id == group.id, Occurrence.starts_at == at(d))
        )
        or occurrence(db, group, d)
        for d in days
    ]
    statuses = [P, A, L, E, P, A]
    for index in range(start, start + count):
        child = follow(db, world, f"Child{index}", "Caseload", group=group)
        for offset, row in enumerate(rows):
            mark(db, row, child, statuses[(index + offset) % len(statuses)])
        quiz_player(db, world, child, group)
        db.add(
            GuardianInvolvement(
                guardian_id=guardian_id(db, child),
                occurrence_id=rows[-1].id,
                role=InvolvementRole.FAMILY_WORKSHOP,
                method=AttendanceMethod.ROSTER,
            )
        )
        db.add(
            Alert(
                child_id=child.id,
                csw_id=world.csw.id,
                rule=AlertRule.NO_ATTENDANCE,
                episode=f"e{index}",
                status=AlertStatus.OPEN,
            )
        )
    db.flush()


def test_query_count_does_not_grow_with_the_caseload(db: Session) -> None:
    world = build_world(db)
    group = make_group(db, world, "Big group")
    _populate(db, world, group, 5, 0)
    db.commit()
    with counted_statements(db) as small:
        rows = caseload(db, world.social_worker, today=TODAY)
        db.flush()
    assert len(rows) == 5

    _populate(db, world, group, 45, 5)
    db.commit()
    with counted_statements(db) as large:
        rows = caseload(db, world.social_worker, today=TODAY)
        db.flush()
    assert len(rows) == 50
    assert all(row.quiz_runs == 1 and row.open_alerts == 1 for row in rows)
    assert len(small) == len(large), (len(small), len(large))
    assert len(large) <= 12, len(large)


# --- the timeline ------------------------------------------------------------------------------


def test_participation_timeline(db: Session) -> None:
    world = build_world(db)
    group = make_group(db, world, "Workshops")
    child = follow(db, world, "Tijana", "Lukić", group=group, basis="referral")
    sessions_with(db, group, child, [(days_ago(9), P), (days_ago(2), UNMARKED)])
    db.add(
        GuardianInvolvement(
            guardian_id=guardian_id(db, child),
            occurrence_id=db.scalar(
                select(Occurrence.id).where(Occurrence.starts_at == at(days_ago(9)))
            ),
            role=InvolvementRole.VOLUNTEERED,
            method=AttendanceMethod.ROSTER,
        )
    )
    player = quiz_player(db, world, child, group)
    answer(db, player, correct=True)
    answer(db, player, correct=False)
    db.add(
        Alert(
            child_id=child.id,
            csw_id=world.csw.id,
            rule=AlertRule.CONSECUTIVE_ABSENCES,
            episode=days_ago(2).isoformat(),
            status=AlertStatus.OPEN,
        )
    )
    db.add(
        Alert(
            child_id=child.id,
            csw_id=world.other_csw.id,
            rule=AlertRule.WANTS_TO_TALK,
            episode="7",
            status=AlertStatus.OPEN,
        )
    )
    db.flush()

    before = audit_count(db, AuditAction.READ_SPECIAL)
    timeline = participation_timeline(db, world.social_worker, child.id, today=TODAY)
    assert audit_count(db, AuditAction.READ_SPECIAL) == before + 1
    assert timeline.basis == "referral" and timeline.legal_basis == "Family law, art. 1"
    kinds = [event.kind for event in timeline.events]
    assert kinds.count("enrolment") == 1
    attendance = [event for event in timeline.events if event.kind == "attendance"]
    assert [event.code for event in attendance] == ["present", "unmarked"]
    assert [event.kind for event in timeline.events if event.kind == "involvement"]
    quiz = [event for event in timeline.events if event.kind == "quiz"]
    assert len(quiz) == 1 and quiz[0].count == 2  # how many answered, never what
    alerts = [event for event in timeline.events if event.kind == "alert"]
    assert [event.code for event in alerts] == ["consecutive_absences"]  # not the other centre's
    assert [event.at for event in timeline.events] == sorted(event.at for event in timeline.events)

    full = participation_timeline(db, world.admin, child.id, today=TODAY)
    assert full.basis == "administrator"
    assert len([event for event in full.events if event.kind == "alert"]) == 2


# --- the task-force pack -----------------------------------------------------------------------


def _pack_world(db: Session) -> tuple[World, Child]:
    world = build_world(db)
    group = make_group(db, world, "Радионица")  # Cyrillic, for the PDF's font
    child = follow(db, world, "Ђорђе", "Јовановић", group=group, basis="referral")
    sessions_with(
        db,
        group,
        child,
        [(date(2025, 10, 1), P), (date(2025, 10, 8), A), (date(2025, 9, 24), P)],
    )
    db.add(
        Alert(
            child_id=child.id,
            csw_id=world.csw.id,
            rule=AlertRule.WANTS_TO_TALK,
            episode="1",
            status=AlertStatus.OPEN,
            raised_at=at(date(2025, 10, 9)),
        )
    )
    db.add(
        Alert(
            child_id=child.id,
            csw_id=world.csw.id,
            rule=AlertRule.NO_ATTENDANCE,
            episode="x",
            status=AlertStatus.RESOLVED,
            raised_at=at(date(2025, 10, 9)),
        )
    )
    db.flush()
    return world, child


def test_taskforce_pack_content_and_xlsx(db: Session) -> None:
    world, child = _pack_world(db)
    pack = taskforce_pack(db, world.social_worker, date(2025, 10, 15), today=TODAY)
    assert (pack.month_start, pack.month_end, pack.as_of) == (
        date(2025, 10, 1),
        date(2025, 10, 31),
        TODAY,
    )
    row = _row(pack.rows, child)
    assert (row.attended_month, row.scheduled_month) == (1, 2)  # September's session is not in
    assert [alert.rule for alert in pack.alerts] == [AlertRule.WANTS_TO_TALK]  # open ones only

    before = audit_count(db, AuditAction.EXPORT)
    data = taskforce_pack_xlsx(db, world.social_worker, date(2025, 10, 1), today=TODAY)
    assert audit_count(db, AuditAction.EXPORT) == before + 1
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.record_type == "taskforce_pack" and entry.detail["format"] == "xlsx"
    assert entry.detail["child_ids"] == [child.id] and "Јовановић" not in json.dumps(entry.detail)
    workbook = load_workbook(io.BytesIO(data))
    participation, alerts_sheet = workbook.worksheets
    values = [cell for line in participation.iter_rows(values_only=True) for cell in line]
    assert "Ђорђе Јовановић" in values and "Радионица" in values and "1/2" in values
    assert "social_aid" not in json.dumps(values, default=str)  # never risk categories
    assert [line[1] for line in alerts_sheet.iter_rows(min_row=2, values_only=True)] == [
        "Asked to talk to someone in a quiz"
    ]
    # Another centre's pack has none of it; schools and facilitators get no pack.
    other = taskforce_pack(db, world.other_social_worker, date(2025, 10, 1), today=TODAY)
    assert other.rows == [] and other.alerts == []
    for name in ("facilitator", "coordinator"):
        with pytest.raises(PermissionDenied):
            taskforce_pack_xlsx(db, getattr(world, name), date(2025, 10, 1), today=TODAY)
    with pytest.raises(ValidationError):
        taskforce_pack(db, world.social_worker, date(2025, 12, 1), today=TODAY)


def test_taskforce_pack_pdf_in_the_caseworkers_language(db: Session, monkeypatch) -> None:
    world, _child = _pack_world(db)
    world.social_worker.preferred_language = "sr"
    db.flush()
    seen: list[str] = []
    original = taskforce._heading_lines

    def spy(pack):
        seen.append(current_language())
        return original(pack)

    monkeypatch.setattr(taskforce, "_heading_lines", spy)
    before = audit_count(db, AuditAction.EXPORT)
    pdf = taskforce_pack_pdf(db, world.social_worker, date(2025, 10, 1), today=TODAY)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert audit_count(db, AuditAction.EXPORT) == before + 1
    assert seen == ["sr"]
    assert current_language() == "en"  # the caller's language is back

    # Without DejaVu: the core font, Cyrillic transliterated.
    monkeypatch.setattr(taskforce, "unicode_font_available", lambda: False)
    assert taskforce_pack_pdf(db, world.social_worker, date(2025, 10, 1), today=TODAY).startswith(
        b"%PDF"
    )
    assert latin1_text("Ђорђе Јовановић – Đurić") == "Djordje Jovanovic - Djuric"
