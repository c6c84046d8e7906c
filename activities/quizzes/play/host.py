"""The facilitator's side of a live quiz: their runs, the host screen with anonymous answer
charts, moving through questions, and linking a player to an enrolled child."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from activities.quizzes.play.runs import (
    _count,
    _language,
    _managed_run,
    _player_count,
    _question_view,
)
from activities.quizzes.play.views import HostView, PlayerRow
from parliament_app.core import audit
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _, current_language
from parliament_app.models import (
    AuditAction,
    Child,
    Enrolment,
    EnrolmentStatus,
    Role,
    User,
    utcnow,
)
from parliament_app.models.quizzes import (
    QuizAnswer,
    QuizPlayer,
    QuizRun,
    RunMode,
    RunStatus,
    TalkRequest,
)
from parliament_app.policy.access import exclude_erased
from parliament_app.policy.groups import led_group_ids


def host_runs(session: Session, user: User, limit: int = 20) -> list[QuizRun]:
    """Runs of the user's groups still worth showing: not expired, or with a request to talk."""
    if not user.active or user.role not in (Role.ADMINISTRATOR, Role.FACILITATOR):
        return []
    waiting = select(TalkRequest.run_id).where(TalkRequest.seen_at.is_(None))
    query = (
        select(QuizRun)
        .where((QuizRun.expires_at > utcnow()) | QuizRun.id.in_(waiting))
        .order_by(QuizRun.created_at.desc(), QuizRun.id.desc())
        .limit(limit)
    )
    if user.role == Role.FACILITATOR:
        query = query.where(QuizRun.group_id.in_(led_group_ids(user)))
    return list(session.scalars(query))


def host_view(session: Session, user: User, run_id: int, language: str | None = None) -> HostView:
    """The facilitator's live panel. Answer counts are anonymous; the distribution and the right
    answer appear only after the reveal (the screen is often projected for the room)."""
    run = _managed_run(session, user, run_id)
    language = _language(language or current_language())
    players = _player_count(session, run.id)
    open_requests = _count(
        session,
        select(func.count())
        .select_from(TalkRequest)
        .where(TalkRequest.run_id == run.id, TalkRequest.seen_at.is_(None)),
    )
    question = None
    correct_options: tuple[int, ...] = ()
    explanation = ""
    distribution: tuple[int, ...] = ()
    by_language: dict[str, tuple[int, ...]] = {}
    finished_players = 0
    if run.mode == RunMode.KIOSK:
        answered = _count(
            session,
            select(func.count()).select_from(QuizAnswer).where(QuizAnswer.run_id == run.id),
        )
        finished_players = _count(
            session,
            select(func.count())
            .select_from(QuizPlayer)
            .where(QuizPlayer.run_id == run.id, QuizPlayer.finished_at.is_not(None)),
        )
    elif run.current_index >= 0:
        question, model, translation = _question_view(session, run, run.current_index, language)
        rows = session.execute(
            select(QuizAnswer.chosen, QuizAnswer.language).where(
                QuizAnswer.run_id == run.id, QuizAnswer.question_id == model.id
            )
        ).all()
        answered = len(rows)
        if run.status == RunStatus.REVEAL:
            correct_options = tuple(model.correct)
            explanation = translation.explanation
            distribution, by_language = _distribution(rows, model.option_count)
    else:
        answered = 0
    return HostView(
        run_id=run.id,
        join_code=run.join_code,
        mode=run.mode,
        phase=run.phase,
        status=run.status,
        age_band=run.age_band,
        speed_bonus=run.speed_bonus,
        expires_at=run.expires_at,
        expired=run.expires_at <= utcnow(),
        index=run.current_index,
        total=len(run.question_ids),
        players=players,
        answered=answered,
        finished_players=finished_players,
        question=question,
        correct_options=correct_options,
        explanation=explanation,
        distribution=distribution,
        distribution_by_language=by_language,
        open_talk_requests=open_requests,
    )


def _distribution(
    rows: Iterable[Any], option_count: int
) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    total = [0] * option_count
    per_language: dict[str, list[int]] = {}
    for chosen, language in rows:
        counts = per_language.setdefault(language, [0] * option_count)
        for option in chosen:
            if 0 <= option < option_count:
                total[option] += 1
                counts[option] += 1
    return tuple(total), {key: tuple(value) for key, value in sorted(per_language.items())}


