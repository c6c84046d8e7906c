"""Playing awareness quizzes: live runs a facilitator leads, and self-paced turns on a kiosk.

Children never have accounts. Joining a run with its code and a nickname gives the device a
random secret token; only its SHA-256 is stored, so a leaked database cannot be used to answer
for a child. A facilitator may link a nickname to the child's attendance record afterwards; the
child never does.

Safeguarding:

- Group results are anonymous: counts per option and the share of correct answers. A player's own
  result is only ever returned for that player's own token.
- "I would like to talk to someone" (``talk_request``) is seen by the run's facilitators only.

Live runs move through ``lobby → question → reveal → question → … → finished``; an answer counts
only while its question is open, and once per player (the ``(player_id, question_id)`` unique
constraint decides, so a double tap or two devices cannot count twice). Kiosk runs are
self-paced: every child's turn is its own anonymous player ("Tablet 1", "Tablet 2", …) that moves
through the run's questions in order; nothing is carried over from one turn to the next.

Scores are an encouragement, never a ranking: one point per correct answer. Only runs for ages
15–18 may switch on a speed bonus (5–10 points for a correct answer, fewer the longer it took).
The schema keeps only the current question's opening time, so in live runs the time is measured
from the room's first answer to that question (recomputable at any time); in kiosk turns from the
player's previous answer, or from the start of the turn.

Every message goes through ``_()`` in the caller's current language; question texts come in the
player's own language, so one room can play in several languages at once.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import parliament_app.schema  # noqa: F401  (quiz_runs.occurrence_id needs sessions' tables)
from parliament_app import audit
from parliament_app.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.i18n import LANGUAGE_NAMES, SOURCE_LANGUAGE, _, current_language
from parliament_app.models import (
    AuditAction,
    Child,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupLeader,
    Role,
    User,
    utcnow,
)
from parliament_app.models.quizzes import (
    Helpline,
    QuestionType,
    QuizAnswer,
    QuizPlayer,
    QuizQuestion,
    QuizRun,
    QuizTranslation,
    RunMode,
    RunPhase,
    RunStatus,
    TalkRequest,
)
from parliament_app.permissions import exclude_erased
from sessions.groups import may_manage_group
from sessions.models import Occurrence

AGE_BANDS: tuple[str, ...] = ("7-10", "11-14", "15-18")
SPEED_BONUS_BANDS = frozenset({"15-18"})  # no speed pressure for younger children
MAX_QUESTIONS = 30

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to mix up
CODE_LENGTH = 6
CODE_ATTEMPTS = 10
RUN_LIFETIME = timedelta(hours=4)  # after that the join code no longer works

MAX_PLAYERS = 120  # per live run: more joins than any room holds is a flood
MAX_KIOSK_TURNS = 500  # per kiosk run: children take turns on a tablet for a few hours
NICKNAME_MAX_LENGTH = 20
KIOSK_NICKNAME = "Tablet {number}"
GUEST_NICKNAME = "Guest {number}"

TALK_REPEAT = timedelta(minutes=10)  # pressing again within this time notifies only once

SPEED_POINTS_MAX = 10
SPEED_POINTS_MIN = 5
SPEED_WINDOW_SECONDS = 20.0

_URL = re.compile(
    r"(://|www\.|\b[\w-]+\.(com|net|org|info|io|me|ly|gg|tv|app|link|xyz|ru|rs|mk|ba|al|xk"
    r"|eu|de|at|ch|uk|us|co)\b)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


# --- what callers get back ------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    """One question as a player (or the facilitator) reads it, in one language."""

    id: int
    index: int  # position in the run, from 0
    total: int
    type: QuestionType
    text: str
    options: tuple[str, ...]
    language: str

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class PlayerView:
    """What one player's screen shows now. Results are the player's own, and only after reveal."""

    run_id: int
    mode: RunMode
    status: RunStatus  # kiosk turns: ``question`` while playing, ``finished`` after the last
    nickname: str
    language: str
    question: QuestionView | None = None
    answered: bool = False
    chosen: tuple[int, ...] = ()
    revealed: bool = False
    correct_options: tuple[int, ...] = ()
    explanation: str = ""
    own_correct: bool | None = None  # None: not answered (or not revealed yet)


@dataclass(frozen=True)
class AnswerResult:
    accepted: bool
    already_answered: bool
    message: str
    # Kiosk turns get feedback at once; live players wait for the facilitator's reveal.
    correct: bool | None = None
    correct_options: tuple[int, ...] = ()
    explanation: str = ""
    finished: bool = False  # a kiosk turn's last question


@dataclass(frozen=True)
class HostView:
    run_id: int
    join_code: str
    mode: RunMode
    phase: RunPhase
    status: RunStatus
    age_band: str
    speed_bonus: bool
    expires_at: datetime
    expired: bool
    index: int  # current question, from 0; -1 before the first
    total: int
    players: int
    answered: int  # live: answers to the current question; kiosk: answers in the run
    finished_players: int  # kiosk turns completed
    question: QuestionView | None  # in the facilitator's language
    correct_options: tuple[int, ...]  # after reveal only
    explanation: str  # after reveal only
    distribution: tuple[int, ...]  # after reveal only: anonymous count per option
    distribution_by_language: dict[str, tuple[int, ...]]
    open_talk_requests: int

    @property
    def is_last_question(self) -> bool:
        return self.index + 1 >= self.total


@dataclass(frozen=True)
class TalkRequestView:
    id: int
    player_id: int
    nickname: str
    created_at: datetime


@dataclass(frozen=True)
class PlayerRow:
    """A player as the facilitator sees it, for linking nicknames to children."""

    id: int
    nickname: str
    language: str
    child_id: int | None
    joined_at: datetime


@dataclass(frozen=True)
class HelplineView:
    number: str
    name: str
    description: str
    free: bool | None = None
    hours: str | None = None


@dataclass(frozen=True)
class PlayerSummary:
    nickname: str
    total: int
    answered: int
    correct: int
    points: int
    speed_bonus: bool
    message: str  # encouragement, never a judgement
    helplines: list[HelplineView]


@dataclass(frozen=True)
class QuestionResult:
    index: int
    question_id: int
    text: str
    answered: int
    correct: int

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class RunResults:
    run_id: int
    players: int
    questions: list[QuestionResult]


@dataclass(frozen=True)
class RunInfo:
    """What an anonymous page may know about a run from its code."""

    mode: RunMode
    status: RunStatus
    age_band: str


# --- small helpers --------------------------------------------------------------------------------


def topic_label(topic: str) -> str:
    """A topic code named for facilitators (the question bank keeps the names)."""
    try:
        from parliament_app.quizzes.bank import TOPIC_LABELS as labels
    except ImportError:
        labels = {}
    source = labels.get(topic)
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


# --- starting a run -------------------------------------------------------------------------------


def startable_groups(session: Session, user: User) -> list[Group]:
    """Active groups this user may start a quiz for (administrators: every active group)."""
    if not user.active or user.role not in (Role.ADMINISTRATOR, Role.FACILITATOR):
        return []
    query = select(Group).where(Group.active.is_(True)).order_by(Group.name, Group.id)
    if user.role == Role.FACILITATOR:
        query = query.where(
            Group.id.in_(select(GroupLeader.group_id).where(GroupLeader.user_id == user.id))
        )
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


# --- joining --------------------------------------------------------------------------------------


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


# --- playing --------------------------------------------------------------------------------------


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


# --- kiosk ----------------------------------------------------------------------------------------


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


# --- talking to someone ---------------------------------------------------------------------------


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


# --- the facilitator's side -----------------------------------------------------------------------


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
        query = query.where(
            QuizRun.group_id.in_(select(GroupLeader.group_id).where(GroupLeader.user_id == user.id))
        )
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


# --- results --------------------------------------------------------------------------------------


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
    """The country's helplines in the player's language, as the question bank maintains them."""
    if not country_code:
        return []
    try:
        from parliament_app.quizzes.bank import helplines_for
    except ImportError:
        helplines_for = None
    if helplines_for is not None:
        items = helplines_for(session, country_code, language)
    else:
        items = session.scalars(
            select(Helpline)
            .where(Helpline.country_code == country_code, Helpline.active.is_(True))
            .order_by(Helpline.sort_order, Helpline.id)
        )
    return [_helpline_view(item, language) for item in items]


def _helpline_view(item: Any, language: str) -> HelplineView:
    if isinstance(item, HelplineView):
        return item

    def get(key: str) -> Any:
        return item.get(key) if isinstance(item, dict) else getattr(item, key, None)

    def text(single: str, plural: str) -> str:
        value = get(single)
        if value is None:
            value = get(plural)
        if isinstance(value, dict):
            return _pick(value, language)
        return str(value or "")

    return HelplineView(
        number=str(get("number") or ""),
        name=text("name", "names"),
        description=text("description", "descriptions"),
        free=get("free"),
        hours=get("hours"),
    )


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
