"""Quiz play: starting runs, joining with a code, answering once, the facilitator's live view,
talk requests, kiosk turns and concurrent joins, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from activities.quizzes import play
from activities.quizzes.play.results import _points
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.qr import qr_png
from parliament_app.models import utcnow
from parliament_app.models.quizzes import (
    Helpline,
    QuestionType,
    QuizAnswer,
    QuizPlayer,
    QuizRun,
    RunMode,
    RunPhase,
    RunStatus,
    TalkRequest,
)
from tests.factories import World
from tests.factories.quizzes import Bank, make_bank


@pytest.fixture
def bank(db: Session, world: World) -> Bank:
    return make_bank(db)


def live_run(db: Session, world: World, **overrides) -> QuizRun:
    options = {
        "group_id": world.group.id,
        "age_band": "11-14",
        "topics": [],
        "question_count": 3,
        "mode": RunMode.LIVE,
        "phase": RunPhase.PRACTICE,
        "seed": 7,
    }
    options.update(overrides)
    return play.start_run(db, world.facilitator, **options)


# --- starting -------------------------------------------------------------------------------------


def test_leader_starts_a_run_with_a_short_unambiguous_code(
    db: Session, world: World, bank: Bank
) -> None:
    run = live_run(db, world)
    assert len(run.join_code) == play.CODE_LENGTH
    assert not set(run.join_code) & set("0O1I")
    assert set(run.join_code) <= set(play.CODE_ALPHABET)
    assert run.status == RunStatus.LOBBY and run.current_index == -1
    assert run.country_code == "RS"  # the group's municipality's country
    assert run.started_by_id == world.facilitator.id
    assert timedelta(hours=3, minutes=59) < run.expires_at - utcnow() <= timedelta(hours=4)
    assert sorted(run.question_ids) == sorted(
        [bank.single.id, bank.true_false.id, bank.multiple.id]
    )
    assert bank.retired.id not in run.question_ids


def test_questions_are_drawn_repeatably_from_band_and_topics(
    db: Session, world: World, bank: Bank
) -> None:
    first = live_run(db, world, seed=42)
    second = live_run(db, world, seed=42)
    assert first.question_ids == second.question_ids
    assert first.join_code != second.join_code
    only_online = live_run(db, world, topics=["online_safety"], question_count=10)
    assert sorted(only_online.question_ids) == sorted([bank.single.id, bank.multiple.id])
    two = live_run(db, world, question_count=2, seed=None)
    assert len(two.question_ids) == 2
    older = live_run(db, world, age_band="15-18")
    assert older.question_ids == [bank.older.id]


def test_non_leaders_may_not_start_a_run(db: Session, world: World, bank: Bank) -> None:
    for user in (world.other_facilitator, world.coordinator, world.social_worker):
        with pytest.raises(PermissionDenied):
            play.start_run(
                db,
                user,
                group_id=world.group.id,
                age_band="11-14",
                topics=[],
                question_count=3,
                mode="live",
                phase="pre",
            )
    admin_run = play.start_run(
        db,
        world.admin,
        group_id=world.group.id,
        age_band="11-14",
        topics=[],
        question_count=3,
        mode="kiosk",
        phase="post",
    )
    assert admin_run.mode == RunMode.KIOSK and admin_run.phase == RunPhase.POST


def test_speed_bonus_only_for_ages_15_to_18(db: Session, world: World, bank: Bank) -> None:
    for band in ("7-10", "11-14"):
        with pytest.raises(ValidationError, match="15–18"):
            live_run(db, world, age_band=band, speed_bonus=True)
    assert live_run(db, world, age_band="15-18", speed_bonus=True).speed_bonus


def test_start_refuses_bad_input(db: Session, world: World, bank: Bank) -> None:
    with pytest.raises(ValidationError, match="no questions"):
        live_run(db, world, age_band="7-10")
    with pytest.raises(ValidationError, match="no questions"):
        live_run(db, world, topics=["no_such_topic"])
    with pytest.raises(ValidationError):
        live_run(db, world, age_band="5-6")
    with pytest.raises(ValidationError):
        live_run(db, world, question_count=0)
    with pytest.raises(ValidationError):
        live_run(db, world, mode="race")
    with pytest.raises(NotFound):
        live_run(db, world, group_id=987654)
    assert db.scalar(select(func.count()).select_from(QuizRun)) == 0


def test_available_topics_and_labels(db: Session, world: World, bank: Bank) -> None:
    assert play.available_topics(db, "11-14") == ["online_safety", "lover_boy"]
    assert play.topic_label("online_safety") == "Online safety"
    assert play.topic_label("made_up_topic") == "Made up topic"
    assert play.startable_groups(db, world.facilitator) == [world.group]
    assert play.startable_groups(db, world.other_facilitator) == []
    assert play.startable_groups(db, world.coordinator) == []


# --- joining --------------------------------------------------------------------------------------


def test_join_gives_a_token_stored_only_as_its_hash(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world)
    player, token = play.join(db, run.join_code.lower(), "  Sunny   Day ", "sq")
    assert player.nickname == "Sunny Day"
    assert player.language == "sq" and player.child_id is None
    assert player.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert len(token) >= 32
    assert play.player_for_token(db, token).id == player.id
    assert play.player_for_token(db, "not a token") is None
    assert play.player_for_token(db, None) is None


@pytest.mark.parametrize("code", ["", "ZZZZZZ", "ABC", "x" * 40])
def test_unknown_code_is_refused_kindly(db: Session, world: World, bank: Bank, code: str) -> None:
    live_run(db, world)
    with pytest.raises(ValidationError, match="This code is not valid"):
        play.join(db, code, "Ana", "en")


def test_expired_and_finished_runs_cannot_be_joined(db: Session, world: World, bank: Bank) -> None:
    expired = live_run(db, world)
    expired.expires_at = utcnow() - timedelta(minutes=1)
    finished = live_run(db, world)
    play.finish(db, world.facilitator, finished.id)
    db.flush()
    with pytest.raises(ValidationError, match="This code is not valid"):
        play.join(db, expired.join_code, "Ana", "en")
    with pytest.raises(ValidationError, match="already ended"):
        play.join(db, finished.join_code, "Ana", "en")
    with pytest.raises(ValidationError, match="already ended"):
        play.check_code(db, finished.join_code)
    assert db.scalar(select(func.count()).select_from(QuizPlayer)) == 0


@pytest.mark.parametrize(
    "nickname,message",
    [
        ("", "Choose a nickname"),
        ("   ", "Choose a nickname"),
        ("x" * 21, "at most 20"),
        ("www.example.com", "web address"),
        ("http://x.y", "web address"),
        ("free-games.com", "web address"),
        ("me@example", "web address"),
        ("!!!", "letters or numbers"),
    ],
)
def test_nicknames_are_checked(
    db: Session, world: World, bank: Bank, nickname: str, message: str
) -> None:
    run = live_run(db, world)
    with pytest.raises(ValidationError, match=message):
        play.join(db, run.join_code, nickname, "en")


def test_a_taken_nickname_gets_a_suggestion(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world)
    play.join(db, run.join_code, "Star", "en")
    play.join(db, run.join_code, "Star2", "en")
    with pytest.raises(ValidationError, match=r"already called star\. How about star3\?") as error:
        play.join(db, run.join_code, "star", "en")
    assert error.value.field == "nickname"
    assert db.scalar(select(func.count()).select_from(QuizPlayer)) == 2


def test_a_flood_of_joins_is_refused_after_the_limit(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world)
    for number in range(play.MAX_PLAYERS):
        play.join(db, run.join_code, f"Kid {number}", "en")
    with pytest.raises(ValidationError, match="full"):
        play.join(db, run.join_code, "One more", "en")
    assert play.host_view(db, world.facilitator, run.id).players == play.MAX_PLAYERS


# --- answering ------------------------------------------------------------------------------------


def test_one_answer_per_player_per_question(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world)
    _player, token = play.join(db, run.join_code, "Ana", "en")
    play.open_next_question(db, world.facilitator, run.id)
    question = play.state_for_player(db, token).question
    first = play.answer(db, token, question.id, [0])
    assert first.accepted and not first.already_answered
    assert first.correct is None  # live players learn it at the reveal, with everyone
    second = play.answer(db, token, question.id, [1])
    assert not second.accepted and second.already_answered
    assert "already answered" in second.message
    rows = db.scalars(select(QuizAnswer)).all()
    assert len(rows) == 1 and rows[0].chosen == [0]
    view = play.state_for_player(db, token)
    assert view.answered and view.chosen == (0,)


def test_duplicate_answer_rows_are_refused_by_the_database(
    db: Session, world: World, bank: Bank
) -> None:
    run = live_run(db, world)
    player, token = play.join(db, run.join_code, "Ana", "en")
    play.open_next_question(db, world.facilitator, run.id)
    question_id = run.question_ids[0]
    play.answer(db, token, question_id, [0])
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            QuizAnswer(
                run_id=run.id,
                player_id=player.id,
                question_id=question_id,
                language="en",
                chosen=[1],
                correct=False,
            )
        )
        db.flush()
    assert db.scalar(select(func.count()).select_from(QuizAnswer)) == 1


def test_closed_questions_take_no_answers(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world)
    _player, token = play.join(db, run.join_code, "Ana", "en")
    first, second = run.question_ids[0], run.question_ids[1]
    with pytest.raises(ValidationError, match="closed"):
        play.answer(db, token, first, [0])  # still in the lobby
    play.open_next_question(db, world.facilitator, run.id)
    with pytest.raises(ValidationError, match="closed"):
        play.answer(db, token, second, [0])  # not open yet
    with pytest.raises(ValidationError, match="closed"):
        play.answer(db, token, bank.older.id, [0])  # not in this run
    play.reveal(db, world.facilitator, run.id)
    with pytest.raises(ValidationError, match="closed"):
        play.answer(db, token, first, [0])  # revealed: too late
    play.finish(db, world.facilitator, run.id)
    with pytest.raises(ValidationError, match="ended"):
        play.answer(db, token, first, [0])
    with pytest.raises(NotFound):
        play.answer(db, "forged token", first, [0])
    assert db.scalar(select(func.count()).select_from(QuizAnswer)) == 0


def test_answers_must_fit_the_question_type(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world, question_count=3)
    _player, token = play.join(db, run.join_code, "Ana", "en")
    types = {}
    for _index in run.question_ids:
        play.open_next_question(db, world.facilitator, run.id)
        question = play.state_for_player(db, token).question
        types[question.type] = question.id
        if question.type == QuestionType.MULTIPLE:
            with pytest.raises(ValidationError, match="at least one"):
                play.answer(db, token, question.id, [])
            with pytest.raises(ValidationError, match="not one of the options"):
                play.answer(db, token, question.id, [0, 4])
            assert play.answer(db, token, question.id, [2, 0, 2]).accepted
        else:
            with pytest.raises(ValidationError, match="Choose one"):
                play.answer(db, token, question.id, [0, 1])
            with pytest.raises(ValidationError, match="not one of the options"):
                play.answer(db, token, question.id, [-1])
            with pytest.raises(ValidationError, match="not one of the options"):
                play.answer(db, token, question.id, [True])
            assert play.answer(db, token, question.id, [0]).accepted
        play.reveal(db, world.facilitator, run.id)
    answers = {row.question_id: row for row in db.scalars(select(QuizAnswer))}
    assert answers[bank.multiple.id].chosen == [0, 2] and answers[bank.multiple.id].correct
    assert answers[bank.true_false.id].correct  # right answer: 0
    assert not answers[bank.single.id].correct  # right answer: 1


def test_each_child_reads_in_their_own_language(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world, topics=["lover_boy"], question_count=1)
    _albanian, sq_token = play.join(db, run.join_code, "Drita", "sq")
    _serbian, sr_token = play.join(db, run.join_code, "Milica", "sr")
    lobby = play.state_for_player(db, sq_token)
    assert lobby.status == RunStatus.LOBBY and lobby.question is None
    play.open_next_question(db, world.facilitator, run.id)
    sq_view = play.state_for_player(db, sq_token)
    sr_view = play.state_for_player(db, sr_token)
    assert sq_view.question.text.startswith("[sq]") and sq_view.question.language == "sq"
    assert sr_view.question.text.startswith("[sr]")
    assert all(option.startswith("[sr]") for option in sr_view.question.options)
    assert sq_view.question.id == sr_view.question.id == bank.true_false.id
    assert (sq_view.question.number, sq_view.question.total) == (1, 1)
    assert not sq_view.explanation and not sq_view.correct_options  # nothing before the reveal

    play.answer(db, sq_token, bank.true_false.id, [0])
    play.reveal(db, world.facilitator, run.id)
    sq_after = play.state_for_player(db, sq_token)
    sr_after = play.state_for_player(db, sr_token)
    assert sq_after.revealed and sq_after.explanation.startswith("[sq] because")
    assert sr_after.explanation.startswith("[sr] because")
    assert sq_after.correct_options == (0,)
    assert sq_after.own_correct is True
    assert sr_after.own_correct is None  # did not answer; nobody else's result is shown
    assert "Drita" not in repr(sr_after)

    play.set_player_language(db, sr_token, "en")
    assert play.state_for_player(db, sr_token).question.text.startswith("[en]")
    play.set_player_language(db, sr_token, "xx")  # unknown: the source language
    assert play.state_for_player(db, sr_token).language == "en"


def test_host_sees_counts_and_an_anonymous_distribution_after_reveal(
    db: Session, world: World, bank: Bank
) -> None:
    run = live_run(db, world, topics=["online_safety"], question_count=1, seed=1)
    tokens = [
        play.join(db, run.join_code, name, language)[1]
        for name, language in (
            ("Nick-A", "en"),
            ("Nick-B", "sq"),
            ("Nick-C", "sq"),
            ("Nick-D", "sr"),
        )
    ]
    view = play.host_view(db, world.facilitator, run.id)
    assert (view.players, view.answered, view.index, view.total) == (4, 0, -1, 1)
    play.open_next_question(db, world.facilitator, run.id)
    question = play.state_for_player(db, tokens[0]).question
    multiple = question.type == QuestionType.MULTIPLE
    choices = [[0, 2], [0], [2], [1]] if multiple else [[1], [0], [1], [2]]
    for token, chosen in zip(tokens[:3], choices[:3], strict=True):
        play.answer(db, token, question.id, chosen)
    during = play.host_view(db, world.facilitator, run.id, language="en")
    assert during.answered == 3 and during.status == RunStatus.QUESTION
    assert during.distribution == () and during.explanation == ""  # not before the reveal
    assert during.question.text.startswith("[en]")
    play.answer(db, tokens[3], question.id, choices[3])
    play.reveal(db, world.facilitator, run.id)
    after = play.host_view(db, world.facilitator, run.id, language="en")
    expected = [0] * len(question.options)
    for chosen in choices:
        for option in chosen:
            expected[option] += 1
    assert after.distribution == tuple(expected)
    assert sum(sum(counts) for counts in after.distribution_by_language.values()) == sum(expected)
    assert set(after.distribution_by_language) == {"en", "sq", "sr"}
    assert after.explanation.startswith("[en] because")
    assert after.correct_options == tuple((bank.multiple if multiple else bank.single).correct)
    assert after.is_last_question
    with pytest.raises(PermissionDenied):
        play.host_view(db, world.other_facilitator, run.id)
    results = play.run_results(db, world.facilitator, run.id, language="en")
    assert results.players == 4
    assert [(q.answered, q.correct) for q in results.questions] == [(4, 1) if multiple else (4, 2)]
    assert "Nick-" not in repr(results) and "Nick-" not in repr(after)


def test_host_steps_are_safe_to_repeat(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world, question_count=2)
    play.open_next_question(db, world.facilitator, run.id, after_index=-1)
    play.open_next_question(db, world.facilitator, run.id, after_index=-1)  # a double click
    assert run.current_index == 0 and run.status == RunStatus.QUESTION
    assert run.question_opened_at is not None
    play.reveal(db, world.facilitator, run.id)
    play.reveal(db, world.facilitator, run.id)
    assert run.status == RunStatus.REVEAL
    play.open_next_question(db, world.facilitator, run.id, after_index=0)
    with pytest.raises(ValidationError, match="last question"):
        play.open_next_question(db, world.facilitator, run.id)
    play.finish(db, world.facilitator, run.id)
    play.finish(db, world.facilitator, run.id)
    assert run.status == RunStatus.FINISHED and run.finished_at is not None
    with pytest.raises(ValidationError):
        play.open_next_question(db, world.facilitator, run.id)
    with pytest.raises(PermissionDenied):
        play.finish(db, world.other_facilitator, run.id)
    assert run in play.host_runs(db, world.facilitator)
    assert play.host_runs(db, world.other_facilitator) == []


# --- talking to someone and linking ---------------------------------------------------------------


def test_talk_request_reaches_the_host_only_and_once(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world)
    player, token = play.join(db, run.join_code, "Quiet", "sq")
    _other, other_token = play.join(db, run.join_code, "Loud", "sq")
    first = play.talk_request(db, token)
    again = play.talk_request(db, token)
    assert first.id == again.id
    assert db.scalar(select(func.count()).select_from(TalkRequest)) == 1
    requests = play.open_talk_requests(db, world.facilitator, run.id)
    assert [(r.player_id, r.nickname) for r in requests] == [(player.id, "Quiet")]
    assert play.host_view(db, world.facilitator, run.id).open_talk_requests == 1
    with pytest.raises(PermissionDenied):
        play.open_talk_requests(db, world.other_facilitator, run.id)
    with pytest.raises(PermissionDenied):
        play.mark_talk_request_seen(db, world.other_facilitator, first.id)
    # Other children's screens carry nothing about it.
    assert "Quiet" not in repr(play.state_for_player(db, other_token))
    assert "talk" not in repr(play.state_for_player(db, other_token)).lower()
    play.mark_talk_request_seen(db, world.facilitator, first.id)
    assert first.seen_by_id == world.facilitator.id
    assert play.open_talk_requests(db, world.facilitator, run.id) == []
    # Pressing again after the facilitator saw it is a new request.
    assert play.talk_request(db, token).id != first.id
    # Older than ten minutes and still unseen: a new reminder.
    latest = db.scalars(select(TalkRequest).order_by(TalkRequest.id.desc())).first()
    latest.created_at = utcnow() - timedelta(minutes=11)
    db.flush()
    assert play.talk_request(db, token).id != latest.id


def test_a_child_who_has_not_joined_can_still_ask_to_talk(
    db: Session, world: World, bank: Bank
) -> None:
    run = live_run(db, world)
    guest, token = play.guest_talk_request(db, run.join_code, "sq")
    assert guest.nickname == "Guest 1"
    play.talk_request(db, token)
    assert [r.nickname for r in play.open_talk_requests(db, world.facilitator, run.id)] == [
        "Guest 1"
    ]
    with pytest.raises(ValidationError, match="not valid"):
        play.guest_talk_request(db, "ZZZZZZ", "sq")


def test_linking_a_nickname_to_a_child(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world)
    player, _token = play.join(db, run.join_code, "Ana", "en")
    second, _token2 = play.join(db, run.join_code, "Bee", "en")
    with pytest.raises(ValidationError, match="not enrolled"):
        play.link_player_to_child(db, world.facilitator, run.id, player.id, world.other_pupil.id)
    with pytest.raises(PermissionDenied):
        play.link_player_to_child(
            db, world.other_facilitator, run.id, player.id, world.own_pupil.id
        )
    assert player.child_id is None
    assert play.enrolled_children(db, world.facilitator, run.id) == [(world.own_pupil.id, "Ana")]
    play.link_player_to_child(db, world.facilitator, run.id, player.id, world.own_pupil.id)
    assert player.child_id == world.own_pupil.id
    with pytest.raises(ValidationError, match="already linked"):
        play.link_player_to_child(db, world.facilitator, run.id, second.id, world.own_pupil.id)
    rows = play.host_players(db, world.facilitator, run.id)
    assert [(row.nickname, row.child_id) for row in rows] == [
        ("Ana", world.own_pupil.id),
        ("Bee", None),
    ]
    play.link_player_to_child(db, world.facilitator, run.id, player.id, None)
    assert player.child_id is None


# --- kiosk ----------------------------------------------------------------------------------------


def test_kiosk_turns_are_independent(db: Session, world: World, bank: Bank) -> None:
    run = live_run(db, world, mode=RunMode.KIOSK, question_count=3)
    first, first_token = play.start_kiosk_turn(db, run.join_code, "sq")
    second, second_token = play.start_kiosk_turn(db, run.join_code, "sr")
    assert (first.nickname, second.nickname) == ("Tablet 1", "Tablet 2")
    view = play.kiosk_state(db, first_token)
    assert view.status == RunStatus.QUESTION and view.question.number == 1
    assert view.question.text.startswith("[sq]")
    result = play.answer(db, first_token, view.question.id, [0])
    assert result.accepted and result.correct is not None  # feedback at once on the tablet
    assert result.explanation.startswith("[sq] because")
    assert play.kiosk_state(db, first_token).question.number == 2
    assert play.kiosk_state(db, second_token).question.number == 1  # nothing carried over
    assert play.state_for_player(db, second_token).question.text.startswith("[sr]")
    for _index in range(2):
        question = play.kiosk_state(db, first_token).question
        result = play.answer(db, first_token, question.id, [0])
    assert result.finished
    assert play.kiosk_state(db, first_token).status == RunStatus.FINISHED
    summary = play.player_summary(db, first_token)
    assert (summary.total, summary.answered) == (3, 3)
    assert summary.points == summary.correct
    assert play.player_summary(db, second_token).answered == 0
    host = play.host_view(db, world.facilitator, run.id)
    assert (host.players, host.finished_players, host.answered) == (2, 1, 3)
    with pytest.raises(ValidationError):
        play.open_next_question(db, world.facilitator, run.id)


def test_kiosk_and_live_codes_are_not_mixed_up(db: Session, world: World, bank: Bank) -> None:
    live = live_run(db, world)
    with pytest.raises(ValidationError, match="join page"):
        play.start_kiosk_turn(db, live.join_code, "en")
    kiosk = live_run(db, world, mode=RunMode.KIOSK)
    play.finish(db, world.facilitator, kiosk.id)
    with pytest.raises(ValidationError, match="already ended"):
        play.start_kiosk_turn(db, kiosk.join_code, "en")


# --- results --------------------------------------------------------------------------------------


def test_summary_encourages_and_lists_the_helplines(db: Session, world: World, bank: Bank) -> None:
    db.add(
        Helpline(
            country_code="RS",
            number="116 111",
            names={"en": "Child helpline", "sq": "Linja për fëmijë"},
            descriptions={"en": "Free, 24/7", "sq": "Falas, 24/7"},
            free=True,
            hours="24/7",
            kind="child",
            verified_on=local_today(),
            verified_by="Test team",
            source="https://example.org/116111",
        )
    )
    db.add(
        Helpline(
            country_code="RS", number="0800 000 000", names={"en": "Unchecked"}, descriptions={}
        )
    )
    db.flush()
    run = live_run(db, world, question_count=1, topics=["lover_boy"])
    _player, token = play.join(db, run.join_code, "Ana", "sq")
    play.open_next_question(db, world.facilitator, run.id)
    play.answer(db, token, bank.true_false.id, [0])
    play.reveal(db, world.facilitator, run.id)
    play.finish(db, world.facilitator, run.id)
    assert play.state_for_player(db, token).status == RunStatus.FINISHED
    summary = play.player_summary(db, token)
    assert (summary.correct, summary.total, summary.points) == (1, 1, 1)
    assert "Great work" in summary.message
    assert [line.number for line in summary.helplines] == ["116 111"]  # never the unchecked one


def test_speed_bonus_scales_points_with_time(db: Session, world: World, bank: Bank) -> None:
    now = utcnow()
    assert _points(False, now, now, True) == 0
    assert _points(True, now, now, False) == 1
    assert _points(True, now, now, True) == play.SPEED_POINTS_MAX
    assert _points(True, now + timedelta(seconds=60), now, True) == play.SPEED_POINTS_MIN
    assert (
        play.SPEED_POINTS_MIN
        < _points(True, now + timedelta(seconds=10), now, True)
        < play.SPEED_POINTS_MAX
    )
    run = live_run(db, world, age_band="15-18", speed_bonus=True)
    _player, token = play.join(db, run.join_code, "Fast", "en")
    play.open_next_question(db, world.facilitator, run.id)
    play.answer(db, token, bank.older.id, [0])
    assert play.player_summary(db, token).points == play.SPEED_POINTS_MAX  # first in the room


# --- concurrency ----------------------------------------------------------------------------------


def test_thirty_children_join_at_once(db: Session, engine: Engine, world: World) -> None:
    make_bank(db)
    run = live_run(db, world)
    code = run.join_code
    db.commit()
    factory = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(30)

    def join_one(number: int) -> str:
        barrier.wait(timeout=30)
        with factory() as session:
            _player, token = play.join(session, code, f"Child {number}", "en")
            session.commit()
            return token

    with ThreadPoolExecutor(max_workers=30) as pool:
        tokens = list(pool.map(join_one, range(30)))
    db.expire_all()
    players = db.scalars(select(QuizPlayer).where(QuizPlayer.run_id == run.id)).all()
    assert len(players) == 30
    assert len({player.nickname for player in players}) == 30
    assert len({player.token_hash for player in players}) == 30
    assert len(set(tokens)) == 30


def test_the_same_answer_sent_at_once_counts_once(
    db: Session, engine: Engine, world: World
) -> None:
    make_bank(db)
    run = live_run(db, world)
    _player, token = play.join(db, run.join_code, "Ana", "en")
    play.open_next_question(db, world.facilitator, run.id)
    question_id = run.question_ids[0]
    db.commit()
    factory = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(5)

    def send(_number: int) -> bool:
        barrier.wait(timeout=30)
        with factory() as session:
            result = play.answer(session, token, question_id, [0])
            session.commit()
            return result.accepted

    with ThreadPoolExecutor(max_workers=5) as pool:
        accepted = list(pool.map(send, range(5)))
    assert accepted.count(True) == 1
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(QuizAnswer)) == 1


# --- QR codes -------------------------------------------------------------------------------------


def test_qr_codes_as_png() -> None:
    link = "http://192.168.1.20:8501/quiz_join?code=ABC234"
    png = qr_png(link)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(qr_png(link, box_size=4)) < len(png)
    with pytest.raises(ValueError):
        qr_png("")
