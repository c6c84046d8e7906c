"""Awareness quizzes: the question bank (one linked item per question, text in every language),
helplines per country, and runs that children join without accounts."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parliament_app.models.base import Base, UTCDateTime, str_enum, utcnow


class QuestionType(enum.StrEnum):
    SINGLE = "single"
    TRUE_FALSE = "true_false"
    MULTIPLE = "multiple"


class RunMode(enum.StrEnum):
    LIVE = "live"  # the facilitator leads the group question by question
    KIOSK = "kiosk"  # self-paced on a shared tablet, one child after another


class RunPhase(enum.StrEnum):
    PRE = "pre"
    POST = "post"
    PRACTICE = "practice"


class RunStatus(enum.StrEnum):
    LOBBY = "lobby"
    QUESTION = "question"  # the current question is open for answers
    REVEAL = "reveal"  # answers closed; distribution and explanation shown
    FINISHED = "finished"


class QuizQuestion(Base):
    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # e.g. "11-14-lover_boy-02"
    age_band: Mapped[str] = mapped_column(String(8), index=True)  # "7-10", "11-14", "15-18"
    topic: Mapped[str] = mapped_column(String(60), index=True)
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType))
    correct: Mapped[list[int]] = mapped_column(JSON)
    option_count: Mapped[int]
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    translations: Mapped[list[QuizTranslation]] = relationship(
        back_populates="question", cascade="all, delete-orphan"
    )


class QuizTranslation(Base):
    __tablename__ = "quiz_translations"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[QuizQuestion] = relationship(back_populates="translations")


class Helpline(Base):
    """A phone line shown on the quiz end screen; edited by administrators, never hard-coded."""

    __tablename__ = "helplines"
    __table_args__ = (UniqueConstraint("country_code", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    names: Mapped[dict[str, str]] = mapped_column(JSON)  # language -> name
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON)  # language -> what it is for
    free: Mapped[bool | None] = mapped_column(Boolean)
    hours: Mapped[str | None] = mapped_column(String(40))  # "24/7", "daily 08:00-20:00" ...
    confidence: Mapped[str] = mapped_column(String(20), default="high")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What the line is for (child, trafficking, violence, missing, police, ambulance, emergency)
    # and who checked it works, when, against which public source: children are shown only
    # lines verified recently (activities/quizzes/bank/helplines.py).
    kind: Mapped[str] = mapped_column(String(20), default="other", server_default="other")
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str | None] = mapped_column(String(500))


class QuizRun(Base):
    __tablename__ = "quiz_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    mode: Mapped[RunMode] = mapped_column(str_enum(RunMode))
    phase: Mapped[RunPhase] = mapped_column(str_enum(RunPhase), default=RunPhase.PRACTICE)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.LOBBY)
    age_band: Mapped[str] = mapped_column(String(8))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    question_ids: Mapped[list[int]] = mapped_column(JSON)  # the run's questions, in order
    current_index: Mapped[int] = mapped_column(default=-1)
    speed_bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id"), index=True)
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuizPlayer(Base):
    """A child (or a kiosk turn) in a run: a nickname, never an account."""

    __tablename__ = "quiz_players"
    __table_args__ = (UniqueConstraint("run_id", "nickname"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quiz_runs.id", ondelete="CASCADE"), index=True)
    nickname: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the device's secret
    child_id: Mapped[int | None] = mapped_column(
        ForeignKey("children.id", ondelete="SET NULL"), index=True
    )  # linked by the facilitator to the attendance record, never by the child
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuizAnswer(Base):
    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("player_id", "question_id"),
        Index("ix_quiz_answers_run_question", "run_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quiz_runs.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("quiz_players.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id"))
    language: Mapped[str] = mapped_column(String(10))
    chosen: Mapped[list[int]] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TalkRequest(Base):
    """A child pressed "I would like to talk to someone": seen by the facilitator only."""

    __tablename__ = "talk_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quiz_runs.id", ondelete="CASCADE"), index=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("quiz_players.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
