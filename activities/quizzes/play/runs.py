"""Quiz runs: join codes, players and their tokens, the helpers every side shares, and a
facilitator starting a live run or a kiosk."""

from __future__ import annotations

import hashlib
import random
import re
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from activities.quizzes.bank import TOPIC_LABELS
from activities.quizzes.play.views import (
    _SPACES,
    _URL,
    AGE_BANDS,
    CODE_ALPHABET,
    CODE_ATTEMPTS,
    CODE_LENGTH,
    MAX_QUESTIONS,
    NICKNAME_MAX_LENGTH,
    RUN_LIFETIME,
    SPEED_BONUS_BANDS,
    QuestionView,
)
from parliament_app.core import audit
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import LANGUAGE_NAMES, SOURCE_LANGUAGE, _
from parliament_app.models import (
    AuditAction,
    Group,
    Role,
    User,
    utcnow,
)
from parliament_app.models.meetings import Occurrence
from parliament_app.models.quizzes import (
    QuizPlayer,
    QuizQuestion,
    QuizRun,
    QuizTranslation,
    RunMode,
    RunPhase,
    RunStatus,
)
from parliament_app.policy.groups import led_group_ids, may_manage_group


def topic_label(topic: str) -> str:
    """A topic code named for facilitators (the question bank keeps the names)."""
    source = TOPIC_LABELS.get(topic)
    return _(source) if source else topic.replace("_", " ").capitalize()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(code: str | None) -> str:
    return re.sub(r"[\s\-]", "", code or "").upper()


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _index in range(CODE_LENGTH))


def clean_nickname(nickname: str | None) -> str:
    """Trim and check a nickname: 1–20 characters, some letter or digit, no links."""
    cleaned = _SPACES.sub(" ", nickname or "").strip()
    if not cleaned:
        raise ValidationError(_("Choose a nickname."), field="nickname")
    if len(cleaned) > NICKNAME_MAX_LENGTH:
        raise ValidationError(
            _("Your nickname can have at most {count} characters.").format(
                count=NICKNAME_MAX_LENGTH
            ),
            field="nickname",
        )
    if not any(character.isalnum() for character in cleaned) or any(
        not character.isprintable() for character in cleaned
    ):
        raise ValidationError(_("Use letters or numbers in your nickname."), field="nickname")
    if _URL.search(cleaned) or "@" in cleaned:
        raise ValidationError(
            _("A nickname cannot be a web address. Choose another one."), field="nickname"
        )
    return cleaned


def _language(language: str | None) -> str:
    return language if language in LANGUAGE_NAMES else SOURCE_LANGUAGE


def _pick(texts: dict[str, Any], language: str) -> str:
    for candidate in (language, SOURCE_LANGUAGE):
        if texts.get(candidate):
            return str(texts[candidate])
    return next((str(value) for value in texts.values() if value), "")


def _translation(session: Session, question_id: int, language: str) -> QuizTranslation:
    """The question in ``language``; English, then any language, when it is missing."""
    found = {
        row.language: row
        for row in session.scalars(
            select(QuizTranslation).where(QuizTranslation.question_id == question_id)
        )
    }
    for candidate in (language, SOURCE_LANGUAGE):
        if candidate in found:
            return found[candidate]
    if found:
        return found[sorted(found)[0]]
    raise NotFound(_("This question is not available any more."))


def _question_view(
    session: Session, run: QuizRun, index: int, language: str
) -> tuple[QuestionView, QuizQuestion, QuizTranslation]:
    question_id = run.question_ids[index]
    question = session.get(QuizQuestion, question_id)
    if question is None:
        raise NotFound(_("This question is not available any more."))
    translation = _translation(session, question_id, language)
    view = QuestionView(
        id=question.id,
        index=index,
        total=len(run.question_ids),
        type=question.type,
        text=translation.text,
        options=tuple(translation.options),
        language=translation.language,
    )
    return view, question, translation


def _count(session: Session, query) -> int:
    return session.scalar(query) or 0


def _player_count(session: Session, run_id: int) -> int:
    return _count(
        session,
        select(func.count()).select_from(QuizPlayer).where(QuizPlayer.run_id == run_id),
    )


