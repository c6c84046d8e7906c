"""Check-in: badge scans, the rotating self check-in code, the anonymous page's rate limit, the
offline ``checkin`` command, and concurrent scans of one badge (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from parliament_app.cli.qr import checkin_command, qr
from parliament_app.core.actors import OPERATOR
from parliament_app.core.config import Settings, get_settings
from parliament_app.core.db import session_factory
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.models import (
    Child,
    ChildGuardian,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    User,
    utcnow,
)
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    GuardianInvolvement,
    InvolvementRole,
    RateLimitHit,
    ScanLog,
    ScanResult,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus, SessionKind
from sessions.attendance.roster import add_walk_in, mark
from sessions.checkin import scanning as checkin
from sessions.checkin.badges import badge_png, badge_token, issue_badge, token_fingerprint
from sessions.checkin.scanning import (
    CODE_LENGTH,
    code_matches,
    facilitator_session_code,
    ratelimit,
    recent_self_check_ins,
    scan,
    self_check_in,
    self_check_in_guardians,
    self_check_in_roster,
    self_check_in_url,
    session_code,
    undo_self_check_in,
    verify_session_code,
)
from tests.factories import World, build_world, make_child

SECRET = "test-secret-" * 4


@dataclass
class Scene:
    world: World
    now: datetime
    occurrence: Occurrence  # the facilitator's group, started five minutes ago
    other_occurrence: Occurrence  # another group's, at the same time
    token: str  # own_pupil's badge
    settings: Settings
    db: Session

    def scan(self, text: str, *, user: User | None = None, occurrence=None, at=None, **kw):
        return scan(
            self.db,
            self.world.facilitator if user is None else user,
            (occurrence or self.occurrence).id,
            text,
            at=at or self.now,
            settings=self.settings,
            **kw,
        )


def add_occurrence(
    db: Session,
    group: Group,
    starts: datetime,
    *,
    status: OccurrenceStatus = OccurrenceStatus.SCHEDULED,
    kind: SessionKind = SessionKind.PARLIAMENT_SITTING,
    minutes: int = 90,
) -> Occurrence:
    occurrence = Occurrence(
        group_id=group.id,
        kind=kind,
        topic="Children's rights",
        starts_at=starts,
        duration_minutes=minutes,
        status=status,
        closed_at=starts + timedelta(minutes=minutes)
        if status == OccurrenceStatus.CLOSED
        else None,
    )
    db.add(occurrence)
    db.flush()
    return occurrence


def make_scene(db: Session, settings: Settings) -> Scene:
    world = build_world(db)
    now = utcnow().replace(microsecond=0)
    occurrence = add_occurrence(db, world.group, now - timedelta(minutes=5))
    other_group = Group(
        kind=GroupKind.SPORT_CLUB,
        name="Football Club",
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
    )
    db.add(other_group)
    db.flush()
    db.add(GroupLeader(group_id=other_group.id, user_id=world.other_facilitator.id))
    db.add(
        Enrolment(
            group_id=other_group.id, child_id=world.other_pupil.id, status=EnrolmentStatus.ACTIVE
        )
    )
    other_occurrence = add_occurrence(db, other_group, now - timedelta(minutes=5))
    # Enrolled a month ago (the roster of a past occurrence is who was enrolled then).
    db.execute(update(Enrolment).values(created_at=now - timedelta(days=30)))
    _badge, token = issue_badge(db, OPERATOR, world.own_pupil.id, secret=SECRET)
    db.flush()
    return Scene(world, now, occurrence, other_occurrence, token, settings, db)


@pytest.fixture
def scene(db: Session, settings: Settings) -> Scene:
    return make_scene(db, settings)


def forged(token: str) -> str:
    """The token with its signature's last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def attendance_count(db: Session, occurrence: Occurrence | None = None) -> int:
    query = select(func.count()).select_from(Attendance)
    if occurrence is not None:
        query = query.where(Attendance.occurrence_id == occurrence.id)
    return db.scalar(query) or 0


def enrol(db: Session, world: World, given: str, family: str) -> Child:
    child = make_child(db, given, family, world.school, world.municipality)
    db.add(
        Enrolment(
            group_id=world.group.id,
            child_id=child.id,
            status=EnrolmentStatus.ACTIVE,
            created_at=utcnow() - timedelta(days=30),
        )
    )
    db.flush()
    return child


# --- badge scans -----------------------------------------------------------------------------


