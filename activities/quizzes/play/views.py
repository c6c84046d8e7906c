"""What quiz play hands its callers: plain views of questions, players, answers, the host's
screen, talk requests, helplines and results; and the limits a run keeps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from activities.quizzes.bank.helplines import HelplineView
from parliament_app.models.quizzes import (
    QuestionType,
    RunMode,
    RunPhase,
    RunStatus,
)

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
