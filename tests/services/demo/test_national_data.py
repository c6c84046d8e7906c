"""The national dataset generator at a small scale (0.002: 400 children), on SQLite and, when
configured, PostgreSQL: proportional counts, the same data for the same seed, refusal of a
database in use, data the app reads back, and the segregated groups the reports should find."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from parliament_app.core.actors import OPERATOR
from parliament_app.devtools.national_data import (
    NATIONAL_PREFIX,
    STAGES,
    TARGETS,
    NationalDataRefused,
    generate_national_data,
)
from parliament_app.groups.diversity.report import diversity_report
from parliament_app.models import (
    Child,
    Community,
    Enrolment,
    Group,
    Municipality,
    RiskRecord,
    Role,
    User,
)
from parliament_app.models.attendance import Attendance, Badge, GuardianInvolvement
from parliament_app.models.meetings import Occurrence, OccurrenceStatus
from parliament_app.models.quizzes import QuizAnswer, QuizPlayer, QuizQuestion, QuizRun
from tests.factories import build_world

SCALE = 0.002
TODAY = date(2026, 11, 28)


def generate(target, seed: int = 1, **options):
    return generate_national_data(target, seed=seed, scale=SCALE, today=TODAY, **options)


def count(db: Session, model) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_counts_are_the_national_figures_scaled(db: Session) -> None:
    stages: list[str] = []
    summary = generate(db, progress=lambda stage, _done, _total: stages.append(stage))
    assert count(db, Child) == round(TARGETS["children"] * SCALE) == summary.counts["children"]
    assert count(db, Municipality) == 4  # at least one municipality per country
    countries = db.scalars(select(Municipality.country_code).distinct())
    assert set(countries) == {"RS", "BA", "MK", "XK"}
    for model, target in (
        (Occurrence, "occurrences"),
        (Attendance, "attendance"),
        (GuardianInvolvement, "guardian_involvements"),
        (QuizAnswer, "quiz_answers"),
    ):
        expected = TARGETS[target] * SCALE
        assert 0.5 * expected <= count(db, model) <= 2.0 * expected, target
    assert count(db, RiskRecord) > 0 and count(db, Badge) > 0
    assert set(stages) <= set(STAGES) and stages[0] == STAGES[0]
    roles = dict(db.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles[Role.ADMINISTRATOR] == 1
    assert roles[Role.FACILITATOR] >= 4 and roles[Role.SCHOOL_COORDINATOR] >= 8
    assert roles[Role.SOCIAL_WORKER] >= 4
    hashes = set(db.scalars(select(User.password_hash)))
    assert len(hashes) == 1  # one password, hashed once
    assert summary.password and summary.password not in next(iter(hashes))


def _fingerprint(db: Session) -> tuple:
    children = db.execute(
        select(
            Child.given_name,
            Child.family_name,
            Child.birth_date,
            Child.community,
            Child.residence_area,
            Child.school_class,
        ).order_by(Child.id)
    ).all()
    enrolments = db.execute(
        select(Group.name, Enrolment.child_id, Enrolment.status, Enrolment.created_at)
        .join(Group, Group.id == Enrolment.group_id)
        .order_by(Enrolment.id)
    ).all()
    attendance = db.execute(
        select(
            Attendance.occurrence_id, Attendance.child_id, Attendance.status, Attendance.method
        ).order_by(Attendance.id)
    ).all()
    answers = db.execute(
        select(QuizPlayer.nickname, QuizQuestion.key, QuizAnswer.chosen, QuizAnswer.correct)
        .join(QuizPlayer, QuizPlayer.id == QuizAnswer.player_id)
        .join(QuizQuestion, QuizQuestion.id == QuizAnswer.question_id)
        .order_by(QuizAnswer.id)
    ).all()
    return children, enrolments, attendance, answers


def test_the_same_seed_gives_the_same_data(db: Session) -> None:
    first = generate(db, seed=7)
    once = _fingerprint(db)
    db.rollback()
    second = generate(db, seed=7)
    assert _fingerprint(db) == once
    assert first.counts == second.counts
    assert first.password != second.password  # the password never follows from the seed
    db.rollback()
    generate(db, seed=8)
    assert _fingerprint(db)[0] != once[0]


def test_a_database_in_use_is_refused_unless_forced(db: Session) -> None:
    build_world(db)
    with pytest.raises(NationalDataRefused, match="already holds"):
        generate(db)
    summary = generate(db, force=True)
    assert summary.counts["children"] == round(TARGETS["children"] * SCALE)
    assert count(db, Child) == summary.counts["children"] + 4  # the world's children stay
    with pytest.raises(NationalDataRefused, match="already been loaded"):
        generate(db, force=True)


def test_the_app_reads_the_data_back(db: Session) -> None:
    generate(db)
    occurrence = db.scalar(
        select(Occurrence).where(Occurrence.status == OccurrenceStatus.CLOSED).limit(1)
    )
    assert occurrence.starts_at.tzinfo is not None and occurrence.closed_at > occurrence.starts_at
    assert occurrence.group.municipality.name.startswith(NATIONAL_PREFIX)
    record = db.scalar(select(Attendance).where(Attendance.occurrence_id == occurrence.id))
    assert record is not None and record.updated_at.tzinfo is not None
    child = db.get(Child, record.child_id)
    assert isinstance(child.home_languages, list) and child.home_languages
    assert child.guardian_links and child.birth_date < TODAY
    run = db.scalar(select(QuizRun).limit(1))
    assert isinstance(run.question_ids, list) and len(run.question_ids) >= 2
    # the check-in code compares the badge's token id
    assert all(len(token) == 16 for token in db.scalars(select(Badge.token_id)))
    # every answer's question is one of its run's questions
    mismatched = db.scalar(
        select(func.count())
        .select_from(QuizAnswer)
        .join(QuizRun, QuizRun.id == QuizAnswer.run_id)
        .where(QuizAnswer.question_id.is_(None))
    )
    assert mismatched == 0
    # future sessions are open for check-in, past ones closed
    future = db.scalar(
        select(func.count())
        .select_from(Occurrence)
        .where(
            Occurrence.starts_at > datetime.combine(TODAY, datetime.min.time(), UTC),
            Occurrence.status == OccurrenceStatus.CLOSED,
        )
    )
    assert future == 0


def test_the_diversity_report_finds_the_segregated_groups(db: Session) -> None:
    generate(db)
    report = diversity_report(
        db, OPERATOR, "community", TODAY - timedelta(days=365), TODAY, permutations=0
    )
    flagged = {unit.name: unit.flags for unit in report.units}
    ghettos = [name for name, flags in flagged.items() if flags.get("ghetto_risk")]
    assert any(name.startswith("Homework Club") for name in ghettos), ghettos
    assert any(flags.get("single_group") for flags in flagged.values())
    mixed = [name for name, flags in flagged.items() if not flags.get("risk_band")]
    assert mixed, "most groups are mixed"
    roma = db.scalar(
        select(func.count()).select_from(Child).where(Child.community == Community.ROMA)
    )
    assert roma > 0


def test_with_an_engine_the_load_is_committed(engine: Engine, db: Session) -> None:
    summary = generate(engine)
    with engine.connect() as connection:
        children = connection.scalar(text("SELECT count(*) FROM children"))
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL again
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert children == summary.counts["children"]
