"""The child's side of a quiz, without an account: joining with a code, answering, kiosk turns
and asking to talk to someone (which reaches only the facilitator)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from activities.quizzes.play.runs import (
    _add_player,
    _count,
    _language,
    _managed_run,
    _numbered_player,
    _open_run,
    _player_count,
    _question_view,
    _require_player,
    _run,
    _run_for_code,
    _translation,
    clean_nickname,
)
from activities.quizzes.play.views import (
    GUEST_NICKNAME,
    KIOSK_NICKNAME,
    MAX_KIOSK_TURNS,
    MAX_PLAYERS,
    NICKNAME_MAX_LENGTH,
    TALK_REPEAT,
    AnswerResult,
    PlayerView,
    RunInfo,
    TalkRequestView,
)
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _
from parliament_app.models import (
    User,
    utcnow,
)
from parliament_app.models.quizzes import (
    QuestionType,
    QuizAnswer,
    QuizPlayer,
    QuizQuestion,
    QuizRun,
    RunMode,
    RunStatus,
    TalkRequest,
)


def check_code(session: Session, code: str | None) -> RunInfo:
    """For anonymous pages: is this a code one can join now? Raises a friendly ValidationError."""
    run = _open_run(session, code)
    return RunInfo(mode=run.mode, status=run.status, age_band=run.age_band)


def join(
    session: Session, code: str | None, nickname: str | None, language: str | None
) -> tuple[QuizPlayer, str]:
    """Join a run with a nickname (anonymous). Returns the player and the device's secret token."""
    run = _open_run(session, code, lock=True)  # the lock makes the player limit exact
    cleaned = clean_nickname(nickname)
    if _player_count(session, run.id) >= MAX_PLAYERS:
        raise ValidationError(
            _("This quiz is full. Please ask your facilitator for help."), field="code"
        )
    taken = {
        name.casefold()
        for name in session.scalars(select(QuizPlayer.nickname).where(QuizPlayer.run_id == run.id))
    }
    added = (
        None
        if cleaned.casefold() in taken
        else _add_player(session, run, cleaned, _language(language))
    )
    if added is None:
        taken.add(cleaned.casefold())
        raise ValidationError(
            _("Someone in this quiz is already called {nickname}. How about {suggestion}?").format(
                nickname=cleaned, suggestion=_suggest(cleaned, taken)
            ),
            field="nickname",
        )
    return added


def _suggest(nickname: str, taken: set[str]) -> str:
    for number in range(2, MAX_PLAYERS + 2):
        suffix = str(number)
        candidate = nickname[: NICKNAME_MAX_LENGTH - len(suffix)] + suffix
        if candidate.casefold() not in taken:
            return candidate
    return nickname[: NICKNAME_MAX_LENGTH - 4] + secrets.choice("ABCDEFGH") + "123"


def set_player_language(session: Session, token: str | None, language: str) -> None:
    """The child switched language: questions now come in the new one."""
    player = _require_player(session, token)
    language = _language(language)
    if player.language != language:
        player.language = language


def state_for_player(session: Session, token: str | None) -> PlayerView:
    """What the player's screen shows now: the current question in the player's language; after
    the reveal, the right options, the explanation and the player's own result."""
    player = _require_player(session, token)
    run = _run(session, player.run_id)
    if run.mode == RunMode.KIOSK:
        return _kiosk_view(session, player, run)
    base = {
        "run_id": run.id,
        "mode": run.mode,
        "nickname": player.nickname,
        "language": player.language,
    }
    if run.status == RunStatus.FINISHED:
        return PlayerView(status=RunStatus.FINISHED, **base)
    if run.status == RunStatus.LOBBY or run.current_index < 0:
        return PlayerView(status=RunStatus.LOBBY, **base)
    view, question, translation = _question_view(session, run, run.current_index, player.language)
    own = session.scalar(
        select(QuizAnswer).where(
            QuizAnswer.player_id == player.id, QuizAnswer.question_id == question.id
        )
    )
    revealed = run.status == RunStatus.REVEAL
    return PlayerView(
        status=run.status,
        question=view,
        answered=own is not None,
        chosen=tuple(own.chosen) if own else (),
        revealed=revealed,
        correct_options=tuple(question.correct) if revealed else (),
        explanation=translation.explanation if revealed else "",
        own_correct=own.correct if (revealed and own is not None) else None,
        **base,
    )