def _run_for_code(session: Session, code: str | None, *, lock: bool = False) -> QuizRun:
    """The run behind a join code; unknown and expired codes get the same answer."""
    normalised = normalise_code(code)
    run = None
    if 0 < len(normalised) <= 12:
        query = select(QuizRun).where(QuizRun.join_code == normalised)
        if lock:
            query = query.with_for_update()
        run = session.scalar(query)
    if run is None or run.expires_at <= utcnow():
        raise ValidationError(
            _("This code is not valid. Check it with your facilitator."), field="code"
        )
    return run


def _open_run(session: Session, code: str | None, *, lock: bool = False) -> QuizRun:
    run = _run_for_code(session, code, lock=lock)
    if run.status == RunStatus.FINISHED:
        raise ValidationError(
            _("This quiz has already ended. Thank you for wanting to play!"), field="code"
        )
    return run


def _add_player(
    session: Session, run: QuizRun, nickname: str, language: str
) -> tuple[QuizPlayer, str] | None:
    """Insert a player in a savepoint; None when the nickname was taken meanwhile."""
    token = secrets.token_urlsafe(24)
    player = QuizPlayer(
        run_id=run.id,
        nickname=nickname,
        language=language,
        token_hash=hash_token(token),
        joined_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(player)
            session.flush()
    except IntegrityError:
        return None
    return player, token


def _numbered_player(
    session: Session, run: QuizRun, template: str, language: str
) -> tuple[QuizPlayer, str]:
    """An anonymous player named "Tablet 4", "Guest 2", … (the run row is locked by the caller)."""
    prefix = template.format(number="")
    taken = session.scalar(
        select(func.count())
        .select_from(QuizPlayer)
        .where(QuizPlayer.run_id == run.id, QuizPlayer.nickname.startswith(prefix))
    )
    number = (taken or 0) + 1
    for offset in range(CODE_ATTEMPTS):
        added = _add_player(session, run, template.format(number=number + offset), language)
        if added is not None:
            return added
    raise ValidationError(_("Many children are starting at once. Please try again."))


def player_for_token(session: Session, token: str | None) -> QuizPlayer | None:
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return session.scalar(select(QuizPlayer).where(QuizPlayer.token_hash == hash_token(token)))


def _require_player(session: Session, token: str | None, *, lock: bool = False) -> QuizPlayer:
    player = None
    if token and isinstance(token, str) and len(token) <= 200:
        query = select(QuizPlayer).where(QuizPlayer.token_hash == hash_token(token))
        if lock:
            query = query.with_for_update()
        player = session.scalar(query)
    if player is None:
        raise NotFound(_("We could not find you in this quiz. Please join again with the code."))
    return player


def _run(session: Session, run_id: int) -> QuizRun:
    run = session.get(QuizRun, run_id)
    if run is None:
        raise NotFound(_("This quiz does not exist."))
    return run


def _managed_run(session: Session, user: User, run_id: int, *, lock: bool = False) -> QuizRun:
    query = select(QuizRun).where(QuizRun.id == run_id)
    if lock:
        query = query.with_for_update()
    run = session.scalar(query)
    if run is None:
        raise NotFound(_("This quiz does not exist."))
    group = session.get(Group, run.group_id) if run.group_id is not None else None
    if group is not None:
        allowed = may_manage_group(session, user, group)
    else:
        allowed = user.active and (user.role == Role.ADMINISTRATOR or user.id == run.started_by_id)
    if not allowed:
        raise PermissionDenied(_("Only the group's leaders and administrators may do this."))
    return run


def startable_groups(session: Session, user: User) -> list[Group]:
    """Active groups this user may start a quiz for (administrators: every active group)."""
    if not user.active or user.role not in (Role.ADMINISTRATOR, Role.FACILITATOR):
        return []
    query = select(Group).where(Group.active.is_(True)).order_by(Group.name, Group.id)
    if user.role == Role.FACILITATOR:
        query = query.where(Group.id.in_(led_group_ids(user)))
    return list(session.scalars(query))


def available_topics(session: Session, age_band: str) -> list[str]:
    """Topics with at least one question in use for this age band."""
    return list(
        session.scalars(
            select(QuizQuestion.topic)
            .where(QuizQuestion.age_band == age_band, QuizQuestion.retired_at.is_(None))
            .group_by(QuizQuestion.topic)
            .order_by(func.min(QuizQuestion.id))
        )
    )


def start_run(
    session: Session,
    user: User,
    *,
    group_id: int,
    age_band: str,
    topics: Iterable[str] | None,
    question_count: int,
    mode: RunMode | str,
    phase: RunPhase | str,
    occurrence_id: int | None = None,
    speed_bonus: bool = False,
    country_code: str | None = None,
    seed: int | None = None,
) -> QuizRun:
    """Start a run for a group the user manages; its questions are drawn at random (repeatably:
    seeded by ``seed``, else by the run's id) from the questions in use for the band and topics
    (no topics: all of the band's)."""
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound(_("This group does not exist or is not visible to you."))
    if not may_manage_group(session, user, group):
        raise PermissionDenied(_("Only the group's leaders and administrators may do this."))
    try:
        mode = RunMode(mode)
        phase = RunPhase(phase)
    except ValueError:
        raise ValidationError(_("Choose how the quiz is played.")) from None
    if age_band not in AGE_BANDS:
        raise ValidationError(_("Choose an age band."), field="age_band")
    if speed_bonus and age_band not in SPEED_BONUS_BANDS:
        raise ValidationError(
            _("A speed bonus is only possible for ages 15–18."), field="speed_bonus"
        )
    if isinstance(question_count, bool) or not 1 <= int(question_count) <= MAX_QUESTIONS:
        raise ValidationError(
            _("Choose between 1 and {count} questions.").format(count=MAX_QUESTIONS),
            field="question_count",
        )
    if occurrence_id is not None:
        occurrence = session.get(Occurrence, occurrence_id)
        if occurrence is None or occurrence.group_id != group.id:
            raise ValidationError(
                _("This session does not belong to the group."), field="occurrence"
            )
    chosen_topics = sorted({topic for topic in topics or () if topic})
    query = select(QuizQuestion.id).where(
        QuizQuestion.age_band == age_band, QuizQuestion.retired_at.is_(None)
    )
    if chosen_topics:
        query = query.where(QuizQuestion.topic.in_(chosen_topics))
    candidates = list(session.scalars(query.order_by(QuizQuestion.id)))
    if not candidates:
        raise ValidationError(
            _("There are no questions for this age band and these topics yet."), field="topics"
        )
    now = utcnow()
    run = QuizRun(
        mode=mode,
        phase=phase,
        status=RunStatus.LOBBY,
        age_band=age_band,
        topics=chosen_topics,
        question_ids=[],
        current_index=-1,
        speed_bonus=bool(speed_bonus),
        group_id=group.id,
        occurrence_id=occurrence_id,
        country_code=country_code or group.municipality.country_code,
        started_by_id=user.id,
        created_at=now,
        expires_at=now + RUN_LIFETIME,
    )
    _insert_with_unique_code(session, run)
    rng = random.Random(run.id if seed is None else seed)
    run.question_ids = rng.sample(candidates, min(int(question_count), len(candidates)))
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.CREATE,
        "quiz_run",
        run.id,
        group_id=group.id,
        mode=mode.value,
        phase=phase.value,
        questions=len(run.question_ids),
    )
    return run


def _insert_with_unique_code(session: Session, run: QuizRun) -> None:
    """Give the run a fresh join code; two runs drawing the same code at once retry."""
    for _attempt in range(CODE_ATTEMPTS):
        code = new_join_code()
        if session.scalar(select(QuizRun.id).where(QuizRun.join_code == code)) is not None:
            continue
        run.join_code = code
        try:
            with session.begin_nested():
                session.add(run)
                session.flush()
            return
        except IntegrityError:
            if session.scalar(select(QuizRun.id).where(QuizRun.join_code == code)) is None:
                raise  # not the code: some other constraint failed
    raise ValidationError(_("Could not find a free join code. Please try again."))
