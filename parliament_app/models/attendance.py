"""Attendance: one record per child and occurrence, badges, scans, and guardians' involvement.

Uniqueness that matters (one attendance per child and occurrence, one involvement per guardian,
occurrence and role, one live badge per child) is enforced by the database, so retries and
simultaneous scans on two devices can never create a second row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from parliament_app.models.base import Base, UTCDateTime, str_enum, utcnow


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"
    LEFT_EARLY = "left_early"


class AttendanceMethod(enum.StrEnum):
    ROSTER = "roster"  # marked by the facilitator on the roster
    BADGE_SCAN = "badge_scan"
    SELF_CHECK_IN = "self_check_in"  # the rotating session code, on a guardian's or child's phone
    PAPER = "paper"  # typed in later from the printed sheet
    OFFLINE_SCAN = "offline_scan"  # an offline scanner's log, imported with `parliament checkin`
    AUTOMATIC = "automatic"  # unmarked children made absent when the occurrence closed


class ScanResult(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_ENROLLED = "not_enrolled"
    BADGE_REPLACED = "badge_replaced"
    WRONG_OCCURRENCE = "wrong_occurrence"
    REJECTED = "rejected"
    RATE_LIMITED = "rate_limited"


class InvolvementRole(enum.StrEnum):
    ACCOMPANIED = "accompanied"  # accompanied the child
    FAMILY_WORKSHOP = "family_workshop"
    VOLUNTEERED = "volunteered"
    MET_SPECIALIST = "met_specialist"
    OTHER = "other"


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "child_id"),
        Index("ix_attendance_child_occurrence", "child_id", "occurrence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus))
    method: Mapped[AttendanceMethod] = mapped_column(str_enum(AttendanceMethod))
    walk_in: Mapped[bool] = mapped_column(default=False)  # came without being enrolled
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(300), default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Badge(Base):
    """A child's badge. The QR carries only ``token_id`` (random) signed with the deployment's
    secret; re-issuing revokes the previous badge at once."""

    __tablename__ = "badges"
    __table_args__ = (
        Index(
            "uq_badges_live",
            "child_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScanLog(Base):
    """Every scan or self check-in attempt, accepted or not. Holds no personal data: the token
    is kept only as a short fingerprint."""

    __tablename__ = "scan_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("occurrences.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device: Mapped[str] = mapped_column(String(64), default="")  # anonymous device/session id
    method: Mapped[AttendanceMethod] = mapped_column(str_enum(AttendanceMethod))
    result: Mapped[ScanResult] = mapped_column(str_enum(ScanResult))
    reason: Mapped[str] = mapped_column(String(120), default="")
    token_fingerprint: Mapped[str] = mapped_column(String(16), default="")


class GuardianInvolvement(Base):
    __tablename__ = "guardian_involvements"
    __table_args__ = (UniqueConstraint("guardian_id", "occurrence_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(
        ForeignKey("guardians.id", ondelete="CASCADE"), index=True
    )
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[InvolvementRole] = mapped_column(str_enum(InvolvementRole))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="SET NULL"))
    method: Mapped[AttendanceMethod] = mapped_column(str_enum(AttendanceMethod))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RateLimitHit(Base):
    """Counts requests per key and time window for the anonymous pages, shared by every app
    process through the database."""

    __tablename__ = "rate_limit_hits"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