def kiosk_state(session: Session, token: str | None) -> PlayerView:
    """A self-paced turn: the player's next unanswered question; finished after the last."""
    player = _require_player(session, token)
    return _kiosk_view(session, player, _run(session, player.run_id))


def _kiosk_view(session: Session, player: QuizPlayer, run: QuizRun) -> PlayerView:
    base = {
        "run_id": run.id,
        "mode": run.mode,
        "nickname": player.nickname,
        "language": player.language,
    }
    answered = set(
        session.scalars(select(QuizAnswer.question_id).where(QuizAnswer.player_id == player.id))
    )
    index = next(
        (i for i, question_id in enumerate(run.question_ids) if question_id not in answered),
        None,
    )
    if index is None or run.status == RunStatus.FINISHED:
        if player.finished_at is None:
            player.finished_at = utcnow()
        return PlayerView(status=RunStatus.FINISHED, **base)
    view, _question, _translation_row = _question_view(session, run, index, player.language)
    return PlayerView(status=RunStatus.QUESTION, question=view, **base)


def _check_choice(question: QuizQuestion, chosen: Sequence[int] | None) -> list[int]:
    values = list(chosen or ())
    if any(isinstance(value, bool) or not isinstance(value, int) for value in values) or any(
        not 0 <= value < question.option_count for value in values
    ):
        raise ValidationError(_("That answer is not one of the options."), field="chosen")
    values = sorted(set(values))
    if question.type == QuestionType.MULTIPLE:
        if not values:
            raise ValidationError(_("Choose at least one answer."), field="chosen")
    elif len(values) != 1:
        raise ValidationError(_("Choose one answer."), field="chosen")
    return values


def _already_answered() -> AnswerResult:
    return AnswerResult(
        accepted=False,
        already_answered=True,
        message=_("You have already answered this question."),
    )


