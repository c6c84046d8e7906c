"""Social-work monitoring: early-warning rules per centre, alerts with their notes, and the
neutral prompts facilitators get (never the reason, never risk data)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parliament_app.models.base import Base, UTCDateTime, str_enum, utcnow


class AlertRule(enum.StrEnum):
    CONSECUTIVE_ABSENCES = "consecutive_absences"
    LOW_ATTENDANCE = "low_attendance"
    NO_ATTENDANCE = "no_attendance"
    WANTS_TO_TALK = "wants_to_talk"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class AlertStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertSettings(Base):
    """A centre's thresholds; a centre without a row uses the defaults below."""

    __tablename__ = "alert_settings"

    csw_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    consecutive_absences: Mapped[int] = mapped_column(default=2)
    low_attendance_share: Mapped[float] = mapped_column(default=0.5)  # over 4 weeks
    days_without_attendance: Mapped[int] = mapped_column(default=21)
    wants_to_talk: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_withdrawn: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Alert(Base):
    """Raised once per episode: ``episode`` identifies it (e.g. the date the absences began),
    and the unique constraint makes a second evaluation of the same episode a no-op."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("child_id", "csw_id", "rule", "episode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    csw_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    rule: Mapped[AlertRule] = mapped_column(str_enum(AlertRule))
    episode: Mapped[str] = mapped_column(String(40))
    status: Mapped[AlertStatus] = mapped_column(
        str_enum(AlertStatus), default=AlertStatus.OPEN, index=True
    )
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # numbers only, never names
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AlertNote(Base):
    __tablename__ = "alert_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class FamilyCheckPrompt(Base):
    """ "Please check in with this child's family": all a facilitator learns of an alert."""

    __tablename__ = "family_check_prompts"
    __table_args__ = (UniqueConstraint("alert_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