def open_next_question(
    session: Session, user: User, run_id: int, *, after_index: int | None = None
) -> QuizRun:
    """Open the next question. With ``after_index``, a second click (another tab, a double tap)
    that arrives after the question already moved on changes nothing."""
    run = _managed_run(session, user, run_id, lock=True)
    if run.mode != RunMode.LIVE:
        raise ValidationError(_("In a tablet quiz every child goes at their own pace."))
    if run.status == RunStatus.FINISHED:
        raise ValidationError(_("This quiz has ended."))
    if after_index is not None and run.current_index != after_index:
        return run
    if run.current_index + 1 >= len(run.question_ids):
        raise ValidationError(_("That was the last question. Finish the quiz to see the results."))
    run.current_index += 1
    run.status = RunStatus.QUESTION
    run.question_opened_at = utcnow()
    return run


def reveal(session: Session, user: User, run_id: int) -> QuizRun:
    """Close the open question and show the answers (again: nothing changes)."""
    run = _managed_run(session, user, run_id, lock=True)
    if run.status == RunStatus.REVEAL:
        return run
    if run.mode != RunMode.LIVE or run.status != RunStatus.QUESTION:
        raise ValidationError(_("Open a question first."))
    run.status = RunStatus.REVEAL
    return run


def finish(session: Session, user: User, run_id: int) -> QuizRun:
    run = _managed_run(session, user, run_id, lock=True)
    if run.status != RunStatus.FINISHED:
        run.status = RunStatus.FINISHED
        run.finished_at = utcnow()
    return run


def host_players(session: Session, user: User, run_id: int) -> list[PlayerRow]:
    run = _managed_run(session, user, run_id)
    rows = session.execute(
        select(
            QuizPlayer.id,
            QuizPlayer.nickname,
            QuizPlayer.language,
            QuizPlayer.child_id,
            QuizPlayer.joined_at,
        )
        .where(QuizPlayer.run_id == run.id)
        .order_by(QuizPlayer.joined_at, QuizPlayer.id)
    )
    return [PlayerRow(*row) for row in rows]


def enrolled_children(session: Session, user: User, run_id: int) -> list[tuple[int, str]]:
    """The run's group's active members as (id, given name), for linking nicknames. Family
    initials are added only where two children share a given name. Erased children are left
    out."""
    run = _managed_run(session, user, run_id)
    if run.group_id is None:
        return []
    rows = session.execute(
        select(Child.id, Child.given_name, Child.family_name)
        .join(Enrolment, Enrolment.child_id == Child.id)
        .where(
            Enrolment.group_id == run.group_id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
            exclude_erased(),
        )
        .order_by(Child.given_name, Child.family_name, Child.id)
    ).all()
    given = [row.given_name for row in rows]
    return [
        (
            row.id,
            f"{row.given_name} {row.family_name[:1]}."
            if given.count(row.given_name) > 1
            else row.given_name,
        )
        for row in rows
    ]


def link_player_to_child(
    session: Session, user: User, run_id: int, player_id: int, child_id: int | None
) -> QuizPlayer:
    """The facilitator links a nickname to a child enrolled in the group (None: unlink)."""
    run = _managed_run(session, user, run_id)
    player = session.get(QuizPlayer, player_id)
    if player is None or player.run_id != run.id:
        raise NotFound(_("This player is not in this quiz."))
    if child_id is not None:
        enrolled = run.group_id is not None and session.scalar(
            select(Enrolment.id).where(
                Enrolment.group_id == run.group_id,
                Enrolment.child_id == child_id,
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
        )
        if not enrolled:
            raise ValidationError(_("This child is not enrolled in the group."), field="child")
        other = session.scalar(
            select(QuizPlayer.id).where(
                QuizPlayer.run_id == run.id,
                QuizPlayer.child_id == child_id,
                QuizPlayer.id != player.id,
            )
        )
        if other is not None:
            raise ValidationError(
                _("This child is already linked to another nickname in this quiz."),
                field="child",
            )
    if player.child_id != child_id:
        player.child_id = child_id
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "quiz_player",
            player.id,
            run_id=run.id,
            child_id=child_id,
        )
    return player
