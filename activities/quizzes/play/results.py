"""After a quiz: points, a player's summary, the helplines shown at the end, and per-question
results for the facilitator (never any names)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from activities.quizzes.bank import helplines_for
from activities.quizzes.play.runs import (
    _language,
    _managed_run,
    _player_count,
    _require_player,
    _run,
    _translation,
)
from activities.quizzes.play.views import (
    SPEED_POINTS_MAX,
    SPEED_POINTS_MIN,
    SPEED_WINDOW_SECONDS,
    HelplineView,
    PlayerSummary,
    QuestionResult,
    RunResults,
)
from parliament_app.core.i18n import _, current_language
from parliament_app.models import (
    User,
)
from parliament_app.models.quizzes import (
    QuizAnswer,
    QuizPlayer,
    QuizRun,
    RunMode,
)


def _points(
    correct: bool, answered_at: datetime, reference: datetime | None, speed_bonus: bool
) -> int:
    if not correct:
        return 0
    if not speed_bonus or reference is None:
        return 1
    elapsed = min(max((answered_at - reference).total_seconds(), 0.0), SPEED_WINDOW_SECONDS)
    share = elapsed / SPEED_WINDOW_SECONDS
    return round(SPEED_POINTS_MAX - (SPEED_POINTS_MAX - SPEED_POINTS_MIN) * share)


def _player_points(session: Session, run: QuizRun, player: QuizPlayer) -> tuple[int, int, int]:
    """(answered, correct, points) of one player."""
    answers = session.execute(
        select(QuizAnswer.question_id, QuizAnswer.correct, QuizAnswer.answered_at)
        .where(QuizAnswer.player_id == player.id)
        .order_by(QuizAnswer.answered_at, QuizAnswer.id)
    ).all()
    correct = sum(1 for row in answers if row.correct)
    if not run.speed_bonus:
        return len(answers), correct, correct
    if run.mode == RunMode.LIVE:
        firsts = dict(
            session.execute(
                select(QuizAnswer.question_id, func.min(QuizAnswer.answered_at))
                .where(QuizAnswer.run_id == run.id)
                .group_by(QuizAnswer.question_id)
            ).all()
        )
        references = {row.question_id: _aware(firsts.get(row.question_id)) for row in answers}
    else:
        references = {}
        previous = player.joined_at
        for row in answers:
            references[row.question_id] = previous
            previous = row.answered_at
    points = sum(
        _points(row.correct, row.answered_at, references.get(row.question_id), True)
        for row in answers
    )
    return len(answers), correct, points


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type, so SQLite hands back naive UTC (or even text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def player_summary(session: Session, token: str | None) -> PlayerSummary:
    """The end screen: the player's own score as encouragement, and the helplines."""
    player = _require_player(session, token)
    run = _run(session, player.run_id)
    answered, correct, points = _player_points(session, run, player)
    total = len(run.question_ids)
    if total and correct * 2 >= total:
        message = _("Great work! You know a lot about staying safe.")
    elif answered:
        message = _("Thank you for playing! Every question helps you learn how to stay safe.")
    else:
        message = _("Thank you for being here today!")
    return PlayerSummary(
        nickname=player.nickname,
        total=total,
        answered=answered,
        correct=correct,
        points=points,
        speed_bonus=run.speed_bonus,
        message=message,
        helplines=helplines(session, run.country_code, player.language),
    )


def helplines(session: Session, country_code: str | None, language: str) -> list[HelplineView]:
    """The lines a child may be shown in the run's country, in the player's language."""
    if not country_code:
        return []
    return helplines_for(session, country_code, language)


def run_results(
    session: Session, user: User, run_id: int, language: str | None = None
) -> RunResults:
    """Per question, how many answered and how many were right. Never any names."""
    run = _managed_run(session, user, run_id)
    language = _language(language or current_language())
    counts = {
        row.question_id: (row.answered, row.correct or 0)
        for row in session.execute(
            select(
                QuizAnswer.question_id,
                func.count().label("answered"),
                func.sum(case((QuizAnswer.correct.is_(True), 1), else_=0)).label("correct"),
            )
            .where(QuizAnswer.run_id == run.id)
            .group_by(QuizAnswer.question_id)
        )
    }
    shown = (
        len(run.question_ids)
        if run.mode == RunMode.KIOSK
        else min(run.current_index + 1, len(run.question_ids))
    )
    questions = []
    for index in range(shown):
        question_id = run.question_ids[index]
        answered, correct = counts.get(question_id, (0, 0))
        questions.append(
            QuestionResult(
                index=index,
                question_id=question_id,
                text=_translation(session, question_id, language).text,
                answered=answered,
                correct=int(correct),
            )
        )
    return RunResults(run_id=run.id, players=_player_count(session, run.id), questions=questions)
