"""Knowledge gain between pre and post quizzes, question statistics, exports and the results page
(on SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from activities.quizzes.gain import (
    gain_csv,
    gain_xlsx,
    knowledge_gain,
    question_stats,
    question_stats_csv,
    translation_warning,
    two_proportion_p_value,
)
from parliament_app.core.clock import local_today
from parliament_app.core.errors import PermissionDenied
from parliament_app.groups.diversity.report import school_terms
from parliament_app.models import AuditAction, AuditEntry, Child, Group, GroupKind, GroupLeader
from parliament_app.models.quizzes import (
    QuestionType,
    QuizAnswer,
    QuizPlayer,
    QuizQuestion,
    QuizRun,
    RunMode,
    RunPhase,
    RunStatus,
)
from parliament_app.policy.quizzes import LEVEL_GROUP, LEVEL_MY_GROUPS, LEVEL_PROGRAMME
from tests.factories import World, make_child

ROOT = Path(__file__).resolve().parents[3]
PAGE = str(ROOT / "parliament_app/ui/pages/quiz_results.py")
START, END = date(2025, 9, 1), date(2026, 1, 31)
PRE_AT = datetime(2025, 9, 15, 10, tzinfo=UTC)
POST_AT = datetime(2026, 1, 20, 10, tzinfo=UTC)
_serial = itertools.count(1)


# ----------------------------------------------------------------------------- building blocks


def make_questions(
    db: Session, count: int, topic: str = "lover_boy", band: str = "11-14"
) -> list[QuizQuestion]:
    questions = [
        QuizQuestion(
            key=f"{band}-{topic}-{next(_serial):03d}",
            age_band=band,
            topic=topic,
            type=QuestionType.SINGLE,
            correct=[0],
            option_count=3,
        )
        for _index in range(count)
    ]
    db.add_all(questions)
    db.flush()
    return questions


def make_run(
    db: Session,
    world: World,
    phase: RunPhase,
    questions: Sequence[QuizQuestion],
    *,
    group: Group | None = None,
    at: datetime | None = None,
) -> QuizRun:
    at = at or (PRE_AT if phase == RunPhase.PRE else POST_AT)
    run = QuizRun(
        join_code=f"J{next(_serial):06d}",
        mode=RunMode.LIVE,
        phase=phase,
        status=RunStatus.FINISHED,
        age_band=questions[0].age_band,
        topics=sorted({question.topic for question in questions}),
        question_ids=[question.id for question in questions],
        group_id=(group or world.group).id,
        started_by_id=world.facilitator.id,
        created_at=at,
        expires_at=at + timedelta(hours=3),
        finished_at=at + timedelta(hours=1),
    )
    db.add(run)
    db.flush()
    return run


def play(
    db: Session,
    run: QuizRun,
    questions: Sequence[QuizQuestion],
    results: Sequence[bool],
    *,
    child: Child | None = None,
    language: str = "sr",
) -> QuizPlayer:
    """One player answering ``questions`` with the given right/wrong results."""
    serial = next(_serial)
    player = QuizPlayer(
        run_id=run.id,
        nickname=f"Player {serial}",
        language=language,
        token_hash=f"{serial:064d}",
        child_id=child.id if child else None,
    )
    db.add(player)
    db.flush()
    db.add_all(
        QuizAnswer(
            run_id=run.id,
            player_id=player.id,
            question_id=question.id,
            language=language,
            chosen=[0 if correct else 1],
            correct=correct,
        )
        for question, correct in zip(questions, results, strict=True)
    )
    return player


def scored(right: int, total: int) -> list[bool]:
    return [index < right for index in range(total)]


def make_children(db: Session, world: World, count: int) -> list[Child]:
    return [
        make_child(db, f"Child{next(_serial)}", "Test", world.school, world.municipality)
        for _index in range(count)
    ]


def paired_case(db: Session, world: World, linked: int = 6, unlinked: int = 0, group=None):
    """``linked`` children linked in both quizzes: 2 of 5 right before, 4 of 5 after; plus
    ``unlinked`` nicknames in each quiz with the same scores."""
    questions = make_questions(db, 5)
    pre = make_run(db, world, RunPhase.PRE, questions, group=group)
    post = make_run(db, world, RunPhase.POST, questions, group=group)
    for child in make_children(db, world, linked):
        play(db, pre, questions, scored(2, 5), child=child)
        play(db, post, questions, scored(4, 5), child=child)
    for _index in range(unlinked):
        play(db, pre, questions, scored(2, 5))
        play(db, post, questions, scored(4, 5))
    db.flush()
    return questions


def second_group(db: Session, world: World) -> Group:
    group = Group(
        kind=GroupKind.SPORT_CLUB,
        name="Club B",
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
    )
    db.add(group)
    db.flush()
    db.add(GroupLeader(group_id=group.id, user_id=world.other_facilitator.id))
    db.flush()
    return group


# ----------------------------------------------------------------------------- knowledge gain


def test_paired_gain_follows_the_same_children(db: Session, world: World) -> None:
    paired_case(db, world, linked=6)
    report = knowledge_gain(db, world.admin, group_id=world.group.id, start=START, end=END)
    assert report.level == LEVEL_GROUP
    (row,) = report.rows
    assert (row.age_band, row.topic, row.groups) == ("11-14", "lover_boy", 1)
    assert row.n_paired == 6
    assert row.paired_pre == pytest.approx(0.4)
    assert row.paired_post == pytest.approx(0.8)
    assert row.paired_gain == pytest.approx(0.4)
    assert row.paired_reason is None
    assert (row.n_pre, row.n_post) == (6, 6)
    assert row.group_gain == pytest.approx(0.4)
    assert report.waiting == []


def test_group_level_gain_counts_unlinked_players(db: Session, world: World) -> None:
    questions = make_questions(db, 4, topic="online_safety")
    pre = make_run(db, world, RunPhase.PRE, questions)
    post = make_run(db, world, RunPhase.POST, questions)
    for _index in range(8):  # 8 nicknames, 1 of 4 right
        play(db, pre, questions, scored(1, 4))
    for _index in range(5):  # 5 (maybe other) nicknames, 3 of 4 right
        play(db, post, questions, scored(3, 4))
    child = make_children(db, world, 1)[0]  # one linked child in the post quiz only
    play(db, post, questions, scored(3, 4), child=child)
    db.flush()

    (row,) = knowledge_gain(db, world.facilitator, start=START, end=END).rows
    assert (row.n_pre, row.n_post) == (8, 6)
    assert row.pre_share == pytest.approx(0.25)
    assert row.post_share == pytest.approx(0.75)
    assert row.group_gain == pytest.approx(0.5)
    assert row.n_paired == 0
    assert row.paired_gain is None and "Link the players" in row.paired_reason


def test_a_child_playing_twice_in_a_phase_is_scored_over_both_runs(
    db: Session, world: World
) -> None:
    questions = make_questions(db, 5)
    first = make_run(db, world, RunPhase.PRE, questions)
    second = make_run(db, world, RunPhase.PRE, questions, at=PRE_AT + timedelta(days=7))
    post = make_run(db, world, RunPhase.POST, questions)
    for child in make_children(db, world, 5):
        play(db, first, questions, scored(1, 5), child=child)
        play(db, second, questions, scored(3, 5), child=child)
        play(db, post, questions, scored(5, 5), child=child)
    db.flush()
    (row,) = knowledge_gain(db, world.admin, start=START, end=END).rows
    assert row.n_paired == 5
    assert row.paired_pre == pytest.approx(0.4)
    assert row.paired_gain == pytest.approx(0.6)
    assert (row.n_pre, row.n_post) == (5, 5)  # children, not players


def test_fewer_than_five_paired_children_are_suppressed(db: Session, world: World) -> None:
    paired_case(db, world, linked=4, unlinked=2)
    (row,) = knowledge_gain(db, world.admin, start=START, end=END).rows
    assert row.n_paired == 4
    assert row.paired_gain is None and row.paired_pre is None and row.paired_post is None
    assert "Fewer than 5" in row.paired_reason
    assert (row.n_pre, row.n_post) == (6, 6)  # group level: 4 linked and 2 unlinked each
    assert row.group_gain == pytest.approx(0.4)


def test_small_groups_are_suppressed_for_administrators_too(db: Session, world: World) -> None:
    paired_case(db, world, linked=3)
    (row,) = knowledge_gain(db, world.admin, start=START, end=END).rows
    assert row.paired_gain is None and row.group_gain is None
    assert row.pre_share is None and row.post_share is None
    assert "Fewer than 5" in row.group_reason


def test_topics_with_one_phase_only_are_waiting(db: Session, world: World) -> None:
    questions = make_questions(db, 3, topic="secrets", band="7-10")
    pre = make_run(db, world, RunPhase.PRE, questions)
    for _index in range(6):
        play(db, pre, questions, scored(1, 3))
    practice = make_run(db, world, RunPhase.PRACTICE, questions)
    for _index in range(6):
        play(db, practice, questions, scored(3, 3))
    db.flush()
    report = knowledge_gain(db, world.admin, start=START, end=END)
    assert report.rows == []
    (waiting,) = report.waiting
    assert (waiting.age_band, waiting.topic, waiting.phases) == ("7-10", "secrets", ("pre",))


def test_runs_outside_the_period_are_not_counted(db: Session, world: World) -> None:
    paired_case(db, world, linked=6)
    report = knowledge_gain(db, world.admin, start=date(2026, 2, 1), end=date(2026, 6, 30))
    assert report.rows == [] and report.waiting == []


def test_pre_and_post_of_different_groups_are_not_compared(db: Session, world: World) -> None:
    club = second_group(db, world)
    questions = make_questions(db, 5)
    pre = make_run(db, world, RunPhase.PRE, questions)
    post = make_run(db, world, RunPhase.POST, questions, group=club)
    for child in make_children(db, world, 6):
        play(db, pre, questions, scored(1, 5), child=child)
        play(db, post, questions, scored(5, 5), child=child)
    db.flush()
    report = knowledge_gain(db, world.admin, start=START, end=END)
    assert report.rows == []
    assert {topic.phases for topic in report.waiting} == {("pre", "post")}


def test_facilitators_see_only_the_groups_they_lead(db: Session, world: World) -> None:
    paired_case(db, world, linked=6)
    with pytest.raises(PermissionDenied):
        knowledge_gain(db, world.other_facilitator, group_id=world.group.id, start=START, end=END)
    mine = knowledge_gain(db, world.other_facilitator, start=START, end=END)
    assert mine.level == LEVEL_MY_GROUPS
    assert mine.rows == [] and mine.waiting == []
    assert question_stats(db, world.other_facilitator, START, END) == []
    with pytest.raises(PermissionDenied):
        question_stats(db, world.other_facilitator, START, END, group_id=world.group.id)

    leader = knowledge_gain(db, world.facilitator, group_id=world.group.id, start=START, end=END)
    assert leader.rows[0].paired_gain == pytest.approx(0.4)


def test_facilitators_groups_are_kept_apart(db: Session, world: World) -> None:
    club = second_group(db, world)
    paired_case(db, world, linked=6, group=club)
    assert knowledge_gain(db, world.facilitator, start=START, end=END).rows == []
    (row,) = knowledge_gain(db, world.other_facilitator, start=START, end=END).rows
    assert row.n_paired == 6
    (row,) = knowledge_gain(db, world.admin, start=START, end=END).rows
    assert row.n_paired == 6


def test_school_coordinators_see_the_programme_but_no_group(db: Session, world: World) -> None:
    paired_case(db, world, linked=6)
    report = knowledge_gain(db, world.coordinator, start=START, end=END)
    assert report.level == LEVEL_PROGRAMME
    assert report.rows[0].paired_gain == pytest.approx(0.4)
    with pytest.raises(PermissionDenied):
        knowledge_gain(db, world.coordinator, group_id=world.group.id, start=START, end=END)


@pytest.mark.parametrize("who", ["social_worker", "inactive_admin"])
def test_others_are_refused(db: Session, world: World, who: str) -> None:
    user = world.social_worker
    if who == "inactive_admin":
        user = world.admin
        user.active = False
    with pytest.raises(PermissionDenied):
        knowledge_gain(db, user, start=START, end=END)
    with pytest.raises(PermissionDenied):
        question_stats(db, user, START, END)


# ----------------------------------------------------------------------------- questions


def test_discrimination_is_positive_when_stronger_players_get_it_right(
    db: Session, world: World
) -> None:
    target, *others = make_questions(db, 5)
    run = make_run(db, world, RunPhase.PRACTICE, [target, *others])
    for index in range(12):
        rest = index // 3  # 0 to 3 of the other 4 right
        play(db, run, [target, *others], [rest >= 2, *scored(rest, 4)])
    db.flush()
    stats = {stat.question_id: stat for stat in question_stats(db, world.admin, START, END)}
    stat = stats[target.id]
    assert stat.answers == 12
    assert stat.share_correct == pytest.approx(0.5)
    assert stat.discrimination == pytest.approx(0.894, abs=0.001)
    assert stat.discrimination > 0.5


def test_discrimination_is_negative_for_an_item_weaker_players_get_right(
    db: Session, world: World
) -> None:
    target, *others = make_questions(db, 5)
    run = make_run(db, world, RunPhase.PRACTICE, [target, *others])
    for index in range(12):
        rest = index // 3
        play(db, run, [target, *others], [rest < 2, *scored(rest, 4)])
    db.flush()
    stat = next(
        s for s in question_stats(db, world.admin, START, END) if s.question_id == target.id
    )
    assert stat.discrimination < 0


def test_discrimination_needs_ten_answers(db: Session, world: World) -> None:
    target, *others = make_questions(db, 3)
    run = make_run(db, world, RunPhase.PRACTICE, [target, *others])
    for index in range(9):
        play(db, run, [target, *others], [index >= 4, index >= 4, index >= 6])
    db.flush()
    stat = next(
        s for s in question_stats(db, world.admin, START, END) if s.question_id == target.id
    )
    assert stat.answers == 9
    assert stat.share_correct == pytest.approx(5 / 9)
    assert stat.discrimination is None


def test_small_question_counts_are_suppressed(db: Session, world: World) -> None:
    questions = make_questions(db, 2)
    run = make_run(db, world, RunPhase.PRACTICE, questions)
    for _index in range(4):
        play(db, run, questions, [True, False])
    db.flush()
    stats = question_stats(db, world.admin, START, END)
    assert all(stat.share_correct is None and stat.answers == 4 for stat in stats)


def translation_case(db: Session, world: World, sq_right: int, other_right: int) -> QuizQuestion:
    (question,) = make_questions(db, 1, topic="fake_offers", band="15-18")
    run = make_run(db, world, RunPhase.PRACTICE, [question])
    for index in range(20):
        play(db, run, [question], [index < sq_right], language="sq")
    for index in range(60):
        play(db, run, [question], [index < other_right], language="sr" if index % 2 else "mk")
    db.flush()
    return question


def test_translation_warning_for_a_question_much_harder_in_one_language(
    db: Session, world: World
) -> None:
    question = translation_case(db, world, sq_right=6, other_right=48)  # 30% against 80%
    (stat,) = question_stats(db, world.admin, START, END, "15-18")
    assert stat.question_id == question.id
    assert stat.answers == 80
    shares = {entry.language: (entry.answers, entry.share_correct) for entry in stat.languages}
    assert shares["sq"] == (20, pytest.approx(0.3))
    warning = stat.translation_warning
    assert warning is not None and warning.language == "sq"
    assert warning.share_correct == pytest.approx(0.3)
    assert warning.others_share_correct == pytest.approx(0.8)
    assert warning.others_answers == 60
    assert warning.p_value < 0.001


def test_no_translation_warning_for_equal_shares(db: Session, world: World) -> None:
    translation_case(db, world, sq_right=16, other_right=48)  # 80% and 80%
    (stat,) = question_stats(db, world.admin, START, END, "15-18")
    assert stat.translation_warning is None
    assert question_stats(db, world.admin, START, END, "7-10") == []


def test_translation_warning_needs_both_a_large_gap_and_significance() -> None:
    # 0.30 lower but only 10 answers against 10: not significant enough? p ≈ 0.17
    assert translation_warning({"sq": (10, 5), "sr": (10, 8)}) is None
    # Significant (large samples) but only 0.10 lower: not a translation problem.
    assert translation_warning({"sq": (500, 350), "sr": (500, 400)}) is None
    # Fewer than 10 answers in the language: never compared.
    assert translation_warning({"sq": (9, 0), "sr": (60, 60)}) is None
    assert translation_warning({"sq": (20, 6), "sr": (30, 24), "mk": (30, 24)}).language == "sq"


def test_two_proportion_p_value_matches_the_normal_table() -> None:
    # 60/100 against 40/100: z = 2.828…, two-sided p = 0.00468
    assert two_proportion_p_value(60, 100, 40, 100) == pytest.approx(0.00468, abs=1e-4)
    assert two_proportion_p_value(5, 10, 5, 10) == pytest.approx(1.0)
    assert two_proportion_p_value(10, 10, 10, 10) == 1.0  # no variance


# ----------------------------------------------------------------------------- exports


def exports(db: Session, record_type: str) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.EXPORT, AuditEntry.record_type == record_type
            )
        )
    )


def test_gain_csv_suppresses_small_cells_and_is_audited(db: Session, world: World) -> None:
    paired_case(db, world, linked=4, unlinked=2)
    report = knowledge_gain(db, world.admin, group_id=world.group.id, start=START, end=END)
    text = gain_csv(db, world.admin, report)
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["children_paired"] == "<5"
    assert row["paired_gain"] == "<5" and row["paired_pre_score"] == "<5"
    assert row["children_pre"] == "6" and row["group_level_gain"] == "0.4"
    (entry,) = exports(db, "quiz_gain")
    assert entry.user_id == world.admin.id
    assert entry.detail["format"] == "csv" and entry.detail["rows"] == 1
    assert entry.record_id == str(world.group.id)


def test_gain_xlsx_suppresses_small_cells_and_is_audited(db: Session, world: World) -> None:
    from openpyxl import load_workbook

    paired_case(db, world, linked=4, unlinked=2)
    report = knowledge_gain(db, world.facilitator, start=START, end=END)
    workbook = load_workbook(io.BytesIO(gain_xlsx(db, world.facilitator, report)))
    header, values = list(workbook["knowledge_gain"].values)
    row = dict(zip(header, values, strict=True))
    assert row["paired_gain"] == "<5" and row["children_paired"] == "<5"
    assert row["group_level_gain"] == pytest.approx(0.4)
    assert [entry.detail["format"] for entry in exports(db, "quiz_gain")] == ["xlsx"]


def test_question_stats_csv_has_languages_and_warnings(db: Session, world: World) -> None:
    translation_case(db, world, sq_right=6, other_right=48)
    stats = question_stats(db, world.admin, START, END)
    text = question_stats_csv(db, world.admin, stats, start=START, end=END)
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["answers"] == "80" and row["share_correct"] == "0.675"
    assert row["answers_sq"] == "20" and row["share_correct_sq"] == "0.3"
    assert row["translation_warning_language"] == "sq"
    (entry,) = exports(db, "quiz_question_stats")
    assert entry.detail["rows"] == 1 and entry.detail["start"] == START.isoformat()


# ----------------------------------------------------------------------------- the page


def page_for(user_id: int) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.session_state["current_user_id"] = user_id
    return app.run()


def page_texts(app: AppTest) -> str:
    kinds = ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success")
    return "\n".join(str(element.value) for kind in kinds for element in getattr(app, kind))


def test_results_page_shows_gain_questions_and_warnings(db: Session, world: World, app_env) -> None:
    _label, term_start, _term_end = school_terms(local_today())[-1]
    at = datetime.combine(term_start + timedelta(days=3), time(10), tzinfo=UTC)
    questions = make_questions(db, 5)
    pre = make_run(db, world, RunPhase.PRE, questions, at=at)
    post = make_run(db, world, RunPhase.POST, questions, at=at + timedelta(days=30))
    for index, child in enumerate(make_children(db, world, 20)):
        language = "sq" if index < 10 else "sr"
        # The first question is much harder in Albanian.
        play(db, pre, questions, [index >= 10, *scored(1, 4)], child=child, language=language)
        play(db, post, questions, [index >= 10, *scored(3, 4)], child=child, language=language)
    db.commit()

    for user in (world.admin, world.facilitator, world.coordinator):
        app = page_for(user.id)
        assert not app.exception, app.exception
        assert app.title[0].value == "Quiz results"
        gain = app.dataframe[0].value
        assert gain["Paired: children"].tolist() == ["20"]
        assert gain["Paired gain (points)"].tolist() == ["+40"]
        assert "Paired gain" in page_texts(app)
        questions_table = app.dataframe[1].value
        assert any("Much harder in sq" in text for text in questions_table["Translation check"])
        assert any("Check the translation" in warning.value for warning in app.warning)
        assert len(app.get("download_button")) == 3

    other = page_for(world.other_facilitator.id)
    assert not other.exception
    assert not other.dataframe
    assert any("marked “pre”" in info.value for info in other.info)


def test_results_page_explains_how_to_get_data(db: Session, world: World, app_env) -> None:
    db.commit()
    app = page_for(world.coordinator.id)
    assert not app.exception, app.exception
    assert any("start of the term" in info.value for info in app.info)
    assert "School coordinators see figures for the whole programme" in page_texts(app)
