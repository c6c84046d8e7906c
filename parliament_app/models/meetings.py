"""Scheduling: specialists, recurring series and their occurrences.

Every occurrence belongs to a group (a parliament, a club, a workshop series): the group's
enrolled children are its roster. A series (weekly, every two weeks, monthly) generates numbered
occurrences; an occurrence can then be changed or cancelled on its own. Club practice schedules
are weekly series of kind ``club_practice``; excursions are occurrences of kind ``excursion``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parliament_app.models.base import Base, UTCDateTime, str_enum, utcnow
from parliament_app.models.groups import Group
from parliament_app.models.places import Venue


class SessionKind(enum.StrEnum):
    PARLIAMENT_SITTING = "parliament_sitting"
    SPECIALIST_WORKSHOP = "specialist_workshop"
    PEER_LEARNING = "peer_learning"
    PRESENTATION = "presentation"  # children present what they learned to schoolmates
    FAMILY_WORKSHOP = "family_workshop"  # parents and children together
    CLUB_PRACTICE = "club_practice"
    EXCURSION = "excursion"


class ExcursionKind(enum.StrEnum):
    RADIO_TV = "radio_tv"
    TEAM_TRAINING = "team_training"
    MEET_ATHLETE_OR_MUSICIAN = "meet_athlete_or_musician"
    OTHER = "other"


class Recurrence(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class OccurrenceStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    CLOSED = "closed"  # attendance taken and closed


class Profession(enum.StrEnum):
    PSYCHOLOGIST = "psychologist"
    SOCIAL_WORKER = "social_worker"
    TEACHER = "teacher"
    PEDAGOGUE = "pedagogue"
    OTHER = "other"


class Specialist(Base):
    """A professional who runs workshops; not necessarily a user of the app."""

    __tablename__ = "specialists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    profession: Mapped[Profession] = mapped_column(str_enum(Profession))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Series(Base):
    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind))
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    recurrence: Mapped[Recurrence] = mapped_column(str_enum(Recurrence))
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    capacity: Mapped[int | None]
    min_age: Mapped[int] = mapped_column(default=7)
    max_age: Mapped[int] = mapped_column(default=18)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship()


class Occurrence(Base):
    """One dated session, practice or excursion."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("series_id", "sequence"),
        Index("ix_occurrences_venue_time", "venue_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id", ondelete="SET NULL"), index=True
    )
    sequence: Mapped[int | None]  # position within its series, so regenerating never duplicates
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind))
    excursion_kind: Mapped[ExcursionKind | None] = mapped_column(str_enum(ExcursionKind))
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int]
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    capacity: Mapped[int | None]
    min_age: Mapped[int] = mapped_column(default=7)
    max_age: Mapped[int] = mapped_column(default=18)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[OccurrenceStatus] = mapped_column(
        str_enum(OccurrenceStatus), default=OccurrenceStatus.SCHEDULED, index=True
    )
    changed_from_series: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship()
    venue: Mapped[Venue | None] = relationship()
    staff: Mapped[list[OccurrenceStaff]] = relationship(cascade="all, delete-orphan")
    specialists: Mapped[list[OccurrenceSpecialist]] = relationship(cascade="all, delete-orphan")


class OccurrenceStaff(Base):
    """Facilitators running an occurrence."""

    __tablename__ = "occurrence_staff"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OccurrenceSpecialist(Base):
    __tablename__ = "occurrence_specialists"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("specialists.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SeriesStaff(Base):
    __tablename__ = "series_staff"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("session_series.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class SeriesSpecialist(Base):
    __tablename__ = "series_specialists"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("session_series.id", ondelete="CASCADE"), primary_key=True
    )
    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("specialists.id", ondelete="CASCADE"), primary_key=True
    )