def test_scan_checks_in_then_says_already_checked_in(scene: Scene) -> None:
    first = scene.scan(scene.token + "\r\n", device="station-1")
    assert first.result == ScanResult.CHECKED_IN and first.accepted
    assert first.message == "Checked in"
    assert first.child_id == scene.world.own_pupil.id and first.given_name == "Ana"
    assert first.status == AttendanceStatus.PRESENT and not first.can_add_walk_in
    row = scene.db.get(Attendance, first.attendance_id)
    assert row.method == AttendanceMethod.BADGE_SCAN
    assert row.marked_by_id == scene.world.facilitator.id
    second = scene.scan(scene.token)
    assert second.result == ScanResult.ALREADY_CHECKED_IN
    assert second.message == "Already checked in"
    assert attendance_count(scene.db) == 1


def test_a_scan_corrects_a_child_marked_absent_and_says_so(scene: Scene) -> None:
    mark(
        scene.db,
        scene.world.facilitator,
        scene.occurrence.id,
        scene.world.own_pupil.id,
        AttendanceStatus.ABSENT,
    )
    outcome = scene.scan(scene.token)
    assert outcome.result == ScanResult.CHECKED_IN and outcome.accepted
    assert outcome.corrected_from == AttendanceStatus.ABSENT
    assert outcome.message == "Checked in: “Absent” is corrected to “Present”."
    row = scene.db.get(Attendance, outcome.attendance_id)
    assert (row.status, row.method) == (AttendanceStatus.PRESENT, AttendanceMethod.BADGE_SCAN)
    assert scene.scan(scene.token).message == "Already checked in"


@pytest.mark.parametrize(
    "forge",
    [
        forged,  # changed signature
        lambda token: token[:4] + ("X" if token[4] != "X" else "Y") + token[5:],  # altered id
        lambda token: "garbage",
        lambda token: "",
        lambda token: "x" * 5000,
        lambda token: badge_token("another deployment's secret", token.split(".")[1]),
        lambda token: badge_token(SECRET, "AAAAAAAAAAAAAAAA"),  # well signed, never issued
    ],
    ids=["mac", "token_id", "garbage", "empty", "long", "other_secret", "unknown"],
)
def test_forged_and_unknown_tokens_are_rejected(scene: Scene, forge) -> None:
    outcome = scene.scan(forge(scene.token))
    assert outcome.result == ScanResult.REJECTED and not outcome.accepted
    assert outcome.message == "This code is not recognised."
    assert outcome.child_id is None and outcome.given_name is None
    assert outcome.reason in ("invalid_token", "unknown_badge")
    assert attendance_count(scene.db) == 0
    log = scene.db.scalars(select(ScanLog)).one()
    assert log.result == ScanResult.REJECTED and log.reason == outcome.reason


def test_revoked_badge_says_replaced_and_the_new_one_works(scene: Scene) -> None:
    _badge, new_token = issue_badge(
        scene.db, scene.world.facilitator, scene.world.own_pupil.id, secret=SECRET
    )
    old = scene.scan(scene.token)
    assert old.result == ScanResult.BADGE_REPLACED
    assert old.message == "This badge was replaced by a new one. Please use the new badge."
    assert old.child_id == scene.world.own_pupil.id
    assert attendance_count(scene.db) == 0
    assert scene.scan(new_token).result == ScanResult.CHECKED_IN
    assert scene.scan(scene.token).result == ScanResult.BADGE_REPLACED  # still refused


def test_future_cancelled_and_closed_occurrences_are_another_session(scene: Scene) -> None:
    db, group, now = scene.db, scene.world.group, scene.now
    tomorrow = add_occurrence(db, group, now + timedelta(days=1))
    later_today = add_occurrence(db, group, now + timedelta(hours=3))
    yesterday = add_occurrence(db, group, now - timedelta(days=1))
    cancelled = add_occurrence(db, group, now, status=OccurrenceStatus.CANCELLED)
    closed = add_occurrence(db, group, now - timedelta(minutes=30), status=OccurrenceStatus.CLOSED)
    expected = {
        tomorrow: "occurrence_not_started",
        later_today: "occurrence_not_started",
        yesterday: "occurrence_over",
        cancelled: "occurrence_cancelled",
        closed: "occurrence_closed",
    }
    for occurrence, reason in expected.items():
        outcome = scene.scan(scene.token, occurrence=occurrence)
        assert outcome.result == ScanResult.WRONG_OCCURRENCE, reason
        assert outcome.message == "This code is for another session."
        assert outcome.reason == reason
        assert outcome.given_name is None
    assert attendance_count(db) == 0
    # An hour before the start the station already takes scans.
    soon = add_occurrence(db, group, now + timedelta(minutes=55))
    assert scene.scan(scene.token, occurrence=soon).result == ScanResult.CHECKED_IN


