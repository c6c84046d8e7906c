"""Quiz questions, runs, players and answers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from parliament_app.models import (
    Child,
    Group,
    utcnow,
)
from parliament_app.models.quizzes import (
    QuestionType,
    QuizAnswer,
    QuizPlayer,
    QuizQuestion,
    QuizRun,
    QuizTranslation,
    RunMode,
)
from tests.factories.world import World

_codes = itertools.count(1)


def quiz_player(db: Session, world: World, child: Child | None, group: Group | None) -> QuizPlayer:
    code = next(_codes)
    run = QuizRun(
        join_code=f"Q{code:05d}",
        mode=RunMode.LIVE,
        age_band="11-14",
        question_ids=[],
        group_id=group.id if group else None,
        started_by_id=world.facilitator.id,
        expires_at=utcnow() + timedelta(hours=2),
    )
    db.add(run)
    db.flush()
    player = QuizPlayer(
        run_id=run.id,
        nickname=f"player{code}",
        language="en",
        token_hash=f"{code:064d}",
        child_id=child.id if child else None,
    )
    db.add(player)
    db.flush()
    return player


def answer(db: Session, player: QuizPlayer, correct: bool = True) -> QuizAnswer:
    question = QuizQuestion(
        key=f"q-{next(_codes)}",
        age_band="11-14",
        topic="lover_boy",
        type="single",
        correct=[0],
        option_count=3,
    )
    db.add(question)
    db.flush()
    row = QuizAnswer(
        run_id=player.run_id,
        player_id=player.id,
        question_id=question.id,
        language="en",
        chosen=[0 if correct else 1],
        correct=correct,
    )
    db.add(row)
    db.flush()
    return row


LANGUAGES = ("en", "sq", "sr")


@dataclass
class Bank:
    single: QuizQuestion  # 11-14, online_safety, right answer 1 of 3
    true_false: QuizQuestion  # 11-14, lover_boy, right answer 0 of 2
    multiple: QuizQuestion  # 11-14, online_safety, right answers 0 and 2 of 4
    older: QuizQuestion  # 15-18, fake_offers
    retired: QuizQuestion  # 11-14, online_safety, retired


def add_question(
    session: Session,
    key: str,
    age_band: str,
    topic: str,
    kind: QuestionType,
    correct: list[int],
    option_count: int,
    retired: bool = False,
) -> QuizQuestion:
    question = QuizQuestion(
        key=key,
        age_band=age_band,
        topic=topic,
        type=kind,
        correct=correct,
        option_count=option_count,
        retired_at=utcnow() if retired else None,
    )
    session.add(question)
    session.flush()
    for language in LANGUAGES:
        session.add(
            QuizTranslation(
                question_id=question.id,
                language=language,
                text=f"[{language}] {key}?",
                options=[f"[{language}] option {i}" for i in range(option_count)],
                explanation=f"[{language}] because {key}",
            )
        )
    session.flush()
    return question


def make_bank(session: Session) -> Bank:
    return Bank(
        single=add_question(
            session, "11-14-online-01", "11-14", "online_safety", QuestionType.SINGLE, [1], 3
        ),
        true_false=add_question(
            session, "11-14-lover-01", "11-14", "lover_boy", QuestionType.TRUE_FALSE, [0], 2
        ),
        multiple=add_question(
            session, "11-14-online-02", "11-14", "online_safety", QuestionType.MULTIPLE, [0, 2], 4
        ),
        older=add_question(
            session, "15-18-fake-01", "15-18", "fake_offers", QuestionType.SINGLE, [0], 3
        ),
        retired=add_question(
            session,
            "11-14-online-03",
            "11-14",
            "online_safety",
            QuestionType.SINGLE,
            [0],
            3,
            retired=True,
        ),
    )
