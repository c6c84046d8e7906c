"""Early warning: each rule raises once per episode (not again the same day or the next), a new
episode raises again, per-centre settings move the thresholds, the inbox belongs to its centre,
facilitators get a neutral prompt for the groups they lead, and ``parliament alerts`` prints
JSON. Controlled clocks (``today=``); SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.cli.alerts import alerts_command
from parliament_app.core.config import get_settings
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Consent,
    ConsentScope,
    EndReason,
    Enrolment,
    EnrolmentStatus,
    utcnow,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus
from parliament_app.models.monitoring import Alert, AlertRule, AlertStatus, FamilyCheckPrompt
from parliament_app.models.quizzes import TalkRequest
from parliament_app.monitoring import alerts as alerts_service
from parliament_app.monitoring.alerts import (
    DEFAULTS,
    PromptView,
    acknowledge,
    add_note,
    alerts_json,
    evaluate,
    family_prompts,
    inbox,
    mark_prompt_done,
    resolve,
    settings_for,
    update_settings,
)
from parliament_app.monitoring.caseload import caseload
from tests.factories import build_world
from tests.factories.groups import make_group
from tests.factories.meetings import (
    TODAY,
    UNMARKED,
    A,
    E,
    P,
    at,
    days_ago,
    mark,
    occurrence,
    sessions_with,
)
from tests.factories.monitoring import follow
from tests.factories.quizzes import quiz_player
from tests.probes import audit_count

TOMORROW = TODAY + timedelta(days=1)


def _alerts(db: Session, rule: AlertRule | None = None) -> list[Alert]:
    db.flush()
    query = select(Alert).order_by(Alert.id)
    if rule is not None:
        query = query.where(Alert.rule == rule)
    return list(db.scalars(query))


def _setup(db: Session):
    world = build_world(db)
    group = make_group(db, world, "Workshops")
    return world, group


# --- the rules, once per episode ---------------------------------------------------------------


def test_consecutive_absences_raise_once_per_episode(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Ivana", "Ilić", group=group)
    sessions_with(db, group, child, [(days_ago(9), P), (days_ago(5), A), (days_ago(2), UNMARKED)])

    result = evaluate(db, today=TODAY)
    raised = _alerts(db, AlertRule.CONSECUTIVE_ABSENCES)
    assert len(raised) == 1
    assert raised[0].child_id == child.id and raised[0].csw_id == world.csw.id
    assert raised[0].episode == days_ago(5).isoformat()  # the run's first absence
    assert raised[0].detail == {"absences": 2}
    assert raised[0].status == AlertStatus.OPEN
    assert result.per_rule["consecutive_absences"] == 1

    assert evaluate(db, today=TODAY).per_rule["consecutive_absences"] == 0  # same day
    assert evaluate(db, today=TOMORROW).per_rule["consecutive_absences"] == 0  # next day
    # The run goes on: still the same episode.
    sessions_with(db, group, child, [(TOMORROW, A)])
    assert evaluate(db, today=TOMORROW).per_rule["consecutive_absences"] == 0
    assert len(_alerts(db, AlertRule.CONSECUTIVE_ABSENCES)) == 1

    # She comes back, then misses twice again: a new episode.
    later = TODAY + timedelta(days=8)
    sessions_with(
        db,
        group,
        child,
        [(TODAY + timedelta(days=3), P), (TODAY + timedelta(days=5), A), (later, A)],
    )
    assert evaluate(db, today=later).per_rule["consecutive_absences"] == 1
    episodes = [alert.episode for alert in _alerts(db, AlertRule.CONSECUTIVE_ABSENCES)]
    assert episodes == [days_ago(5).isoformat(), (TODAY + timedelta(days=5)).isoformat()]


def test_an_excused_absence_is_not_an_absence_for_the_rule(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Excused", "Twice", group=group)
    sessions_with(db, group, child, [(days_ago(9), P), (days_ago(5), E), (days_ago(2), A)])
    assert evaluate(db, today=TODAY).per_rule["consecutive_absences"] == 0


def test_low_attendance_raises_once_per_episode(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Low", "Rate", group=group)
    # Weeks of good attendance, then absences (excused, so the absence rule stays quiet).
    sessions_with(
        db,
        group,
        child,
        [(days_ago(d), P) for d in (60, 53, 46, 39)] + [(days_ago(d), E) for d in (25, 18, 11, 4)],
    )
    assert evaluate(db, today=TODAY).per_rule["low_attendance"] == 1
    alert = _alerts(db, AlertRule.LOW_ATTENDANCE)[0]
    # The 4-week rate dropped below 50 % on the day of the second excused absence (18 days
    # ago: 1 attended of 3 counted): the episode is that day's ISO week.
    year, week, _day = days_ago(18).isocalendar()
    assert alert.episode == f"{year}-W{week:02d}"
    assert alert.detail["counted"] == 4 and alert.detail["attended"] == 0
    assert evaluate(db, today=TODAY).per_rule["low_attendance"] == 0
    assert evaluate(db, today=TOMORROW).per_rule["low_attendance"] == 0

    # Attendance recovers, then drops again: a new episode.
    good = [TODAY + timedelta(days=d) for d in (3, 10, 17, 24, 31)]
    sessions_with(db, group, child, [(day, P) for day in good])
    assert evaluate(db, today=good[-1]).per_rule["low_attendance"] == 0
    bad = [TODAY + timedelta(days=d) for d in (38, 45, 52, 59)]
    sessions_with(db, group, child, [(day, E) for day in bad])
    assert evaluate(db, today=bad[-1]).per_rule["low_attendance"] == 1
    assert len({alert.episode for alert in _alerts(db, AlertRule.LOW_ATTENDANCE)}) == 2


def test_low_attendance_needs_enough_sessions(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Few", "Sessions", group=group)
    sessions_with(db, group, child, [(days_ago(10), E), (days_ago(3), E)])
    assert evaluate(db, today=TODAY).per_rule["low_attendance"] == 0


def test_no_attendance_for_21_days(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Gone", "Quiet", group=group)
    sessions_with(db, group, child, [(days_ago(30), P), (days_ago(16), E), (days_ago(9), E)])
    result = evaluate(db, today=TODAY)
    assert result.per_rule["no_attendance"] == 1
    alert = _alerts(db, AlertRule.NO_ATTENDANCE)[0]
    assert alert.episode == days_ago(30).isoformat() and alert.detail == {"days": 30}
    assert evaluate(db, today=TODAY).per_rule["no_attendance"] == 0
    assert evaluate(db, today=TOMORROW).per_rule["no_attendance"] == 0

    # She attends again; 21 days later with a session held meanwhile: a new episode.
    back = TODAY + timedelta(days=2)
    sessions_with(db, group, child, [(back, P), (back + timedelta(days=7), E)])
    assert evaluate(db, today=back + timedelta(days=20)).per_rule["no_attendance"] == 0
    assert evaluate(db, today=back + timedelta(days=21)).per_rule["no_attendance"] == 1
    assert [a.episode for a in _alerts(db, AlertRule.NO_ATTENDANCE)][-1] == back.isoformat()


def test_no_attendance_needs_a_session_held_and_an_active_enrolment(db: Session) -> None:
    world, group = _setup(db)
    paused = follow(db, world, "Summer", "Break", group=group)
    sessions_with(db, group, paused, [(days_ago(40), P)])
    # Nothing was held since: a break, not a missing child.
    assert evaluate(db, today=TODAY).per_rule["no_attendance"] == 0
    # Never attended: counted from the enrolment's start.
    newcomer = follow(db, world, "Never", "Came", group=group, since=at(days_ago(25)))
    occurrence(db, group, days_ago(3), OccurrenceStatus.SCHEDULED)
    assert evaluate(db, today=TODAY).per_rule["no_attendance"] == 2
    episodes = {a.child_id: a.episode for a in _alerts(db, AlertRule.NO_ATTENDANCE)}
    assert episodes[newcomer.id] == days_ago(25).isoformat()
    # No active enrolment: no alert.
    left = follow(db, world, "Left", "Group", group=group)
    enrolment = db.scalar(select(Enrolment).where(Enrolment.child_id == left.id))
    enrolment.status = EnrolmentStatus.ENDED
    enrolment.ended_at = at(days_ago(100))
    enrolment.end_reason = EndReason.CANCELLED
    db.flush()
    evaluate(db, today=TODAY)
    assert left.id not in {a.child_id for a in _alerts(db)}


def test_wants_to_talk_raises_once_per_request(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Talk", "ToMe", group=group)
    player = quiz_player(db, world, child, group)
    first = TalkRequest(run_id=player.run_id, player_id=player.id, created_at=at(days_ago(1)))
    unlinked = quiz_player(db, world, None, group)  # not linked to a child: nobody to alert
    db.add_all(
        [first, TalkRequest(run_id=unlinked.run_id, player_id=unlinked.id, created_at=utcnow())]
    )
    db.flush()
    assert evaluate(db, today=TODAY).per_rule["wants_to_talk"] == 1
    assert _alerts(db, AlertRule.WANTS_TO_TALK)[0].episode == str(first.id)
    assert evaluate(db, today=TODAY).per_rule["wants_to_talk"] == 0
    assert evaluate(db, today=TOMORROW).per_rule["wants_to_talk"] == 0
    second = TalkRequest(run_id=player.run_id, player_id=player.id, created_at=at(TOMORROW))
    db.add(second)
    db.flush()
    assert evaluate(db, today=TOMORROW).per_rule["wants_to_talk"] == 1
    assert [a.episode for a in _alerts(db, AlertRule.WANTS_TO_TALK)] == [
        str(first.id),
        str(second.id),
    ]


def test_consent_withdrawal_raises_once_per_enrolment(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Withdrawn", "Consent", group=group, basis="referral")
    enrolment = db.scalar(
        select(Enrolment).where(Enrolment.child_id == child.id, Enrolment.group_id == group.id)
    )
    enrolment.status = EnrolmentStatus.ENDED
    enrolment.ended_at = at(days_ago(2))
    enrolment.end_reason = EndReason.CONSENT_WITHDRAWN
    db.flush()
    assert evaluate(db, today=TODAY).per_rule["consent_withdrawn"] == 1
    alert = _alerts(db, AlertRule.CONSENT_WITHDRAWN)[0]
    assert alert.episode == str(enrolment.id) and alert.detail == {"group_id": group.id}
    assert evaluate(db, today=TODAY).per_rule["consent_withdrawn"] == 0
    assert evaluate(db, today=TOMORROW).per_rule["consent_withdrawn"] == 0


def test_the_unique_constraint_refuses_a_second_alert_for_an_episode(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two evaluations at once: the pre-check cannot see the other's alert, so the second insert
    of an episode reaches the database, fails inside its SAVEPOINT and the evaluation carries
    on (simulated by blinding the pre-check)."""
    world, group = _setup(db)
    child = follow(db, world, "Race", "Condition", group=group)
    sessions_with(db, group, child, [(days_ago(5), A), (days_ago(2), A)])
    assert evaluate(db, today=TODAY).raised == 2  # consecutive absences + no attendance
    monkeypatch.setattr(alerts_service, "_existing_episodes", lambda *args: set())
    result = evaluate(db, today=TODAY)
    assert result.raised == 0 and result.prompts == 0
    assert len(_alerts(db)) == 2
    # The session is still usable after the refused inserts.
    assert db.get(Alert, _alerts(db)[0].id).status == AlertStatus.OPEN