def test_offline_scan_still_counts_for_a_closed_occurrence(scene: Scene) -> None:
    closed = add_occurrence(
        scene.db,
        scene.world.group,
        scene.now - timedelta(minutes=100),
        status=OccurrenceStatus.CLOSED,
    )
    at = closed.starts_at + timedelta(minutes=2)
    outcome = scene.scan(
        scene.token,
        occurrence=closed,
        at=at,
        method=AttendanceMethod.OFFLINE_SCAN,
        user=scene.world.admin,
    )
    assert outcome.result == ScanResult.CHECKED_IN
    assert scene.db.get(Attendance, outcome.attendance_id).method == AttendanceMethod.OFFLINE_SCAN


def test_another_groups_occurrence_is_not_enrolled_and_offers_a_walk_in(scene: Scene) -> None:
    admin = scene.world.admin
    outcome = scene.scan(scene.token, occurrence=scene.other_occurrence, user=admin)
    assert outcome.result == ScanResult.NOT_ENROLLED and outcome.can_add_walk_in
    assert outcome.message == "Not enrolled in this group. Add as a walk-in?"
    assert outcome.child_id == scene.world.own_pupil.id and outcome.given_name == "Ana"
    assert attendance_count(scene.db) == 0  # never checked in silently
    add_walk_in(scene.db, admin, scene.other_occurrence.id, scene.world.own_pupil.id)
    again = scene.scan(scene.token, occurrence=scene.other_occurrence, user=admin)
    assert again.result == ScanResult.ALREADY_CHECKED_IN
    assert attendance_count(scene.db) == 1


def test_waiting_or_ended_enrolment_is_not_enrolled(scene: Scene) -> None:
    enrolment = scene.db.scalar(
        select(Enrolment).where(Enrolment.child_id == scene.world.own_pupil.id)
    )
    enrolment.status = EnrolmentStatus.WAITING
    scene.db.flush()
    assert scene.scan(scene.token).result == ScanResult.NOT_ENROLLED


def test_late_after_the_threshold(scene: Scene) -> None:
    start = scene.occurrence.starts_at
    late_after = scene.settings.late_after_minutes
    on_time = enrol(scene.db, scene.world, "Mila", "Nikolić")
    _badge, on_time_token = issue_badge(scene.db, OPERATOR, on_time.id, secret=SECRET)
    just = scene.scan(on_time_token, at=start + timedelta(minutes=late_after))
    assert just.status == AttendanceStatus.PRESENT and just.message == "Checked in"
    late = scene.scan(scene.token, at=start + timedelta(minutes=late_after, seconds=1))
    assert late.result == ScanResult.CHECKED_IN and late.status == AttendanceStatus.LATE
    assert late.message == "Checked in (late)"
    assert scene.db.get(Attendance, late.attendance_id).status == AttendanceStatus.LATE


def test_only_the_sessions_facilitators_may_scan(scene: Scene) -> None:
    for user in (scene.world.other_facilitator, scene.world.coordinator):
        outcome = scene.scan(scene.token, user=user)
        assert outcome.result == ScanResult.REJECTED and outcome.reason == "not_permitted"
        assert outcome.child_id is None
    assert attendance_count(scene.db) == 0
    assert scene.scan(scene.token, user=scene.world.admin).result == ScanResult.CHECKED_IN
    missing = scan(scene.db, OPERATOR, 999_999, scene.token, at=scene.now, settings=scene.settings)
    assert missing.result == ScanResult.REJECTED and missing.reason == "unknown_occurrence"
    for number in (10**12, -1, 0):
        huge = scan(scene.db, OPERATOR, number, scene.token, at=scene.now, settings=scene.settings)
        assert huge.result == ScanResult.REJECTED and huge.reason == "unknown_occurrence"