def answer(
    session: Session, token: str | None, question_id: int, chosen: Sequence[int] | None
) -> AnswerResult:
    """Answer a question once. A second answer changes nothing and says so."""
    player = _require_player(session, token)
    # A shared lock: answers do not wait for each other, but the facilitator's reveal waits for
    # the answers in flight (and they for it), so nothing counts after a question closed.
    run = session.scalar(
        select(QuizRun).where(QuizRun.id == player.run_id).with_for_update(read=True)
    )
    if run is None:
        raise NotFound(_("This quiz does not exist."))
    if question_id not in run.question_ids:
        raise ValidationError(_("This question is closed. Wait for the next one."))
    existing = session.scalar(
        select(QuizAnswer.id).where(
            QuizAnswer.player_id == player.id, QuizAnswer.question_id == question_id
        )
    )
    if existing is not None:
        return _already_answered()
    if run.status == RunStatus.FINISHED:
        raise ValidationError(_("This quiz has ended. Thank you for playing!"))
    if run.mode == RunMode.LIVE and (
        run.status != RunStatus.QUESTION
        or run.current_index < 0
        or run.question_ids[run.current_index] != question_id
    ):
        raise ValidationError(_("This question is closed. Wait for the next one."))
    if run.mode == RunMode.KIOSK and player.finished_at is not None:
        raise ValidationError(_("This quiz has ended. Thank you for playing!"))
    question = session.get(QuizQuestion, question_id)
    if question is None:
        raise NotFound(_("This question is not available any more."))
    values = _check_choice(question, chosen)
    correct = values == sorted(set(question.correct))
    row = QuizAnswer(
        run_id=run.id,
        player_id=player.id,
        question_id=question_id,
        language=player.language,
        chosen=values,
        correct=correct,
        answered_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return _already_answered()  # the same answer arrived twice at once
    if run.mode == RunMode.LIVE:
        return AnswerResult(
            accepted=True,
            already_answered=False,
            message=_("Thank you! Your answer is saved."),
        )
    answered = _count(
        session,
        select(func.count()).select_from(QuizAnswer).where(QuizAnswer.player_id == player.id),
    )
    finished = answered >= len(run.question_ids)
    if finished:
        player.finished_at = utcnow()
    translation = _translation(session, question_id, player.language)
    return AnswerResult(
        accepted=True,
        already_answered=False,
        message=_("Thank you! Your answer is saved."),
        correct=correct,
        correct_options=tuple(question.correct),
        explanation=translation.explanation,
        finished=finished,
    )


def start_kiosk_turn(
    session: Session, code: str | None, language: str | None
) -> tuple[QuizPlayer, str]:
    """A new child's turn on a shared tablet: a fresh anonymous player, nothing carried over."""
    run = _open_run(session, code, lock=True)
    if run.mode != RunMode.KIOSK:
        raise ValidationError(
            _("This code is for a quiz your facilitator leads. Open the join page instead."),
            field="code",
        )
    if _player_count(session, run.id) >= MAX_KIOSK_TURNS:
        raise ValidationError(
            _("This quiz is full. Please ask your facilitator for help."), field="code"
        )
    return _numbered_player(session, run, KIOSK_NICKNAME, _language(language))


def talk_request(session: Session, token: str | None) -> TalkRequest:
    """ "I would like to talk to someone": notifies the run's facilitators only. Pressing again
    while the request is still waiting (within 10 minutes) does not add another."""
    player = _require_player(session, token, lock=True)  # the lock makes double taps count once
    since = utcnow() - TALK_REPEAT
    waiting = session.scalar(
        select(TalkRequest)
        .where(
            TalkRequest.player_id == player.id,
            TalkRequest.seen_at.is_(None),
            TalkRequest.created_at >= since,
        )
        .order_by(TalkRequest.created_at.desc())
        .limit(1)
    )
    if waiting is not None:
        return waiting
    request = TalkRequest(run_id=player.run_id, player_id=player.id, created_at=utcnow())
    session.add(request)
    session.flush()
    return request


def guest_talk_request(
    session: Session, code: str | None, language: str | None
) -> tuple[QuizPlayer, str]:
    """A child who has not joined yet asks to talk: an anonymous "Guest" player carries the
    request (also on a run that has just ended). Keep the token to make repeats idempotent."""
    run = _run_for_code(session, code, lock=True)
    if _player_count(session, run.id) >= MAX_KIOSK_TURNS:
        raise ValidationError(_("Please tell your facilitator or another adult you trust."))
    player, token = _numbered_player(session, run, GUEST_NICKNAME, _language(language))
    talk_request(session, token)
    return player, token


def open_talk_requests(session: Session, user: User, run_id: int) -> list[TalkRequestView]:
    """Requests the facilitator has not marked as seen yet, oldest first."""
    run = _managed_run(session, user, run_id)
    rows = session.execute(
        select(TalkRequest.id, TalkRequest.player_id, QuizPlayer.nickname, TalkRequest.created_at)
        .join(QuizPlayer, QuizPlayer.id == TalkRequest.player_id)
        .where(TalkRequest.run_id == run.id, TalkRequest.seen_at.is_(None))
        .order_by(TalkRequest.created_at, TalkRequest.id)
    )
    return [TalkRequestView(*row) for row in rows]


def mark_talk_request_seen(session: Session, user: User, request_id: int) -> None:
    request = session.get(TalkRequest, request_id)
    if request is None:
        raise NotFound(_("This request does not exist."))
    _managed_run(session, user, request.run_id)
    if request.seen_at is None:
        request.seen_at = utcnow()
        request.seen_by_id = user.id
