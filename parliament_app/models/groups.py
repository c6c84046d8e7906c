"""Groups children are enrolled in: a municipality's parliament, a club, a workshop series.

Scheduling (sessions, occurrences) and clubs build on these tables; facilitators see the children
enrolled in the groups they lead.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parliament_app.models.base import Base, UTCDateTime, str_enum, utcnow
from parliament_app.models.children import Child
from parliament_app.models.places import Municipality, Organisation


class GroupKind(enum.StrEnum):
    PARLIAMENT = "parliament"
    SPORT_CLUB = "sport_club"
    MUSIC_CLUB = "music_club"
    OTHER_CLUB = "other_club"
    WORKSHOP_SERIES = "workshop_series"


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    WAITING = "waiting"
    ENDED = "ended"


class EnrolmentSource(enum.StrEnum):
    SCHOOL = "school"  # a school signed the pupil up
    CSW = "csw"  # a centre for social work referred the child
    FACILITATOR = "facilitator"  # a facilitator invited the child


class EndReason(enum.StrEnum):
    CANCELLED = "cancelled"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    REMOVED = "removed"


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[GroupKind] = mapped_column(str_enum(GroupKind))
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    min_age: Mapped[int] = mapped_column(default=7)
    max_age: Mapped[int] = mapped_column(default=18)
    capacity: Mapped[int] = mapped_column(default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    municipality: Mapped[Municipality] = relationship()
    leaders: Mapped[list[GroupLeader]] = relationship(cascade="all, delete-orphan")


class GroupLeader(Base):
    __tablename__ = "group_leaders"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("group_id", "child_id"),
        # A centre's referrals (permissions.referred_by_csw): an index seek, not a table scan.
        Index("ix_enrolments_referred_by", "referred_by_id", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus), index=True)
    source: Mapped[EnrolmentSource] = mapped_column(
        str_enum(EnrolmentSource), default=EnrolmentSource.FACILITATOR
    )
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Waiting-list order: earliest first (ties broken by id).
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[EndReason | None] = mapped_column(str_enum(EndReason))

    group: Mapped[Group] = relationship()
    child: Mapped[Child] = relationship()
    events: Mapped[list[EnrolmentEvent]] = relationship(
        cascade="all, delete-orphan", order_by="EnrolmentEvent.id"
    )


class EnrolmentEvent(Base):
    """The enrolment's status history: who changed it to what, and when."""

    __tablename__ = "enrolment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