def test_every_scan_is_logged_without_names(scene: Scene) -> None:
    db, world = scene.db, scene.world
    texts = [scene.token, scene.token, "garbage", forged(scene.token)]
    for text in texts:
        scene.scan(text, device="tablet-7")
    scene.scan(scene.token, user=world.other_facilitator)
    scene.scan(scene.token, occurrence=scene.other_occurrence, user=world.admin)
    issue_badge(db, OPERATOR, world.own_pupil.id, secret=SECRET)
    scene.scan(scene.token)  # replaced
    logs = db.scalars(select(ScanLog).order_by(ScanLog.id)).all()
    assert [log.result for log in logs] == [
        ScanResult.CHECKED_IN,
        ScanResult.ALREADY_CHECKED_IN,
        ScanResult.REJECTED,
        ScanResult.REJECTED,
        ScanResult.REJECTED,
        ScanResult.NOT_ENROLLED,
        ScanResult.BADGE_REPLACED,
    ]
    assert logs[0].user_id == world.facilitator.id and logs[0].device == "tablet-7"
    assert logs[0].occurrence_id == scene.occurrence.id
    assert logs[0].method == AttendanceMethod.BADGE_SCAN and logs[0].at == scene.now
    assert logs[0].token_fingerprint == token_fingerprint(scene.token)
    assert logs[4].user_id == world.other_facilitator.id
    child = world.own_pupil
    personal = [
        child.given_name,
        child.family_name,
        child.birth_date.isoformat(),
        scene.token,
        scene.token.split(".")[1],
    ]
    for log in logs:
        values = [str(getattr(log, column.key)) for column in ScanLog.__table__.columns]
        for value in values:
            for secret in personal:
                assert secret not in value, (secret, value)