def test_children_the_centre_may_not_see_raise_nothing(db: Session) -> None:
    world, group = _setup(db)
    hidden = follow(db, world, "No", "Basis", group=group, basis=None)
    sessions_with(db, group, hidden, [(days_ago(5), A), (days_ago(2), A)])
    assert evaluate(db, today=TODAY).raised == 0


def test_evaluation_is_audited_without_names(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Audit", "Mitrović", group=group)
    sessions_with(db, group, child, [(days_ago(5), A), (days_ago(2), A)])
    before = audit_count(db, AuditAction.CREATE)
    evaluate(db, today=TODAY)
    assert audit_count(db, AuditAction.CREATE) == before + 1
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.record_type == "alert_evaluation" and entry.actor == "anonymous"
    assert len(entry.detail["alert_ids"]) == 2
    assert "Mitrović" not in json.dumps(entry.detail, ensure_ascii=False)
    evaluate(db, today=TODAY)  # nothing new: nothing to record
    assert audit_count(db, AuditAction.CREATE) == before + 1


# --- settings ----------------------------------------------------------------------------------


def test_settings_change_thresholds(db: Session) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Two", "Absences", group=group)
    sessions_with(db, group, child, [(days_ago(9), P), (days_ago(5), A), (days_ago(2), A)])
    assert settings_for(db, world.csw.id) == dataclasses.replace(DEFAULTS, csw_id=world.csw.id)

    before = audit_count(db, AuditAction.UPDATE)
    updated = update_settings(db, world.social_worker, world.csw.id, consecutive_absences=3)
    assert updated.consecutive_absences == 3 and updated.updated_at is not None
    assert audit_count(db, AuditAction.UPDATE) == before + 1
    assert evaluate(db, today=TODAY).per_rule["consecutive_absences"] == 0
    sessions_with(db, group, child, [(TODAY, A)])
    assert evaluate(db, today=TODAY).per_rule["consecutive_absences"] == 1

    # The other centre keeps the defaults.
    assert settings_for(db, world.other_csw.id).consecutive_absences == 2
    # Turning a rule off.
    update_settings(db, world.admin, world.csw.id, wants_to_talk=False, low_attendance_share=0)
    player = quiz_player(db, world, child, group)
    db.add(TalkRequest(run_id=player.run_id, player_id=player.id, created_at=at(TODAY)))
    db.flush()
    result = evaluate(db, today=TODAY)
    assert result.per_rule["wants_to_talk"] == 0 and result.per_rule["low_attendance"] == 0


def test_settings_are_validated_and_belong_to_their_centre(db: Session) -> None:
    world, _group = _setup(db)
    for bad in (
        {"consecutive_absences": 0},
        {"consecutive_absences": 2.5},
        {"low_attendance_share": 1.5},
        {"low_attendance_share": -0.1},
        {"days_without_attendance": 3},
        {"consecutive_absences": True},
        {"wants_to_talk": "yes"},
    ):
        with pytest.raises(ValidationError):
            update_settings(db, world.social_worker, world.csw.id, **bad)
    for name in ("other_social_worker", "facilitator", "coordinator"):
        with pytest.raises(PermissionDenied):
            update_settings(db, getattr(world, name), world.csw.id, consecutive_absences=4)
    with pytest.raises(NotFound):
        update_settings(db, world.admin, world.school.id, consecutive_absences=4)
    assert settings_for(db, world.csw.id).consecutive_absences == 2


# --- the inbox ---------------------------------------------------------------------------------


def _raised(db: Session):
    """One alert (two absences in a row after three attendances: the rate stays at 60 %)."""
    world, group = _setup(db)
    child = follow(db, world, "Inbox", "Child", group=group)
    sessions_with(
        db,
        group,
        child,
        [
            (days_ago(23), P),
            (days_ago(16), P),
            (days_ago(9), P),
            (days_ago(5), A),
            (days_ago(2), A),
        ],
    )
    evaluate(db, today=TODAY)
    return world, group, child, _alerts(db, AlertRule.CONSECUTIVE_ABSENCES)[0]


def test_inbox_acknowledge_note_resolve(db: Session) -> None:
    world, _group, child, alert = _raised(db)
    before = audit_count(db, AuditAction.READ_SPECIAL)
    views = inbox(db, world.social_worker)
    assert audit_count(db, AuditAction.READ_SPECIAL) == before + 1
    assert [view.id for view in views] == [alert.id]
    assert views[0].child_id == child.id and views[0].rule_label == "Consecutive absences"
    assert _row_alerts(db, world, child) == 1

    updates = audit_count(db, AuditAction.UPDATE)
    assert acknowledge(db, world.social_worker, alert.id).status == AlertStatus.ACKNOWLEDGED
    assert audit_count(db, AuditAction.UPDATE) == updates + 1
    assert [view.id for view in inbox(db, world.social_worker)] == [alert.id]  # still open
    assert inbox(db, world.social_worker, "acknowledged")[0].id == alert.id

    note = add_note(db, world.social_worker, alert.id, "Called the mother; she is ill.")
    assert note.text.startswith("Called")
    with pytest.raises(ValidationError):
        add_note(db, world.social_worker, alert.id, "   ")
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.record_type == "alert_note" and "mother" not in json.dumps(entry.detail)

    resolved = resolve(db, world.social_worker, alert.id, note="Back next week.")
    assert resolved.status == AlertStatus.RESOLVED and len(resolved.notes) == 2
    assert inbox(db, world.social_worker) == []
    assert [view.id for view in inbox(db, world.social_worker, "all")] == [alert.id]
    assert _row_alerts(db, world, child) == 0
    with pytest.raises(ValidationError):
        resolve(db, world.social_worker, alert.id)
    with pytest.raises(ValidationError):
        acknowledge(db, world.social_worker, alert.id)
    with pytest.raises(ValidationError):
        inbox(db, world.social_worker, "maybe")


def _row_alerts(db: Session, world, child) -> int:
    rows = caseload(db, world.social_worker, today=TODAY)
    return next(row.open_alerts for row in rows if row.child_id == child.id)


def test_another_centre_sees_nothing_and_cannot_act(db: Session) -> None:
    world, _group, _child, alert = _raised(db)
    assert inbox(db, world.other_social_worker, "all") == []
    for action in (
        lambda user: acknowledge(db, user, alert.id),
        lambda user: add_note(db, user, alert.id, "Not mine"),
        lambda user: resolve(db, user, alert.id),
    ):
        with pytest.raises(NotFound):
            action(world.other_social_worker)
        with pytest.raises(NotFound):
            action(world.facilitator)
    for name in ("facilitator", "coordinator"):
        with pytest.raises(PermissionDenied):
            inbox(db, getattr(world, name))
    assert db.get(Alert, alert.id).status == AlertStatus.OPEN
    # Once the sharing consent is withdrawn, not even the centre may act on it.
    consent = db.scalar(
        select(Consent).where(
            Consent.child_id == alert.child_id, Consent.scope == ConsentScope.CSW_SHARING
        )
    )
    consent.withdrawn_at = utcnow()
    db.flush()
    assert inbox(db, world.social_worker, "all") == []
    with pytest.raises(NotFound):
        acknowledge(db, world.social_worker, alert.id)
    # Administrators see every centre's.
    assert [view.id for view in inbox(db, world.admin)] == [alert.id]
    assert inbox(db, world.admin, csw_id=world.other_csw.id) == []


# --- the facilitators' prompt ------------------------------------------------------------------


def test_facilitator_prompt_is_neutral_and_only_for_the_led_group(db: Session) -> None:
    world, group, child, alert = _raised(db)
    other_group = make_group(db, world, "Someone else's", leader=world.other_facilitator)
    assert {field.name for field in dataclasses.fields(PromptView)} == {
        "id",
        "child_id",
        "child_given_name",
        "group_id",
        "group_name",
        "created_at",
        "done_at",
    }
    prompts = family_prompts(db, world.facilitator)
    assert len(prompts) == 1
    prompt = prompts[0]
    assert (prompt.child_id, prompt.group_id, prompt.child_given_name) == (
        child.id,
        group.id,
        "Inbox",
    )
    text = json.dumps(dataclasses.asdict(prompt), default=str)
    for secret in ("consecutive", "absence", "social_aid", "Family law", alert.episode, "rule"):
        assert secret not in text
    # One prompt per alert and group the child is active in.
    assert db.scalar(select(func.count()).select_from(FamilyCheckPrompt)) == 1
    assert family_prompts(db, world.other_facilitator) == []
    assert other_group.id not in {p.group_id for p in family_prompts(db, world.admin)}
    for name in ("social_worker", "coordinator"):
        with pytest.raises(PermissionDenied):
            family_prompts(db, getattr(world, name))

    with pytest.raises(NotFound):
        mark_prompt_done(db, world.other_facilitator, prompt.id)
    assert mark_prompt_done(db, world.facilitator, prompt.id) == 1
    assert family_prompts(db, world.facilitator) == []
    assert len(family_prompts(db, world.facilitator, include_done=True)) == 1


def test_a_new_alert_prompts_again_once_the_last_prompt_is_done(db: Session) -> None:
    world, group, child, _alert = _raised(db)
    prompt = family_prompts(db, world.facilitator)[0]
    player = quiz_player(db, world, child, group)
    db.add(TalkRequest(run_id=player.run_id, player_id=player.id, created_at=at(TODAY)))
    db.flush()
    result = evaluate(db, today=TODAY)
    assert result.raised == 1 and result.prompts == 0  # an open prompt already asks
    mark_prompt_done(db, world.facilitator, prompt.id)
    db.add(TalkRequest(run_id=player.run_id, player_id=player.id, created_at=at(TODAY)))
    db.flush()
    assert evaluate(db, today=TODAY).prompts == 1
    assert len(family_prompts(db, world.facilitator)) == 1


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def on_test_database(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", "test-secret-" * 4)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_lists_alerts_as_json_and_evaluates(db: Session, on_test_database) -> None:
    world, group = _setup(db)
    child = follow(db, world, "Cli", "Child", group=group)
    other = follow(db, world, "Other", "Centre", csw=world.other_csw, group=group)
    sessions_with(db, group, child, [(days_ago(9), P), (days_ago(5), A), (days_ago(2), A)])
    for row in db.scalars(select(Occurrence)):
        mark(db, row, other, A)
    db.commit()
    runner = CliRunner()

    result = runner.invoke(alerts_command, ["evaluate", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    # Ours: absences in a row and a low rate; theirs: the same and never attended.
    assert "raised 5 alert(s)" in result.output
    assert "consecutive_absences: 2" in result.output

    again = runner.invoke(
        alerts_command, ["evaluate", "--today", TOMORROW.isoformat(), "--format", "json"]
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["raised"] == 0

    listed = runner.invoke(alerts_command, ["--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert len(rows) == 5
    for row in rows:
        assert set(row) == {"id", "child_id", "rule", "raised_at", "status"}
        assert row["status"] == "open"
        assert row["rule"] in {rule.value for rule in AlertRule}
        assert row["raised_at"].startswith(TODAY.isoformat())
    by_org = json.loads(
        runner.invoke(alerts_command, ["--org", "CSW B", "--format", "json"]).output
    )
    assert [row["child_id"] for row in by_org] == [other.id] * 3
    assert {row["child_id"] for row in rows} == {child.id, other.id}

    db.expire_all()
    first = db.get(Alert, rows[0]["id"])
    first.status = AlertStatus.RESOLVED
    db.commit()
    assert len(json.loads(runner.invoke(alerts_command, ["--format", "json"]).output)) == 4
    everything = runner.invoke(alerts_command, ["--status", "all", "--format", "json"])
    assert len(json.loads(everything.output)) == 5
    text = runner.invoke(alerts_command, [])
    assert text.exit_code == 0 and "consecutive_absences" in text.output
    wrong = runner.invoke(alerts_command, ["--org", "School A", "--format", "json"])
    assert wrong.exit_code != 0 and "not a centre for social work" in wrong.output


def test_alerts_json_shape_and_audit(db: Session) -> None:
    world, _group, child, alert = _raised(db)
    before = audit_count(db, AuditAction.READ_SPECIAL)
    rows = alerts_json(db, world.csw.id)
    assert audit_count(db, AuditAction.READ_SPECIAL) == before + 1
    ids = {row["id"] for row in rows}
    assert alert.id in ids and all(row["child_id"] == child.id for row in rows)
    assert alerts_json(db, world.other_csw.id) == []
    with pytest.raises(ValidationError):
        alerts_json(db, None, "later")