def test_concurrent_scans_of_one_badge_make_one_record(
    db: Session, engine: Engine, settings: Settings
) -> None:
    scene = make_scene(db, settings)
    occurrence_id, token, now = scene.occurrence.id, scene.token, scene.now
    facilitator_id = scene.world.facilitator.id
    db.commit()
    factory = session_factory(engine)
    threads = 8
    barrier = threading.Barrier(threads)
    results: list[ScanResult] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def station(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            with factory() as session:
                user = session.get(User, facilitator_id)
                outcome = scan(
                    session,
                    user,
                    occurrence_id,
                    token,
                    at=now,
                    device=f"station-{number}",
                    settings=settings,
                )
                session.commit()
            with lock:
                results.append(outcome.result)
        except BaseException as error:  # reported below
            with lock:
                errors.append(error)

    workers = [threading.Thread(target=station, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    assert Counter(results) == {ScanResult.CHECKED_IN: 1, ScanResult.ALREADY_CHECKED_IN: 7}
    with factory() as session:
        assert attendance_count(session) == 1
        assert session.scalar(select(func.count()).select_from(ScanLog)) == threads


# --- the rotating self check-in code ---------------------------------------------------------


def test_session_code_format_and_url(scene: Scene) -> None:
    code = session_code(SECRET, scene.occurrence.id, scene.now)
    assert len(code) == CODE_LENGTH
    assert code == session_code(SECRET, scene.occurrence.id, scene.now)  # derived, not stored
    assert code != session_code("another secret", scene.occurrence.id, scene.now)
    assert (
        self_check_in_url(scene.occurrence.id, code) == f"check_in?o={scene.occurrence.id}&c={code}"
    )
    shown = facilitator_session_code(
        scene.db, scene.world.facilitator, scene.occurrence.id, scene.now, secret=SECRET
    )
    assert shown.code == code and shown.url.endswith(code)
    assert scene.now < shown.valid_until <= scene.now + timedelta(seconds=60)
    with pytest.raises(PermissionDenied):
        facilitator_session_code(
            scene.db, scene.world.other_facilitator, scene.occurrence.id, scene.now, secret=SECRET
        )


def test_current_and_previous_step_accepted_older_rejected(scene: Scene) -> None:
    db, occurrence, now = scene.db, scene.occurrence, scene.now
    current = session_code(SECRET, occurrence.id, now)
    previous = session_code(SECRET, occurrence.id, now - timedelta(seconds=30))
    two_old = session_code(SECRET, occurrence.id, now - timedelta(seconds=60))
    following = session_code(SECRET, occurrence.id, now + timedelta(seconds=30))
    other = session_code(SECRET, scene.other_occurrence.id, now)
    assert verify_session_code(db, occurrence.id, current, now, secret=SECRET) is occurrence
    assert verify_session_code(db, str(occurrence.id), previous, now, secret=SECRET) is occurrence
    assert code_matches(SECRET, occurrence.id, f" {current}\n", now)
    for code in (two_old, following, other, "", None, current[:-1], current + "x", "A" * 10):
        with pytest.raises(ValidationError) as refused:
            verify_session_code(db, occurrence.id, code, now, secret=SECRET)
        assert "expired or is not valid" in refused.value.message
    for occurrence_id in ("abc", "-1", "", None, 0, 10**20):
        with pytest.raises(ValidationError):
            verify_session_code(db, occurrence_id, current, now, secret=SECRET)


def test_code_for_a_future_or_closed_occurrence_is_refused(scene: Scene) -> None:
    db, group, now = scene.db, scene.world.group, scene.now
    for occurrence in (
        add_occurrence(db, group, now + timedelta(days=1)),
        add_occurrence(db, group, now, status=OccurrenceStatus.CANCELLED),
        add_occurrence(db, group, now - timedelta(minutes=30), status=OccurrenceStatus.CLOSED),
        add_occurrence(db, group, now - timedelta(days=2)),
    ):
        code = session_code(SECRET, occurrence.id, now)
        with pytest.raises(ValidationError) as refused:
            verify_session_code(db, occurrence.id, code, now, secret=SECRET)
        assert refused.value.message == "Check-in for this session is not open right now."
        outcome = self_check_in(
            db,
            occurrence.id,
            code,
            child_id=scene.world.own_pupil.id,
            at=now,
            device="phone",
            secret=SECRET,
            settings=scene.settings,
        )
        assert outcome.result == ScanResult.WRONG_OCCURRENCE
    assert attendance_count(db) == 0


def test_roster_shows_first_names_only(scene: Scene) -> None:
    db, world, now = scene.db, scene.world, scene.now
    jovic = enrol(db, world, "Ana", "Jović")
    elvis = enrol(db, world, "Elvis", "Demiri")
    enrol(db, world, "Luka", "Ilić").id  # noqa: B018
    code = session_code(SECRET, scene.occurrence.id, now)
    roster = self_check_in_roster(db, scene.occurrence.id, code, now, device="phone", secret=SECRET)
    names = dict(roster)
    assert names == {
        world.own_pupil.id: "Ana P.",
        jovic.id: "Ana J.",
        elvis.id: "Elvis",
        max(names): "Luka",
    }
    assert [name for _id, name in roster] == ["Ana J.", "Ana P.", "Elvis", "Luka"]
    # Nobody from elsewhere, and no family name, birth date or status anywhere.
    assert world.other_pupil.id not in names and world.followed_child.id not in names
    text = json.dumps(roster, ensure_ascii=False)
    for family in ("Petrović", "Jović", "Demiri", "Ilić", "2014"):
        assert family not in text
    with pytest.raises(ValidationError):
        self_check_in_roster(db, scene.occurrence.id, "wrongcode0", now, secret=SECRET)
    with pytest.raises(ValidationError):  # another occurrence's code
        self_check_in_roster(db, scene.other_occurrence.id, code, now, secret=SECRET)


def test_self_check_in_by_name_and_by_badge(scene: Scene) -> None:
    db, world, now = scene.db, scene.world, scene.now
    code = session_code(SECRET, scene.occurrence.id, now)

    def check_in(**kw):
        return self_check_in(
            db,
            scene.occurrence.id,
            code,
            at=now,
            device="phone-1",
            secret=SECRET,
            settings=scene.settings,
            **kw,
        )

    first = check_in(child_id=world.own_pupil.id)
    assert first.result == ScanResult.CHECKED_IN and first.given_name == "Ana"
    row = db.get(Attendance, first.attendance_id)
    assert row.method == AttendanceMethod.SELF_CHECK_IN and row.marked_by_id is None
    assert check_in(child_id=world.own_pupil.id).result == ScanResult.ALREADY_CHECKED_IN
    assert check_in(badge_text=scene.token + "\n").result == ScanResult.ALREADY_CHECKED_IN
    mila = enrol(db, world, "Mila", "Nikolić")
    _badge, mila_token = issue_badge(db, OPERATOR, mila.id, secret=SECRET)
    assert check_in(badge_text=mila_token).result == ScanResult.CHECKED_IN
    # Refusals: not on the roster, a forged badge, a replaced one, nothing chosen.
    outsider = check_in(child_id=world.other_pupil.id)
    assert outsider.result == ScanResult.REJECTED and outsider.reason == "not_on_roster"
    assert outsider.given_name is None
    assert check_in(child_id=999_999).reason == "not_on_roster"
    assert check_in(badge_text=forged(mila_token)).reason == "invalid_token"
    issue_badge(db, OPERATOR, mila.id, secret=SECRET)
    assert check_in(badge_text=mila_token).result == ScanResult.BADGE_REPLACED
    assert check_in().reason == "nothing_chosen"
    assert check_in(child_id=world.own_pupil.id, badge_text=mila_token).result in (
        ScanResult.BADGE_REPLACED,
    )
    for occurrence_id in ("abc", "", str(10**15), None):
        nonsense = self_check_in(
            db,
            occurrence_id,
            code,
            child_id=world.own_pupil.id,
            at=now,
            device="phone-1",
            secret=SECRET,
            settings=scene.settings,
        )
        assert nonsense.reason == "invalid_code"
    bad_code = self_check_in(
        db,
        scene.occurrence.id,
        "AAAAAAAAAA",
        child_id=world.own_pupil.id,
        at=now,
        device="phone-1",
        secret=SECRET,
        settings=scene.settings,
    )
    assert bad_code.result == ScanResult.REJECTED and bad_code.reason == "invalid_code"
    assert attendance_count(db) == 2
    logs = db.scalars(select(ScanLog).where(ScanLog.method == AttendanceMethod.SELF_CHECK_IN))
    logs = list(logs)
    assert len(logs) == 15
    assert all(log.user_id is None and log.device == "phone-1" for log in logs)


def test_guardian_check_in_with_and_without_child(scene: Scene) -> None:
    db, world, now = scene.db, scene.world, scene.now
    family = add_occurrence(
        db, world.group, now - timedelta(minutes=1), kind=SessionKind.FAMILY_WORKSHOP
    )
    code = session_code(SECRET, family.id, now)
    guardians = self_check_in_guardians(db, family.id, code, world.own_pupil.id, now, secret=SECRET)
    assert len(guardians) == 1 and guardians[0][1] == "Guardian"  # a first name only
    guardian_id = guardians[0][0]
    assert (
        self_check_in_guardians(db, family.id, code, world.other_pupil.id, now, secret=SECRET) == []
    )

    alone = self_check_in(
        db,
        family.id,
        code,
        guardian_id=guardian_id,
        at=now,
        device="p",
        secret=SECRET,
        settings=scene.settings,
    )
    assert alone.result == ScanResult.CHECKED_IN and alone.child_id is None
    assert attendance_count(db) == 0
    involvement = db.scalars(select(GuardianInvolvement)).one()
    assert involvement.role == InvolvementRole.FAMILY_WORKSHOP
    assert involvement.method == AttendanceMethod.SELF_CHECK_IN
    again = self_check_in(
        db,
        family.id,
        code,
        guardian_id=guardian_id,
        at=now,
        device="p",
        secret=SECRET,
        settings=scene.settings,
    )
    assert again.result == ScanResult.ALREADY_CHECKED_IN

    code = session_code(SECRET, scene.occurrence.id, now)
    both = self_check_in(
        db,
        scene.occurrence.id,
        code,
        child_id=world.own_pupil.id,
        guardian_id=guardian_id,
        at=now,
        device="p",
        secret=SECRET,
        settings=scene.settings,
    )
    assert both.result == ScanResult.CHECKED_IN and both.child_id == world.own_pupil.id
    accompanied = db.scalar(
        select(GuardianInvolvement).where(GuardianInvolvement.occurrence_id == scene.occurrence.id)
    )
    assert accompanied.role == InvolvementRole.ACCOMPANIED
    assert accompanied.child_id == world.own_pupil.id
    assert attendance_count(db) == 1
    # A guardian of a child not on the roster is refused.
    stranger = db.scalar(
        select(ChildGuardian.guardian_id).where(ChildGuardian.child_id == world.other_pupil.id)
    )
    refused = self_check_in(
        db,
        scene.occurrence.id,
        code,
        guardian_id=stranger,
        at=now,
        device="p",
        secret=SECRET,
        settings=scene.settings,
    )
    assert refused.result == ScanResult.REJECTED and refused.reason == "not_on_roster"


def test_facilitator_sees_self_check_ins_and_can_undo(scene: Scene) -> None:
    db, world, now = scene.db, scene.world, scene.now
    code = session_code(SECRET, scene.occurrence.id, now)
    guardian_id = db.scalar(
        select(ChildGuardian.guardian_id).where(ChildGuardian.child_id == world.own_pupil.id)
    )
    mila = enrol(db, world, "Mila", "Nikolić")
    self_check_in(
        db,
        scene.occurrence.id,
        code,
        child_id=world.own_pupil.id,
        guardian_id=guardian_id,
        at=now,
        device="p",
        secret=SECRET,
        settings=scene.settings,
    )
    _badge, mila_token = issue_badge(db, OPERATOR, mila.id, secret=SECRET)
    scene.scan(mila_token)  # scanned by the facilitator: not a self check-in
    entries = recent_self_check_ins(db, world.facilitator, scene.occurrence.id)
    assert {(entry.kind, entry.child_id, entry.given_name) for entry in entries} == {
        ("child", world.own_pupil.id, "Ana"),
        ("guardian", world.own_pupil.id, "Ana"),
    }
    with pytest.raises(PermissionDenied):
        recent_self_check_ins(db, world.other_facilitator, scene.occurrence.id)
    for entry in entries:
        undo_self_check_in(db, world.facilitator, scene.occurrence.id, entry.kind, entry.record_id)
    assert recent_self_check_ins(db, world.facilitator, scene.occurrence.id) == []
    assert attendance_count(db) == 1  # Mila's scan stays
    with pytest.raises(NotFound):
        undo_self_check_in(
            db, world.facilitator, scene.occurrence.id, "child", entries[0].record_id
        )
    scanned = db.scalar(select(Attendance.id).where(Attendance.child_id == mila.id))
    with pytest.raises(NotFound):  # only self check-ins are undone here
        undo_self_check_in(db, world.facilitator, scene.occurrence.id, "child", scanned)


# --- rate limits -----------------------------------------------------------------------------


def test_rate_limit_blocks_the_31st_attempt_and_resets_next_window(db: Session) -> None:
    start = datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    for attempt in range(30):
        assert ratelimit.hit(db, "device:abc", 30, 60, start + timedelta(seconds=attempt)), attempt
    assert not ratelimit.hit(db, "device:abc", 30, 60, start + timedelta(seconds=59))
    assert not ratelimit.hit(db, "device:abc", 30, 60, start + timedelta(seconds=59))
    assert ratelimit.hit(db, "device:other", 30, 60, start + timedelta(seconds=59))
    assert ratelimit.hit(db, "device:abc", 30, 60, start + timedelta(seconds=60))  # new window
    assert (
        db.scalar(
            select(RateLimitHit.hits).where(
                RateLimitHit.key == "device:abc", RateLimitHit.window_start == start
            )
        )
        == 32
    )
    # Windows that ended long ago are pruned when a new one opens.
    later = start + timedelta(days=2)
    assert ratelimit.hit(db, "device:abc", 30, 60, later)
    assert db.scalar(select(func.count()).select_from(RateLimitHit)) == 1
    with pytest.raises(ValueError):
        ratelimit.hit(db, "", 30, 60, start)
    with pytest.raises(ValueError):
        ratelimit.hit(db, "k", 30, 60, start.replace(tzinfo=None))


def test_rate_limit_is_shared_between_processes(db: Session, engine: Engine) -> None:
    start = datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    factory = session_factory(engine)
    for _attempt in range(4):
        with factory() as session:  # as separate app processes would, each committing
            assert ratelimit.hit(session, "shared", 4, 60, start)
            session.commit()
    with factory() as session:
        assert not ratelimit.hit(session, "shared", 4, 60, start)
        session.commit()


def test_anonymous_check_in_is_rate_limited_per_device_and_occurrence(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, world, now = scene.db, scene.world, scene.now
    code = session_code(SECRET, scene.occurrence.id, now)

    def attempt(device: str, code: str = "wrongcode0", at: datetime = now):
        return self_check_in(
            db,
            scene.occurrence.id,
            code,
            child_id=world.own_pupil.id,
            at=at,
            device=device,
            secret=SECRET,
            settings=scene.settings,
        )

    assert all(attempt("guesser").result == ScanResult.REJECTED for _ in range(30))
    blocked = attempt("guesser", code)  # even the right code, once over the limit
    assert blocked.result == ScanResult.RATE_LIMITED
    assert blocked.message == "Too many attempts. Please wait a minute and try again."
    for _ in range(5):
        assert attempt("guesser").result == ScanResult.RATE_LIMITED
    with pytest.raises(ValidationError):
        self_check_in_roster(db, scene.occurrence.id, code, now, device="guesser", secret=SECRET)
    # A shared tablet next to it is not blocked; the next window starts afresh.
    assert attempt("tablet", code).result == ScanResult.CHECKED_IN
    step = now + timedelta(seconds=60)
    fresh = session_code(SECRET, scene.occurrence.id, step)
    assert attempt("guesser", fresh, step).result == ScanResult.ALREADY_CHECKED_IN
    # Blocked attempts are logged once per window, not once per request.
    limited = db.scalar(
        select(func.count()).select_from(ScanLog).where(ScanLog.result == ScanResult.RATE_LIMITED)
    )
    assert limited == 1
    # The occurrence's own limit holds however many devices an attacker makes up.
    monkeypatch.setattr(checkin, "OCCURRENCE_LIMIT", 3)
    later = now + timedelta(seconds=120)
    results = [attempt(f"device-{n}", at=later).result for n in range(5)]
    assert results == [ScanResult.REJECTED] * 3 + [ScanResult.RATE_LIMITED] * 2


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def deployment(
    db: Session,
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Scene:
    scene = make_scene(db, settings)
    db.commit()
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", SECRET)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield scene
    get_settings.cache_clear()


CLI = click.Group("parliament", commands=[qr, checkin_command])


def run(*args: str):
    result = CliRunner().invoke(CLI, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_checkin_command_twice_on_the_same_log(deployment: Scene) -> None:
    scene, db = deployment, deployment.db
    with session_factory(db.get_bind())() as session:
        mila = enrol(session, scene.world, "Mila", "Nikolić")
        _badge, mila_token = issue_badge(session, OPERATOR, mila.id, secret=SECRET)
        session.commit()
    at = (scene.occurrence.starts_at + timedelta(minutes=3)).isoformat()
    log = [scene.token, mila_token, "garbage", forged(scene.token)]
    args = [
        "checkin",
        "--occurrence",
        str(scene.occurrence.id),
        *log,
        "--at",
        at,
        "--format",
        "json",
    ]
    first = [json.loads(line) for line in run(*args).output.splitlines()]
    assert first == [
        {"token": scene.token, "result": "checked_in", "reason": ""},
        {"token": mila_token, "result": "checked_in", "reason": ""},
        {"token": "garbage", "result": "rejected", "reason": "invalid_token"},
        {"token": log[3], "result": "rejected", "reason": "invalid_token"},
    ]
    with session_factory(db.get_bind())() as session:
        count = attendance_count(session)
        methods = set(session.scalars(select(Attendance.method)))
    assert count == 2 and methods == {AttendanceMethod.OFFLINE_SCAN}
    second = [json.loads(line) for line in run(*args).output.splitlines()]
    assert [line["result"] for line in second] == [
        "already_checked_in",
        "already_checked_in",
        "rejected",
        "rejected",
    ]
    with session_factory(db.get_bind())() as session:
        assert attendance_count(session) == count
        assert session.scalar(select(func.count()).select_from(ScanLog)) == 8


def test_checkin_command_maps_finer_outcomes_to_rejected(deployment: Scene) -> None:
    scene = deployment
    other = str(scene.other_occurrence.id)
    result = run("checkin", "--occurrence", other, scene.token, "--format", "json")
    assert json.loads(result.output) == {
        "token": scene.token,
        "result": "rejected",
        "reason": "not_enrolled",
    }
    future = (scene.now + timedelta(days=3)).isoformat()
    result = run(
        "checkin",
        "--occurrence",
        str(scene.occurrence.id),
        scene.token,
        "--at",
        future,
        "--format",
        "json",
    )
    assert json.loads(result.output)["reason"] == "wrong_occurrence"
    text = run("checkin", "--occurrence", str(scene.occurrence.id), scene.token)
    assert text.output.split() == [scene.token, "checked_in"]
    bad = CliRunner().invoke(CLI, ["checkin", "--occurrence", "1", "x", "--at", "yesterday"])
    assert bad.exit_code == 2


def test_qr_commands_write_decodable_badges(deployment: Scene, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    scene = deployment
    png = tmp_path / "badge.png"
    run("qr", "badge", str(scene.world.own_pupil.id), "--out", str(png))
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(png))]
    assert decoded == [scene.token]  # the live badge, not a new one
    run("qr", "badge", str(scene.world.own_pupil.id), "--out", str(png), "--reissue")
    reissued = [r.text for r in zxingcpp.read_barcodes(Image.open(png))]
    assert reissued != [scene.token]
    assert Image.open(io.BytesIO(badge_png(reissued[0]))).size == Image.open(png).size
    pdf = tmp_path / "sheet.pdf"
    run("qr", "badges", "--group", "Parliament A", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    missing = CliRunner().invoke(CLI, ["qr", "badges", "--group", "Nope", "--out", str(pdf)])
    assert missing.exit_code == 2 and "no single group" in missing.output


def test_commands_are_registered_on_parliament(deployment: Scene) -> None:
    from parliament_app.cli.main import main

    scene = deployment
    listing = CliRunner().invoke(main, ["qr", "--help"])
    assert listing.exit_code == 0 and "badges" in listing.output and "badge" in listing.output
    result = CliRunner().invoke(
        main, ["checkin", "--occurrence", str(scene.occurrence.id), scene.token, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["result"] == "checked_in"
